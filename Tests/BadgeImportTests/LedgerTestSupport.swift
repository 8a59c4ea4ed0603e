@testable import BadgeImport
import Foundation

/// A fresh temporary directory per test (tests run in parallel), removed when dropped.
final class LedgerTestDirectory {
    let path: String

    init() {
        let base = FileManager.default.temporaryDirectory.path
        path = "\(base)/ledger-tests-\(getpid())-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { "\(path)/\(name)" }
}

/// A wall clock that the test sets; monotonic time and sleep are unused by the ledger.
final class LedgerTestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date) { current = start }
    var now: Date {
        get { lock.lock(); defer { lock.unlock() }; return current }
        set { lock.lock(); current = newValue; lock.unlock() }
    }
    var clock: Clock {
        Clock(now: { 0 }, sleep: { _ in }, wallNow: { [self] in now })
    }
}

func sampleEntry(_ id: String, status: RowStatus = .earned, attempts: Int = 1, line: Int = 2) -> LedgerEntry {
    LedgerEntry(requestId: id, status: status, attempts: attempts,
                httpStatus: status == .earned ? 200 : nil,
                earnedBadgeId: status == .earned ? "66da90618bdb494a4f065774" : nil,
                source: "drop.csv", line: line, badgeMetaId: "66da90348bdb494a4f06576f", customerId: 11231)
}

func sampleStart(_ inputs: [RunInput] = [], options: [String: String] = [:]) -> RunStart {
    RunStart(startedAt: Date(timeIntervalSince1970: 1_780_000_000), inputs: inputs, options: options,
             toolVersion: "0.1.0-test")
}
