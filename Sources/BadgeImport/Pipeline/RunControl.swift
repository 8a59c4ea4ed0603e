import Synchronization

/// The one switch that stops a run: a signal, a refused credential, or the circuit breaker.
/// The first reason wins; everything that loops checks `isStopping` between rows and
/// before each retry wait.
public final class RunControl: Sendable {
    private let reason = Mutex<String?>(nil)

    public init() {}

    public func stop(because why: String) {
        reason.withLock { if $0 == nil { $0 = why } }
    }

    public var isStopping: Bool { reason.withLock { $0 != nil } }
    public var stopReason: String? { reason.withLock { $0 } }
}
