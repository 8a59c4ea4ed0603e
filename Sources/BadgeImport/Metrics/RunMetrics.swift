import CoreMetrics
import Foundation
import Prometheus
import Synchronization

/// The run's numbers as Prometheus series, made through swift-metrics on a registry the caller
/// owns (no global MetricsSystem: two runs in one process, as in the tests, never share a
/// counter). Counters are fed from the run's own tallies (RunRecorder, RateLimiter, the pool)
/// by `observe`, which adds what changed since the last reading, so the hot path pays nothing
/// but the request-duration histogram.
public final class RunMetrics: Sendable {
    /// One look at the run's tallies, all cumulative since the run began.
    public struct Reading: Sendable, Equatable {
        public var counts: [RowStatus: Int] = [:]
        public var requests = 0
        public var retries = 0
        public var throttled = 0
        /// Requests per second the limiter allows now; nil while unlimited.
        public var pace: Double?
        public var inFlight = 0

        public init() {}
    }

    public static let namePrefix = "badge_import_"
    /// Request latency buckets, in seconds: a loopback mock answers in a millisecond, a
    /// struggling API in tens of seconds (the default timeout is 30 s).
    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    private let rows: [RowStatus: CoreMetrics.Counter]
    private let requests: CoreMetrics.Counter
    private let retries: CoreMetrics.Counter
    private let throttled: CoreMetrics.Counter
    private let requestDuration: CoreMetrics.Timer
    private let pace: CoreMetrics.Gauge
    private let inFlight: CoreMetrics.Gauge
    private let runStart: CoreMetrics.Gauge
    private let labels: [(String, String)]
    private let factory: PrometheusMetricsFactory
    /// What the counters already hold, so each reading adds only the difference.
    private let counted = Mutex(Reading())

    /// - Parameter labels: on every series (`shard`, `profile` where set): all series of one
    ///   name must carry the same label names.
    public init(registry: PrometheusCollectorRegistry, labels: [(String, String)] = []) {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.namePrefix + "request_duration_seconds"] = Self.durationBuckets
        self.factory = factory
        self.labels = labels
        func name(_ suffix: String) -> String { Self.namePrefix + suffix }
        rows = Dictionary(uniqueKeysWithValues: RowStatus.allCases.map { status in
            (status, CoreMetrics.Counter(label: name("rows_total"), dimensions: [("status", status.rawValue)] + labels,
                                         factory: factory))
        })
        requests = CoreMetrics.Counter(label: name("requests_total"), dimensions: labels, factory: factory)
        retries = CoreMetrics.Counter(label: name("retries_total"), dimensions: labels, factory: factory)
        throttled = CoreMetrics.Counter(label: name("throttled_total"), dimensions: labels, factory: factory)
        requestDuration = CoreMetrics.Timer(label: name("request_duration_seconds"), dimensions: labels, factory: factory)
        pace = CoreMetrics.Gauge(label: name("pace_requests_per_second"), dimensions: labels, factory: factory)
        inFlight = CoreMetrics.Gauge(label: name("in_flight"), dimensions: labels, factory: factory)
        runStart = CoreMetrics.Gauge(label: name("run_start_timestamp_seconds"), dimensions: labels, factory: factory)
    }

    public func runStarted(at date: Date) {
        runStart.record(date.timeIntervalSince1970)
    }

    /// One request's round trip; called by the workers, so it is the one per-request cost.
    public func recordRequest(seconds: Double) {
        guard seconds.isFinite, seconds >= 0 else { return }
        requestDuration.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// Brings the series up to `reading`. Counters only ever grow: a tally that went down (it
    /// cannot, but a clock or a bug could) is held, not subtracted.
    public func observe(_ reading: Reading) {
        let before = counted.withLock { counted in
            let before = counted
            counted.counts.merge(reading.counts) { Swift.max($0, $1) }
            counted.requests = Swift.max(counted.requests, reading.requests)
            counted.retries = Swift.max(counted.retries, reading.retries)
            counted.throttled = Swift.max(counted.throttled, reading.throttled)
            return before
        }
        for (status, counter) in rows {
            let added = (reading.counts[status] ?? 0) - (before.counts[status] ?? 0)
            if added > 0 { counter.increment(by: added) }
        }
        if reading.requests > before.requests { requests.increment(by: reading.requests - before.requests) }
        if reading.retries > before.retries { retries.increment(by: reading.retries - before.retries) }
        if reading.throttled > before.throttled { throttled.increment(by: reading.throttled - before.throttled) }
        pace.record(reading.pace ?? 0)
        inFlight.record(reading.inFlight)
    }

    /// The run's end: its exit code (made only now: a 0 while the run lasts would read as a
    /// success), and when this ledger's runs last ended with exit 0 (this
    /// run, or an earlier one: the series an alert on a stale nightly job watches must survive
    /// a failed night, whose exposition replaces the whole file or Pushgateway group).
    public func runEnded(exitCode code: Int32, lastSuccess: Date?) {
        CoreMetrics.Gauge(label: Self.namePrefix + "last_run_exit_code", dimensions: labels, factory: factory).record(Int64(code))
        inFlight.record(0)
        if let lastSuccess {
            CoreMetrics.Gauge(label: Self.namePrefix + "last_success_timestamp_seconds", dimensions: labels, factory: factory)
                .record(lastSuccess.timeIntervalSince1970)
        }
    }
}

extension RunProgress.Sources {
    /// The tallies the metrics are fed from: the recorder's counts, the limiter's pace and the
    /// pool's requests in flight, the same ones the progress line shows.
    func metricsReading() -> RunMetrics.Reading {
        let snapshot = recorder.snapshot()
        var reading = RunMetrics.Reading()
        reading.counts = snapshot.counts
        reading.requests = snapshot.requestsSent
        reading.retries = snapshot.retries
        reading.throttled = snapshot.throttled
        reading.pace = limiter.statistics.pace
        reading.inFlight = inFlight()
        return reading
    }
}
