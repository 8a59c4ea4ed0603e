/// The run's counters: cumulative in a sample of a running run, deltas in a timeline point.
/// `inFlight` is a gauge either way (requests on the wire at that moment).
public struct RunCounters: Codable, Sendable, Equatable {
    public var completed = 0
    public var earned = 0
    public var duplicate = 0
    public var rejected = 0
    public var failed = 0
    public var requests = 0
    public var retries = 0
    public var throttled = 0
    public var inFlight = 0

    public static let zero = RunCounters()

    /// Counts added up field by field; `inFlight` is combined by `gauge` (the later sample, or a
    /// sum across shards).
    func combined(with other: RunCounters, gauge: (Int, Int) -> Int, counts: (Int, Int) -> Int) -> RunCounters {
        RunCounters(completed: counts(completed, other.completed), earned: counts(earned, other.earned),
                    duplicate: counts(duplicate, other.duplicate), rejected: counts(rejected, other.rejected),
                    failed: counts(failed, other.failed), requests: counts(requests, other.requests),
                    retries: counts(retries, other.retries), throttled: counts(throttled, other.throttled),
                    inFlight: gauge(inFlight, other.inFlight))
    }
}
