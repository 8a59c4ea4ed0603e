import Foundation

/// Everything a finished (or aborted) run has to say, in numbers: `summary.json` is exactly its
/// JSON encoding and `report.html` is rendered from it alone, so the two can never disagree.
/// The engine fills it; LatencyRecorder, TimelineRecorder and ErrorTally build the larger parts.
public struct RunSummary: Codable, Sendable, Equatable {
    /// The format of summary.json; bumped on any incompatible change.
    public static let currentFormatVersion = 1

    public var formatVersion: Int
    public var runId: Int64
    public var ledger: String
    /// ISO 8601 UTC (see `timestamp(_:)`).
    public var startedAt: String
    public var endedAt: String
    public var durationSeconds: Double
    public var inputs: [InputSummary]
    /// Input records seen (valid and invalid) across all inputs that were read.
    public var records: Int
    /// One entry per RowStatus raw value, always all of them (0 when none).
    public var counts: [String: Int]
    public var requestsSent: Int
    public var retries: Int
    /// HTTP 429 answers.
    public var throttled: Int
    public var rowsPerSecond: Double
    public var latencyMs: LatencySummary
    public var errors: [ErrorSummary]
    public var timeline: [TimelinePoint]
    /// 0 all earned or duplicate, 1 some rows not done, 2 usage/configuration, 3 aborted.
    public var exitCode: Int32
    /// Why the run stopped early (auth refused, circuit breaker, signal); nil when it ran to the end.
    public var aborted: String?
    public var dryRun: Bool
    /// The options the run used, scrubbed: never a secret.
    public var options: [String: String]
    /// The badges the preflight read before sending, in the order first seen; nil when the
    /// run had no preflight (`--no-preflight`, or a summary written before it existed).
    public var badges: [BadgeCheck]?
    /// Bulk earns (`--bulk`, or batches an earlier run left open); nil otherwise, and in
    /// summaries written before bulk earns existed.
    public var bulk: BulkSummary? = nil

    public init(runId: Int64, ledger: String, startedAt: String, endedAt: String,
                durationSeconds: Double, inputs: [InputSummary] = [], records: Int = 0,
                counts: [String: Int] = [:], requestsSent: Int = 0, retries: Int = 0,
                throttled: Int = 0, rowsPerSecond: Double = 0,
                latencyMs: LatencySummary = .empty, errors: [ErrorSummary] = [],
                timeline: [TimelinePoint] = [], exitCode: Int32, aborted: String? = nil,
                dryRun: Bool = false, options: [String: String] = [:]) {
        self.formatVersion = Self.currentFormatVersion
        self.runId = runId
        self.ledger = ledger
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.durationSeconds = durationSeconds
        self.inputs = inputs
        self.records = records
        self.counts = Self.completeCounts(counts)
        self.requestsSent = requestsSent
        self.retries = retries
        self.throttled = throttled
        self.rowsPerSecond = rowsPerSecond
        self.latencyMs = latencyMs
        self.errors = errors
        self.timeline = timeline
        self.exitCode = exitCode
        self.aborted = aborted
        self.dryRun = dryRun
        self.options = options
    }

    /// The count for one status (0 when absent).
    public func count(_ status: RowStatus) -> Int { counts[status.rawValue] ?? 0 }

    /// `counts` with every RowStatus present, so readers never have to guess what a missing key means.
    public static func completeCounts(_ counts: [String: Int]) -> [String: Int] {
        var all = counts
        for status in RowStatus.allCases where all[status.rawValue] == nil { all[status.rawValue] = 0 }
        return all
    }

    /// The counts keyed by RowStatus, convenient for the engine.
    public static func counts(_ byStatus: [RowStatus: Int]) -> [String: Int] {
        completeCounts(Dictionary(uniqueKeysWithValues: byStatus.map { ($0.key.rawValue, $0.value) }))
    }

