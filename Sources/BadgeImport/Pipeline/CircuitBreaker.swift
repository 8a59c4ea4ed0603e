import Synchronization

/// Stops a run when the service has kept failing for longer than `window` seconds with no
/// answer that shows it working. Without it a dead endpoint burns through the whole file,
/// each row waiting out its retries, and the ledger fills with failures that say nothing new.
/// Any definite answer (earned, duplicate, rejected) closes it again. The workers' senders
/// tell it of every attempt as it ends (`AttemptObserver`), so the window starts at the first
/// failed attempt, not when a row has run out of attempts.
public final class CircuitBreaker: AttemptObserver {
    private let window: Double
    private let clock: Clock
    /// When the current run of failures began (a Double's bit pattern), or `answering` while the
    /// service answers. Atomic rather than a mutex: every worker notes every answer.
    private let failingSince = Atomic<UInt64>(CircuitBreaker.answering)
    /// A NaN pattern: never the bits of a clock reading.
    private static let answering = UInt64.max

    public init(window: Double, clock: Clock) {
        self.window = window
        self.clock = clock
    }

    public func noteAnswer() {
        // A plain load first: the common case (already answering) then writes nothing, so the
        // workers do not bounce the cache line between cores.
        if failingSince.load(ordering: .relaxed) != Self.answering {
            failingSince.store(Self.answering, ordering: .relaxed)
        }
    }

    /// The window starts when the first failure of a run of failures is noted, that is when the
    /// failed attempt ended (a timed-out attempt counts from its timeout, not its start).
    public func noteFailure() {
        let now = clock.now()
        _ = failingSince.compareExchange(expected: Self.answering, desired: now.bitPattern, ordering: .relaxed)
    }

    /// True once failures have lasted longer than the window.
    public var isOpen: Bool {
        guard window > 0 else { return false }
        let bits = failingSince.load(ordering: .relaxed)
        guard bits != Self.answering else { return false }
        return clock.now() - Double(bitPattern: bits) > window
    }
}
