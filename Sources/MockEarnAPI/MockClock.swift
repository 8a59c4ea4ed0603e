import Foundation

/// Time as the mock sees it, injected so token expiry, the rate limit and date validation are
/// tested by moving a clock instead of sleeping. (Latency and slow answers use the event loop's
/// real timers: they exist to be felt by a client.)
public struct MockClock: Sendable {
    /// Seconds on a monotonic clock; only differences mean anything (rate limit).
    public var now: @Sendable () -> Double
    /// Wall-clock seconds since 1970 (token expiry, `expiresOn`, future-date check, missing dates).
    public var wallNow: @Sendable () -> Double

    public init(now: @escaping @Sendable () -> Double, wallNow: @escaping @Sendable () -> Double) {
        self.now = now
        self.wallNow = wallNow
    }

    /// The machine's clocks.
    public static let system = MockClock(
        now: {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        },
        wallNow: {
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
    )
}