    /// ISO 8601 UTC with milliseconds, the form of startedAt/endedAt: `2026-11-27T16:25:02.123Z`.
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC")!))
    }

    /// The exit code in words, as the report and the command print it.
    public static func exitMeaning(_ code: Int32) -> String {
        switch code {
        case 0: return "Success: every valid row is earned or was already on the server"
        case 1: return "Finished with rows not done: some rows were rejected, failed or invalid"
        case 2: return "Usage or configuration error: nothing was sent"
        case 3: return "Aborted: the run stopped early; progress is kept in the ledger"
        default: return "Unexpected exit code \(code)"
        }
    }

    /// summary.json: pretty, keys sorted (stable diffs), non-finite numbers written as 0 so a
    /// division by a zero duration can never make the file unwritable.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(finite())
    }

    /// The same summary with every NaN or infinity replaced by 0 (JSON has no such numbers).
    public func finite() -> RunSummary {
        func f(_ x: Double) -> Double { x.isFinite ? x : 0 }
        var s = self
        s.durationSeconds = f(s.durationSeconds)
        s.rowsPerSecond = f(s.rowsPerSecond)
        let l = s.latencyMs
        s.latencyMs = LatencySummary(count: l.count, mean: f(l.mean), p50: f(l.p50), p90: f(l.p90), p95: f(l.p95),
                                     p99: f(l.p99), max: f(l.max),
                                     histogram: l.histogram.map { HistogramBucket(upperMs: f($0.upperMs), count: $0.count) })
        s.timeline = s.timeline.map { p in
            var p = p
            p.t = f(p.t)
            p.interval = f(p.interval)
            return p
        }
        return s
    }

    /// Reads summary.json back (for `status`, tests and re-rendering a report).
    public static func decode(_ data: Data) throws -> RunSummary {
        try JSONDecoder().decode(RunSummary.self, from: data)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        formatVersion = try c.decodeIfPresent(Int.self, forKey: .formatVersion) ?? Self.currentFormatVersion
        runId = try c.decode(Int64.self, forKey: .runId)
        ledger = try c.decode(String.self, forKey: .ledger)
        startedAt = try c.decode(String.self, forKey: .startedAt)
        endedAt = try c.decode(String.self, forKey: .endedAt)
        durationSeconds = try c.decode(Double.self, forKey: .durationSeconds)
        inputs = try c.decodeIfPresent([InputSummary].self, forKey: .inputs) ?? []
        records = try c.decode(Int.self, forKey: .records)
        counts = Self.completeCounts(try c.decode([String: Int].self, forKey: .counts))
        requestsSent = try c.decode(Int.self, forKey: .requestsSent)
        retries = try c.decode(Int.self, forKey: .retries)
        throttled = try c.decode(Int.self, forKey: .throttled)
        rowsPerSecond = try c.decode(Double.self, forKey: .rowsPerSecond)
        latencyMs = try c.decodeIfPresent(LatencySummary.self, forKey: .latencyMs) ?? .empty
        errors = try c.decodeIfPresent([ErrorSummary].self, forKey: .errors) ?? []
        timeline = try c.decodeIfPresent([TimelinePoint].self, forKey: .timeline) ?? []
        exitCode = try c.decode(Int32.self, forKey: .exitCode)
        aborted = try c.decodeIfPresent(String.self, forKey: .aborted)
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
        options = try c.decodeIfPresent([String: String].self, forKey: .options) ?? [:]
        badges = try c.decodeIfPresent([BadgeCheck].self, forKey: .badges)
        bulk = try c.decodeIfPresent(BulkSummary.self, forKey: .bulk)
    }
}

