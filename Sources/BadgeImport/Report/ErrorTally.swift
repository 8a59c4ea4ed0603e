/// Groups the rows that did not make it by (status, code) for summary.json's `errors`: a count
/// per kind, the first message seen as its sample, and the first few "file:line" examples, in
/// bounded memory however many rows fail the same way. Not by message: messages of invalid
/// rows and transport failures carry the row's value or a duration, and would split one kind
/// of problem into as many lines as there are rows. Like LatencyRecorder it is a value: one per worker, merged at the end.
public struct ErrorTally: Sendable, Equatable {
    public static let maxExamples = 5
    /// Kinds listed one by one; the rest of a status's rows are counted under `otherCode`. Codes
    /// come from the server and from combinations of reasons, so their number is not ours to bound.
    public static let maxKinds = 200
    public static let otherCode = "(other codes)"

    struct Key: Hashable, Sendable {
        var status: String
        var code: String
    }

    private var entries: [Key: ErrorSummary] = [:]
    /// First-seen order, so the report lists errors in a stable order for equal counts.
    private var order: [Key] = []

    public init() {}

    public mutating func add(status: RowStatus, code: String, message: String, example: String) {
        add(status: status.rawValue, code: code, message: message, count: 1, examples: [example])
    }

    public mutating func merge(_ other: ErrorTally) {
        for key in other.order {
            let e = other.entries[key]!
            add(status: e.status, code: e.code, message: e.message, count: e.count, examples: e.examples)
        }
    }

    mutating func add(status: String, code: String, message: String, count: Int, examples: [String]) {
        var key = Key(status: status, code: code)
        var message = message
        if entries[key] == nil && entries.count >= Self.maxKinds {
            key.code = Self.otherCode
            message = "more kinds of error than the report lists one by one (\(Self.maxKinds)); the first: \(message)"
        }
        if var entry = entries[key] {
            entry.count += count
            for example in examples where entry.examples.count < Self.maxExamples { entry.examples.append(example) }
            entries[key] = entry
        } else {
            entries[key] = ErrorSummary(status: status, code: key.code, message: message, count: count,
                                        examples: Array(examples.prefix(Self.maxExamples)))
            order.append(key)
        }
    }

    /// Most frequent first; ties keep first-seen order.
    public var summaries: [ErrorSummary] {
        order.enumerated()
            .map { (index: $0.offset, entry: entries[$0.element]!) }
            .sorted { $0.entry.count != $1.entry.count ? $0.entry.count > $1.entry.count : $0.index < $1.index }
            .map(\.entry)
    }
}
