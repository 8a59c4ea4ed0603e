/// What bulk earns did in a run (summary.json's `bulk`, absent for runs without them): requests
/// by kind, rows per request, and the time saved against one request per row at the pace the
/// run actually had.
public struct BulkSummary: Codable, Sendable, Equatable {
    /// Every request: single earns plus bulk earns, retries included.
    public var requests: Int
    public var singleRequests: Int
    public var bulkRequests: Int
    /// Rows sent at least once, and those settled through a bulk earn.
    public var rowsSent: Int
    public var rowsInBatches: Int
    public var rowsPerRequest: Double
    /// One request per row at this run's pace (requests per second) would have taken
    /// `rowsSent / pace` seconds; this is that minus the run's duration (0 when nothing was sent).
    public var timeSavedSeconds: Double
    /// `--bulk-size`, and the size the run ended with.
    public var bulkSize: Int
    public var finalBulkSize: Int
    /// "100 -> 50: 818: too many customers in one request", one per halving.
    public var halvings: [String]
    /// `--dry-run --bulk`: the requests the rows to send would take.
    public var preview: BulkPreview?

    public init(requests: Int, singleRequests: Int, bulkRequests: Int, rowsSent: Int, rowsInBatches: Int,
                rowsPerRequest: Double, timeSavedSeconds: Double, bulkSize: Int, finalBulkSize: Int,
                halvings: [String], preview: BulkPreview?) {
        self.requests = requests
        self.singleRequests = singleRequests
        self.bulkRequests = bulkRequests
        self.rowsSent = rowsSent
        self.rowsInBatches = rowsInBatches
        self.rowsPerRequest = rowsPerRequest
        self.timeSavedSeconds = timeSavedSeconds
        self.bulkSize = bulkSize
        self.finalBulkSize = finalBulkSize
        self.halvings = halvings
        self.preview = preview
    }

    init(requests counts: RequestCounts, durationSeconds: Double, bulkSize: Int, finalBulkSize: Int,
         halvings: [String], preview: BulkPreview?) {
        let requests = counts.singleRequests + counts.bulkRequests
        let rowsPerRequest = requests > 0 ? Double(counts.rowsSent) / Double(requests) : 0
        // At the same pace, rowsSent requests take rowsPerRequest times as long as `requests` did.
        let saved = requests > 0 && durationSeconds.isFinite ? max(0, durationSeconds * (rowsPerRequest - 1)) : 0
        self.init(requests: requests, singleRequests: counts.singleRequests, bulkRequests: counts.bulkRequests,
                  rowsSent: counts.rowsSent, rowsInBatches: counts.rowsInBatches, rowsPerRequest: rowsPerRequest,
                  timeSavedSeconds: saved, bulkSize: bulkSize, finalBulkSize: finalBulkSize, halvings: halvings,
                  preview: preview)
    }

    /// The summary's line: "bulk: 12 requests for 1,000 rows (83.3 rows per request), about 2 h 10 min saved".
    public var sentence: String {
        var text = "bulk: \(requests) requests for \(rowsSent) rows (\(String(format: "%.1f", rowsPerRequest)) rows per request; "
            + "\(bulkRequests) bulk, \(singleRequests) single), about \(Self.duration(timeSavedSeconds)) saved against one request per row at this pace"
        if finalBulkSize != bulkSize {
            text += "; bulk size halved \(halvings.count)x to \(finalBulkSize) (the API refused larger batches)"
        }
        return text
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "0 s" }
        if seconds < 90 { return String(format: "%.1f s", seconds) }
        let minutes = Int(seconds / 60)
        return minutes < 90 ? "\(minutes) min" : "\(minutes / 60) h \(minutes % 60) min"
    }
}
