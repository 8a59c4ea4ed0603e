import Foundation

/// Time as the pipeline sees it: a monotonic clock, a way to wait, and the wall clock.
/// Injected everywhere time matters (backoff, rate limits, token expiry, circuit breaker)
/// so tests run those paths without real sleeps.
public struct Clock: Sendable {
    /// Seconds on a monotonic clock; only differences mean anything.
    public var now: @Sendable () -> Double
    /// Blocks the calling worker thread for the given seconds.
    public var sleep: @Sendable (Double) -> Void
    /// Wall-clock time, for timestamps in the ledger and reports and for date validation.
    public var wallNow: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Double,
                sleep: @escaping @Sendable (Double) -> Void,
                wallNow: @escaping @Sendable () -> Date) {
        self.now = now
        self.sleep = sleep
        self.wallNow = wallNow
    }

    /// The real clocks of the machine.
    public static let system = Clock(
        now: {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        },
        sleep: { seconds in
            guard seconds > 0 else { return }
            var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
            var remaining = timespec()
            while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
        },
        wallNow: { Date() }
    )
}

/// A source of randomness in [0, 1), injected so jittered backoff is reproducible in tests.
public struct RandomSource: Sendable {
    public var next: @Sendable () -> Double
    public init(next: @escaping @Sendable () -> Double) { self.next = next }
    public static let system = RandomSource { Double.random(in: 0..<1) }
}
