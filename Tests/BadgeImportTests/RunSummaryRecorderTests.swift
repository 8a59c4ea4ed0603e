import Foundation
import Testing
@testable import BadgeImport

@Suite("Run summary, latency and timeline recorders")
struct RunSummaryRecorderTests {
    @Test func latencyBucketsAreLogSpacedAndBoundariesExact() {
        let bounds = LatencyRecorder.upperBoundsMs
        #expect(bounds.count == 60)
        #expect(abs(bounds[0] - 0.1) < 1e-12)
        #expect(abs(bounds[10] - 1) < 1e-9)
        #expect(abs(bounds[50] - 10_000) < 1e-6)
        #expect(bounds.last! > 60_000)
        for (i, upper) in bounds.enumerated() {
            #expect(LatencyRecorder.bucketIndex(ms: upper) == i)                    // inclusive upper bound
            #expect(LatencyRecorder.bucketIndex(ms: upper * 1.000001) == i + 1)
        }
        #expect(LatencyRecorder.bucketIndex(ms: 0) == 0)
        #expect(LatencyRecorder.bucketIndex(ms: 1e9) == 60)
    }

    @Test func percentilesAreWithinOneBucketOfTheTruth() {
        var recorder = LatencyRecorder()
        // 1..10000 ms uniformly: true p50 = 5000, p90 = 9000, p99 = 9900.
        for ms in 1...10_000 { recorder.record(seconds: Double(ms) / 1000) }
        let s = recorder.summary
        #expect(s.count == 10_000)
        #expect(abs(s.mean - 5000.5) < 1e-6)
        #expect(s.max == 10_000)
        let width = pow(10, 0.1)   // one bucket, about 26 %
        for (estimate, truth) in [(s.p50, 5000.0), (s.p90, 9000.0), (s.p95, 9500.0), (s.p99, 9900.0)] {
            #expect(estimate <= truth * width && estimate >= truth / width, "\(estimate) vs \(truth)")
        }
        #expect(s.p50 <= s.p90 && s.p90 <= s.p95 && s.p95 <= s.p99 && s.p99 <= s.max)
        #expect(s.histogram.map(\.count).reduce(0, +) == 10_000)
        #expect(s.histogram.first!.upperMs == 1)      // trimmed to the non-empty range
    }

    @Test func mergingWorkersEqualsRecordingInOne() {
        var all = LatencyRecorder(), a = LatencyRecorder(), b = LatencyRecorder()
        for i in 0..<2000 {
            let seconds = 0.0005 * Double(i % 97 + 1) + (i % 13 == 0 ? 2.5 : 0)
            all.record(seconds: seconds)
            if i % 3 == 0 { a.record(seconds: seconds) } else { b.record(seconds: seconds) }
        }
        let merged = a.merged(with: b)
        #expect(merged.bucketCounts == all.bucketCounts)
        #expect(merged.count == all.count && merged.maxMs == all.maxMs && merged.minMs == all.minMs)
        #expect(abs(merged.sumMs - all.sumMs) < 1e-6)
        #expect(LatencyRecorder().merged(with: a).summary == a.summary)
    }

    @Test func overflowAndGarbage() {
        var r = LatencyRecorder()
        r.record(seconds: 120)     // a timeout beyond the last bucket
        r.record(seconds: -1)
        r.record(seconds: .nan)
        let s = r.summary
        #expect(s.count == 1)
        #expect(s.max == 120_000 && s.p99 == 120_000)
        #expect(s.histogram == [HistogramBucket(upperMs: 120_000, count: 1)])
        #expect(LatencyRecorder().summary == .empty)
    }