/// One input file of the run.
public struct InputSummary: Codable, Sendable, Equatable {
    public var path: String
    /// SHA-256 of the file's bytes, lower-case hex.
    public var sha256: String
    public var bytes: Int64
    public var records: Int
    /// True when the ledger showed this exact content fully processed, so it was not read again.
    public var skipped: Bool
    public var skippedReason: String?
    /// Read to the end with nothing left that a rerun would send: the ledger remembers its
    /// content hash, so the same bytes are skipped next time (and `--archive-dir` moves it).
    public var fullyProcessed: Bool
    /// Why the input was not read to the end (a truncated gzip, an I/O error: the line reached
    /// and the reason; its remaining rows were not sent), or what changed in it while it was
    /// read (with `changedWhileRead`). A rerun reads it again.
    public var problem: String?
    /// Its size or modification time changed while it was read (a file still being written):
    /// never recorded as fully processed, read again by the next run.
    public var changedWhileRead: Bool

    public init(path: String, sha256: String, bytes: Int64, records: Int, skipped: Bool = false,
                skippedReason: String? = nil, fullyProcessed: Bool = false, problem: String? = nil,
                changedWhileRead: Bool = false) {
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
        self.records = records
        self.skipped = skipped
        self.skippedReason = skippedReason
        self.fullyProcessed = fullyProcessed
        self.problem = problem
        self.changedWhileRead = changedWhileRead
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        sha256 = try c.decode(String.self, forKey: .sha256)
        bytes = try c.decode(Int64.self, forKey: .bytes)
        records = try c.decode(Int.self, forKey: .records)
        skipped = try c.decodeIfPresent(Bool.self, forKey: .skipped) ?? false
        skippedReason = try c.decodeIfPresent(String.self, forKey: .skippedReason)
        fullyProcessed = try c.decodeIfPresent(Bool.self, forKey: .fullyProcessed) ?? false
        problem = try c.decodeIfPresent(String.self, forKey: .problem)
        changedWhileRead = try c.decodeIfPresent(Bool.self, forKey: .changedWhileRead) ?? false
    }
}

/// Request latency in milliseconds; percentiles are estimated from the histogram (LatencyRecorder).
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: Int
    public var mean: Double
    public var p50: Double
    public var p90: Double
    public var p95: Double
    public var p99: Double
    public var max: Double
    /// Log-spaced buckets from the first to the last non-empty one; each counts the latencies in
    /// (previous upperMs, upperMs]. The last bucket's upper bound is the maximum observed.
    public var histogram: [HistogramBucket]

    public static let empty = LatencySummary(count: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0, histogram: [])
}

public struct HistogramBucket: Codable, Sendable, Equatable {
    public var upperMs: Double
    public var count: Int
}

/// One kind of error: rows with the same status, code and message.
public struct ErrorSummary: Codable, Sendable, Equatable {
    /// "rejected", "failed" or "invalid" (a RowStatus raw value).
    public var status: String
    /// The API's error code ("811"), an HTTP status ("http-503"), or a validation code.
    public var code: String
    public var message: String
    public var count: Int
    /// "file:line" of the first few rows (at most ErrorTally.maxExamples).
    public var examples: [String]
}

/// What happened during one interval of the run (deltas, except inFlight, a sample). Its counts
/// read as if they were its own fields (`point.earned`), and summary.json keeps one flat object
/// per point.
@dynamicMemberLookup
public struct TimelinePoint: Codable, Sendable, Equatable {
    /// Seconds since the start of the run at the end of this interval.
    public var t: Double
    /// Seconds this point covers (ends at t); rates are counts / interval.
    public var interval: Double
    public var counts = RunCounters()

    public subscript<Value>(dynamicMember key: WritableKeyPath<RunCounters, Value>) -> Value {
        get { counts[keyPath: key] }
        set { counts[keyPath: key] = newValue }
    }

    private enum CodingKeys: String, CodingKey { case t, interval }

    public init(t: Double, interval: Double, counts: RunCounters = .zero) {
        self.t = t
        self.interval = interval
        self.counts = counts
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        t = try container.decode(Double.self, forKey: .t)
        interval = try container.decode(Double.self, forKey: .interval)
        counts = try RunCounters(from: decoder)
    }

    public func encode(to encoder: Encoder) throws {
        try counts.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(t, forKey: .t)
        try container.encode(interval, forKey: .interval)
    }
}
