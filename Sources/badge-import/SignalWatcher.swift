import Dispatch
import Foundation
import Synchronization

/// SIGINT and SIGTERM ask the run to stop gracefully (finish requests in flight, flush the
/// ledger, write the report, exit 3). A second signal exits at once: the ledger is safe
/// against that too, since anything not yet recorded is resent next time and answered 809.
final class SignalWatcher {
    private let sources: [any DispatchSourceSignal]

    /// Signals seen so far, shared by the handlers (which run on Dispatch's threads).
    private final class Count: Sendable { let seen = Atomic<Int>(0) }

    init(onFirst: @escaping @Sendable (String) -> Void) {
        let count = Count()
        var sources: [any DispatchSourceSignal] = []
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if count.seen.add(1, ordering: .relaxed).newValue == 1 {
                    onFirst(name)
                } else {
                    FileHandle.standardError.write(Data("\nbadge-import: \(name) again, exiting now\n".utf8))
                    _exit(3)
                }
            }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