    @Test func timelineStoresDeltas() {
        var t = TimelineRecorder()
        t.tick(at: 1, .init(completed: 10, earned: 9, rejected: 1, requests: 11, retries: 1, throttled: 1, inFlight: 4))
        t.tick(at: 2, .init(completed: 25, earned: 23, rejected: 2, requests: 27, retries: 2, throttled: 1, inFlight: 3))
        #expect(t.points == [
            TimelinePoint(t: 1, interval: 1, counts: RunCounters(completed: 10, earned: 9, rejected: 1, requests: 11, retries: 1, throttled: 1, inFlight: 4)),
            TimelinePoint(t: 2, interval: 1, counts: RunCounters(completed: 15, earned: 14, rejected: 1, requests: 16, retries: 1, throttled: 0, inFlight: 3)),
        ])
    }

    @Test func longRunsAreBoundedWithUniformResolutionAndNothingLost() {
        var t = TimelineRecorder(maxPoints: 600)
        var completed = 0, requests = 0
        for second in 1...10_000 {
            completed += second % 7
            requests += second % 7 + (second % 100 == 0 ? 3 : 0)
            t.tick(at: Double(second), .init(completed: completed, requests: requests, inFlight: second % 5))
        }
        let points = t.finishedPoints
        #expect(points.count <= 600)
        #expect(points.count >= 300)
        #expect(points.map(\.completed).reduce(0, +) == completed)
        #expect(points.map(\.requests).reduce(0, +) == requests)
        #expect(abs(points.map(\.interval).reduce(0, +) - 10_000) < 1e-9)
        #expect(points.last!.t == 10_000)
        // Every full point covers the same number of ticks.
        let intervals = Set(points.dropLast().map(\.interval))
        #expect(intervals.count == 1, "\(intervals)")
        #expect(zip(points, points.dropFirst()).allSatisfy { $0.t < $1.t })
    }

    @Test func errorTallyCountsAndKeepsFiveExamples() {
        var a = ErrorTally(), b = ErrorTally()
        for line in 1...8 { a.add(status: .rejected, code: "811", message: "issue first", example: "in.csv:\(line)") }
        b.add(status: .invalid, code: "customerId", message: "not a number", example: "in.csv:99")
        b.add(status: .rejected, code: "811", message: "issue first", example: "in.csv:100")
        a.merge(b)
        let s = a.summaries
        #expect(s.count == 2)
        #expect(s[0] == ErrorSummary(status: "rejected", code: "811", message: "issue first", count: 9,
                                     examples: (1...5).map { "in.csv:\($0)" }))
        #expect(s[1].count == 1 && s[1].status == "invalid")
    }

    /// Codes from a server (or reason combinations) by the thousand: the tally stays at its
    /// bound, and every row is still counted.
    @Test func errorTallyKeepsABoundedNumberOfKinds() {
        var tally = ErrorTally()
        for code in 0..<5_000 { tally.add(status: .rejected, code: "code-\(code)", message: "m\(code)", example: "in.csv:\(code)") }
        let s = tally.summaries
        #expect(s.count == ErrorTally.maxKinds + 1)
        #expect(s.reduce(0) { $0 + $1.count } == 5_000)
        #expect(s.first { $0.code == ErrorTally.otherCode }?.count == 5_000 - ErrorTally.maxKinds)
    }

    @Test func summaryJSONRoundTripsWithEveryStatusCounted() throws {
        let summary = RunSummary(runId: 3, ledger: "x.ledger", startedAt: RunSummary.timestamp(Date(timeIntervalSince1970: 0)),
                                 endedAt: "1970-01-01T00:00:10.000Z", durationSeconds: 10,
                                 counts: RunSummary.counts([.earned: 5]), rowsPerSecond: .nan, exitCode: 0)
        #expect(summary.startedAt == "1970-01-01T00:00:00.000Z")
        #expect(Set(summary.counts.keys) == Set(RowStatus.allCases.map(\.rawValue)))
        #expect(summary.count(.earned) == 5 && summary.count(.failed) == 0)
        let data = try summary.jsonData()
        let decoded = try RunSummary.decode(data)
        #expect(decoded.counts == summary.counts)
        #expect(decoded.rowsPerSecond == 0)      // NaN written as 0, not an unwritable file
        var expected = summary
        expected.rowsPerSecond = 0
        #expect(decoded == expected)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        #expect((object?["counts"] as? [String: Int])?["already-done"] == 0)
    }
}
