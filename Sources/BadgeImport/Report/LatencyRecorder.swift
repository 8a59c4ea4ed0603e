import Foundation

/// Request latencies in a fixed log-spaced histogram: constant memory whatever the run's length,
/// and cheap enough for the hot path. Each worker keeps its own recorder (a value, no lock) and
/// the engine merges them at the end; merging is exact because every recorder has the same buckets.
///
/// Buckets: 10 per decade, bucket i holds latencies in (upper(i-1), upper(i)] with
/// upper(i) = 0.1 ms * 10^(i/10), i = 0 ..< 60 (0.1 ms .. 79 s), plus one overflow bucket above.
/// Percentiles are estimated inside their bucket by log-linear interpolation, so the error is
/// at most one bucket width (about 26 %), and they are clamped to the exact min and max.
public struct LatencyRecorder: Sendable, Equatable {
    public static let bucketsPerDecade = 10
    public static let smallestUpperMs = 0.1
    public static let finiteBucketCount = 60

    /// Upper bounds of the finite buckets in milliseconds; the overflow bucket has none.
    public static let upperBoundsMs: [Double] = (0..<finiteBucketCount).map {
        smallestUpperMs * pow(10, Double($0) / Double(bucketsPerDecade))
    }

    /// finiteBucketCount + 1 counters (the last is the overflow bucket).
    public private(set) var bucketCounts: [Int]
    public private(set) var count: Int = 0
    public private(set) var sumMs: Double = 0
    public private(set) var minMs: Double = .infinity
    public private(set) var maxMs: Double = 0

    public init() {
        bucketCounts = Array(repeating: 0, count: Self.finiteBucketCount + 1)
    }

    /// Records one request's latency. Negative or non-finite values (a clock glitch) are ignored.
    public mutating func record(seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        let ms = seconds * 1000
        bucketCounts[Self.bucketIndex(ms: ms)] += 1
        count += 1
        sumMs += ms
        if ms < minMs { minMs = ms }
        if ms > maxMs { maxMs = ms }
    }

    /// Adds another recorder's observations to this one.
    public mutating func merge(_ other: LatencyRecorder) {
        for i in bucketCounts.indices { bucketCounts[i] += other.bucketCounts[i] }
        count += other.count
        sumMs += other.sumMs
        minMs = Swift.min(minMs, other.minMs)
        maxMs = Swift.max(maxMs, other.maxMs)
    }

    public func merged(with other: LatencyRecorder) -> LatencyRecorder {
        var copy = self
        copy.merge(other)
        return copy
    }

    /// Which bucket a latency falls in: the first whose upper bound is >= ms.
    static func bucketIndex(ms: Double) -> Int {
        guard ms > smallestUpperMs else { return 0 }
        var i = Int((log10(ms / smallestUpperMs) * Double(bucketsPerDecade)).rounded(.up))
        // log10 can land one off at exact boundaries; settle against the table itself.
        i = Swift.min(Swift.max(i, 0), finiteBucketCount)
        while i < finiteBucketCount && ms > upperBoundsMs[i] { i += 1 }
        while i > 0 && i - 1 < finiteBucketCount && ms <= upperBoundsMs[i - 1] { i -= 1 }
        return i
    }

    /// The latency (ms) below which a fraction `p` (0...1) of requests fall, estimated from buckets.
    public func percentile(_ p: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = Swift.max(1, Int((p * Double(count)).rounded(.up)))
        var cumulative = 0
        for (i, n) in bucketCounts.enumerated() where n > 0 {
            if cumulative + n >= rank {
                let lower = i == 0 ? Swift.min(minMs, Self.smallestUpperMs) : Self.upperBoundsMs[i - 1]
                let upper = i < Self.finiteBucketCount ? Self.upperBoundsMs[i] : maxMs
                let lo = Swift.max(lower, minMs), hi = Swift.min(upper, maxMs)
                guard hi > lo, lo > 0 else { return Swift.min(Swift.max(hi, minMs), maxMs) }
                // Position of the rank within the bucket, spread log-uniformly between its bounds.
                let fraction = Double(rank - cumulative) / Double(n)
                return lo * pow(hi / lo, fraction)
            }
            cumulative += n
        }
        return maxMs
    }

    /// The summary.json form: exact count, mean and max; estimated percentiles; the histogram
    /// trimmed to the non-empty range (the overflow bucket's upper bound is the maximum seen).
    public var summary: LatencySummary {
        guard count > 0 else { return .empty }
        let used = bucketCounts.indices.filter { bucketCounts[$0] > 0 }
        let histogram = (used.first!...used.last!).map { i in
            HistogramBucket(upperMs: i < Self.finiteBucketCount ? Self.upperBoundsMs[i] : maxMs, count: bucketCounts[i])
        }
        return LatencySummary(count: count, mean: sumMs / Double(count),
                              p50: percentile(0.50), p90: percentile(0.90), p95: percentile(0.95),
                              p99: percentile(0.99), max: maxMs, histogram: histogram)
    }
}
