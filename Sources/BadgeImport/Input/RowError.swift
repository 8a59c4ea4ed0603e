/// One reason a row is invalid: which field (or `row` for the record's shape), a
/// human reason, and a stable key for counting (`customerId.notInteger`).
public struct RowError: Sendable, Equatable, Hashable {
    public var field: String
    public var reason: String
    public var key: String
}

/// A row that will never be sent, with every reason it has and its original cells.
public struct InvalidRecord: Sendable, Equatable {
    public var source: String
    public var line: Int
    public var errors: [RowError]
    /// The record's cells as read, aligned with `EarnFileReader.columns` when the shape allows.
    public var original: [String]
}

/// What the reader yields for each record: a row ready to send, or an invalid one.
public enum MappedRecord: Sendable {
    case valid(EarnRow, original: [String])
    case invalid(InvalidRecord)

    public var line: Int {
        switch self {
        case .valid(let row, _): return row.line
        case .invalid(let record): return record.line
        }
    }
}
