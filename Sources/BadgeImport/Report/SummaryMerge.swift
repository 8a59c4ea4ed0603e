/// One summary for the shards of a backfill: each shard runs with its own ledger, and people
/// want the whole picture. Counts and histograms add up; the timeline adds up point by point
/// (shards start together in a Kubernetes Indexed Job); durations take the longest.
public enum SummaryMerge {
    public static func merge(_ summaries: [RunSummary]) -> RunSummary? {
        guard var merged = summaries.first else { return nil }
        guard summaries.count > 1 else { return merged }
        merged.ledger = summaries.map(\.ledger).joined(separator: ", ")
        merged.startedAt = summaries.map(\.startedAt).min() ?? merged.startedAt
        merged.endedAt = summaries.map(\.endedAt).max() ?? merged.endedAt
        merged.durationSeconds = summaries.map(\.durationSeconds).max() ?? 0
        merged.inputs = summaries.flatMap(\.inputs)
        merged.records = summaries.reduce(0) { $0 + $1.records }
        var counts: [String: Int] = [:]
        for summary in summaries { counts.merge(summary.counts, uniquingKeysWith: +) }
        merged.counts = RunSummary.completeCounts(counts)
        merged.requestsSent = summaries.reduce(0) { $0 + $1.requestsSent }
        merged.retries = summaries.reduce(0) { $0 + $1.retries }
        merged.throttled = summaries.reduce(0) { $0 + $1.throttled }
        merged.rowsPerSecond = merged.durationSeconds > 0 ? Double(merged.records) / merged.durationSeconds : 0
        merged.latencyMs = latency(summaries.map(\.latencyMs))
        merged.errors = errors(summaries.map(\.errors))
        merged.timeline = timeline(summaries.map(\.timeline))
        merged.exitCode = summaries.map(\.exitCode).max() ?? 0
        let aborted = summaries.compactMap(\.aborted)
        merged.aborted = aborted.isEmpty ? nil : aborted.joined(separator: "; ")
        merged.dryRun = summaries.contains { $0.dryRun }
        return merged
    }

    /// Histograms add bucket by bucket; percentiles are read again from the sum.
    static func latency(_ parts: [LatencySummary]) -> LatencySummary {
        var byUpper: [Double: Int] = [:]
        var count = 0
        var sum = 0.0
        var maximum = 0.0
        for part in parts {
            for bucket in part.histogram { byUpper[bucket.upperMs, default: 0] += bucket.count }
            count += part.count
            sum += part.mean * Double(part.count)
            maximum = max(maximum, part.max)
        }
        let histogram = byUpper.sorted { $0.key < $1.key }.map { HistogramBucket(upperMs: $0.key, count: $0.value) }
        func percentile(_ p: Double) -> Double {
            guard count > 0 else { return 0 }
            let rank = Int((p * Double(count)).rounded(.up))
            var seen = 0
            for bucket in histogram {
                seen += bucket.count
                if seen >= rank { return min(bucket.upperMs, maximum) }
            }
            return maximum
        }
        return LatencySummary(count: count, mean: count > 0 ? sum / Double(count) : 0,
                              p50: percentile(0.5), p90: percentile(0.9), p95: percentile(0.95),
                              p99: percentile(0.99), max: maximum, histogram: histogram)
    }

    static func errors(_ parts: [[ErrorSummary]]) -> [ErrorSummary] {
        var tally = ErrorTally()
        for error in parts.joined() {
            tally.add(status: error.status, code: error.code, message: error.message, count: error.count,
                      examples: error.examples)
        }
        return tally.summaries
    }

    static func timeline(_ parts: [[TimelinePoint]]) -> [TimelinePoint] {
        let length = parts.map(\.count).max() ?? 0
        return (0..<length).map { index in
            var point = TimelinePoint(t: 0, interval: 0)
            for part in parts where index < part.count {
                let p = part[index]
                point.t = max(point.t, p.t)
                point.interval = max(point.interval, p.interval)
                point.counts = point.counts.combined(with: p.counts, gauge: +, counts: +)
            }
            return point
        }
    }
}
