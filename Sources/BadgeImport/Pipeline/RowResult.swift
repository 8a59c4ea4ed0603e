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
