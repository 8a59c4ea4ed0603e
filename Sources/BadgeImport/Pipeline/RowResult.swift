/// The final word on one input record in this run: what the results file, the failed file,
/// the ledger and the summary are all made from.
struct RowResult: Sendable {
    var source: String
    var line: Int
    /// Empty for an invalid record that never got one.
    var requestId: String
    var status: RowStatus
    var httpStatus: Int? = nil
    var errorCode: String? = nil
    var errorMessage: String? = nil
    var receipt: EarnReceipt? = nil
    /// Requests sent for this record in this run.
    var attempts: Int = 0
    /// The record's original columns, aligned with its input's columns.
    var original: [String]
    /// The row as sent, for the ledger; nil for invalid records.
    var row: EarnRow? = nil
    /// Per-attempt latencies in seconds.
    var latencies: [Double] = []
    var throttled: Int = 0
}

extension RowResult {
    /// A row taken for sending that never left: the run stopped first. The next run sends it.
    static func notSent(_ job: Job) -> RowResult {
        RowResult(source: job.row.source, line: job.row.line, requestId: job.row.requestId, status: .failed,
                  errorCode: "not-sent", errorMessage: "not sent: the run stopped first", original: job.original)
    }

    /// An invalid record: every reason, keys and messages each joined in one cell.
    static func invalid(_ record: InvalidRecord) -> RowResult {
        RowResult(source: record.source, line: record.line, requestId: "", status: .invalid,
                  errorCode: record.errors.map(\.key).joined(separator: ";"),
                  errorMessage: record.errors.map { "\($0.field): \($0.reason)" }.joined(separator: "; "),
                  original: record.original)
    }
}

/// A row on its way to a worker, with what the failed file needs if it does not go well.
struct Job: Sendable {
    var row: EarnRow
    var original: [String]
}
