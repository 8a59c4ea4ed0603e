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
    /// The requestId the server saw or would see, when `row` is nil (already done, left out, planned).
    var sentRequestId: String? = nil
    /// Per-attempt latencies in seconds.
    var latencies: [Double] = []
    var throttled: Int = 0
    /// The bulk earn the row went in, if it did.
    var batchRequestId: String? = nil
    /// False for a member of a batch being resent that this run's input does not hold: its
    /// outcome goes to the ledger only (its own input's report has its line).
    var inInput: Bool = true
}

extension RowResult {
    /// A row taken for sending that never left: the run stopped first. The next run sends it.
    static func notSent(_ job: Job) -> RowResult {
        RowResult(source: job.row.source, line: job.row.line, requestId: job.row.requestId, status: .failed,
                  errorCode: "not-sent", errorMessage: "not sent: the run stopped first", original: job.original,
                  sentRequestId: job.row.sentRequestId, inInput: job.inInput)
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
    /// False for the member of a resent single-earn intent that this run's input does not hold.
    var inInput = true
    /// Its single earn's intent is in the ledger already (resent from an earlier `--bulk` run).
    var announced = false
}

/// What a worker takes: one row, or a bulk earn of many.
enum Work: Sendable {
    case single(Job)
    case batch(BatchJob)

    /// The rows it carries, for records made when it is never sent.
    var jobs: [Job] {
        switch self {
        case .single(let job): return job.inInput ? [job] : []
        case .batch(let batch): return batch.members.filter(\.inInput).map { Job(row: $0.row, original: $0.original) }
        }
    }

    var rowCount: Int {
        switch self {
        case .single: return 1
        case .batch(let batch): return batch.members.count
        }
    }
}
