import Dispatch
import Foundation

/// SIGINT and SIGTERM ask the run to stop gracefully (finish requests in flight, flush the
/// ledger, write the report, exit 3). A second signal exits at once: the ledger is safe
/// against that too, since anything not yet recorded is resent next time and answered 809.
final class SignalWatcher: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var seen = 0

    init(onFirst: @escaping @Sendable (String) -> Void) {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                let count = self.lock.withLock { () -> Int in self.seen += 1; return self.seen }
                if count == 1 {
                    onFirst(name)
                } else {
                    FileHandle.standardError.write(Data("\nbadge-import: \(name) again, exiting now\n".utf8))
                    _exit(3)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
