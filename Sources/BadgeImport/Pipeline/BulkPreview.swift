/// How many requests rows would take with bulk earns and without (one each): what
/// `run --dry-run --bulk` and `validate --bulk-preview` report before a long night. Counted by
/// the run's own grouping, with its buffer bounds.
public struct BulkPreview: Codable, Sendable, Equatable {
    public var rows: Int = 0
    public var requestsWithBulk: Int = 0
    public var bulkSize: Int

    public init(rows: Int = 0, requestsWithBulk: Int = 0, bulkSize: Int) {
        self.rows = rows
        self.requestsWithBulk = requestsWithBulk
        self.bulkSize = bulkSize
    }

    /// One request per row.
    public var requestsWithoutBulk: Int { rows }

    public var rowsPerRequest: Double { requestsWithBulk > 0 ? Double(rows) / Double(requestsWithBulk) : 0 }

    /// "12,000 rows: 140 requests with --bulk (bulk size 100, 85.7 rows per request), 12,000 without"
    public var sentence: String {
        "\(rows) rows: \(requestsWithBulk) requests with --bulk (bulk size \(bulkSize), "
            + "\(String(format: "%.1f", rowsPerRequest)) rows per request), \(requestsWithoutBulk) without"
    }
}

/// Counts a `BulkPreview` row by row.
public final class BulkPreviewCounter {
    private let grouper: BatchGrouper
    public private(set) var preview: BulkPreview

    public init(bulkSize: Int) {
        grouper = BatchGrouper(limit: BulkLimit(bulkSize))
        preview = BulkPreview(bulkSize: bulkSize)
    }

    public func add(_ row: EarnRow) {
        preview.rows += 1
        grouper.add(Job(row: row, original: [])) { _ in preview.requestsWithBulk += 1 }
    }

    public func finish() -> BulkPreview {
        grouper.flushAll { _ in preview.requestsWithBulk += 1 }
        return preview
    }
}
