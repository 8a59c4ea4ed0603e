import Synchronization

/// Stops a run when the service has kept failing for longer than `window` seconds with no
/// answer that shows it working. Without it a dead endpoint burns through the whole file,
/// each row waiting out its retries, and the ledger fills with failures that say nothing new.
/// Any definite answer (earned, duplicate, rejected) closes it again.
public final class CircuitBreaker: Sendable {
    private let window: Double
    private let clock: Clock
    /// When the current run of failures began; nil while the service answers.
    private let failingSince = Mutex<Double?>(nil)

    public init(window: Double, clock: Clock) {
        self.window = window
        self.clock = clock
    }

    public func noteAnswer() {
        failingSince.withLock { $0 = nil }
    }

    public func noteFailure() {
        let now = clock.now()
        failingSince.withLock { if $0 == nil { $0 = now } }
    }

    /// True once failures have lasted longer than the window.
    public var isOpen: Bool {
        guard window > 0 else { return false }
        let now = clock.now()
        return failingSince.withLock { since in since.map { now - $0 > window } ?? false }
    }
}
