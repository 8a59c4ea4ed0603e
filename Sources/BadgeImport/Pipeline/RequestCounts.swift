/// Requests by kind and the rows they carried: what "rows per request" and the time bulk earns
/// saved are computed from.
struct RequestCounts: Sendable, Equatable {
    /// Single earn requests (retries included).
    var singleRequests = 0
    /// Bulk earn requests (retries and requests refused as too large included).
    var bulkRequests = 0
    /// Rows whose outcome came from a bulk earn (members of a resent batch from other inputs too).
    var rowsInBatches = 0
    /// Rows sent at least once, singly or in a batch.
    var rowsSent = 0

    mutating func add(_ requests: SendResult, rows: Int, bulk: Bool) {
        if bulk {
            bulkRequests += requests.attempts
            rowsInBatches += rows
        } else {
            singleRequests += requests.attempts
        }
    }
}
