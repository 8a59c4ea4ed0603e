import Synchronization

/// The one switch that stops a run: a signal, a refused credential, or the circuit breaker.
/// The first reason wins; everything that loops checks `isStopping` between rows and
/// before each retry wait.
public final class RunControl: Sendable {
    private let reason = Mutex<String?>(nil)
    /// Read by every worker for every row: an atomic load, so 32 workers do not queue on the
    /// mutex (measured: contended locks were a large share of the run's context switches).
    private let stopping = Atomic<Bool>(false)

    public init() {}

    public func stop(because why: String) {
        reason.withLock { if $0 == nil { $0 = why } }
        stopping.store(true, ordering: .releasing)
    }

    public var isStopping: Bool { stopping.load(ordering: .acquiring) }
    public var stopReason: String? { reason.withLock { $0 } }
}
