import Synchronization

/// The run's bulk size: `--bulk-size` at first, halved for the rest of the run each time the
/// server says a batch had too many customers. Read by the planner's grouper, lowered by the
/// workers, so an atomic.
final class BulkLimit: Sendable {
    let initial: Int
    private let size: Atomic<Int>
    /// "100 -> 50: <the server's message>", one per halving, for the log and the summary.
    private let halvings = Mutex<[String]>([])

    init(_ initial: Int) {
        self.initial = max(1, initial)
        size = Atomic(self.initial)
    }

    var current: Int { size.load(ordering: .relaxed) }

    /// After a refused batch of `refused` customers: halves the size (never under 1) unless it
    /// is below the refused batch already (another refusal halved it since that batch was
    /// formed). Returns the size to resend with and, when this call lowered it, the note to log.
    func halve(below refused: Int, because message: String) -> (size: Int, note: String?) {
        while true {
            let now = size.load(ordering: .relaxed)
            guard refused <= now else { return (now, nil) }
            let target = max(1, now / 2)
            if size.compareExchange(expected: now, desired: target, ordering: .relaxed).exchanged {
                let note = "\(now) -> \(target): \(message)"
                halvings.withLock { $0.append(note) }
                return (target, note)
            }
        }
    }

    var notes: [String] { halvings.withLock { $0 } }
}
