@testable import BadgeImport
import Foundation
import Testing

/// The run lock across open files and processes. Uses util-linux `flock(1)` as the other
/// process: it takes the same kind of lock (flock on the ledger file) that a second badge-import would.
@Suite struct LedgerLockTests {
    static let flockTool = "/usr/bin/flock"

    /// Runs `flock -n <lockfile> true`: exit 0 when the lock is free, 1 when someone holds it.
    private func probe(_ lockPath: String) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.flockTool)
        process.arguments = ["-n", lockPath, "true"]
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Opens once the lock is free. A process that a parallel test spawns holds a copy of every
    /// descriptor, this lock's too, for the moment between its fork and its exec.
    private func openWhenFree(_ path: String) throws -> Ledger {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if let ledger = try? Ledger(path: path) { return ledger }
            usleep(10_000)
        }
        return try Ledger(path: path)
    }

    @Test func secondOpenInTheSameProcessIsRefusedUntilTheFirstCloses() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("same.ledger")
        let first = try Ledger(path: path)
        #expect(throws: LedgerError.locked(path, holderPID: getpid())) { try Ledger(path: path) }
        let message = LedgerError.locked(path, holderPID: getpid()).description
        #expect(message.contains(path) && message.contains("in use"))
        first.close()
        try openWhenFree(path).close()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: flockTool)))
    func anotherProcessCannotTakeTheLockWhileALedgerIsOpen() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("held.ledger")
        let ledger = try Ledger(path: path)
        #expect(try probe(path) == 1)
        ledger.close()
        #expect(try probe(path) == 0)
    }

    @Test func anyNameOfTheLedgerFileMeetsTheSameLock() throws {
        // The lock belongs to the file (its inode), not to a name: a symlink, or a lock file
        // deleted under a running process, must not let a second run work the same ledger.
        let dir = LedgerTestDirectory()
        let path = dir.file("real.ledger")
        let first = try Ledger(path: path)
        try FileManager.default.createSymbolicLink(atPath: dir.file("link.ledger"), withDestinationPath: path)
        #expect(throws: LedgerError.locked(dir.file("link.ledger"), holderPID: getpid())) {
            try Ledger(path: dir.file("link.ledger"))
        }
        try? FileManager.default.removeItem(atPath: path + ".lock")
        #expect(throws: LedgerError.locked(path, holderPID: getpid())) { try Ledger(path: path) }
        first.close()
        let viaLink = try openWhenFree(dir.file("link.ledger"))
        #expect(throws: LedgerError.locked(path, holderPID: getpid())) { try Ledger(path: path) }
        viaLink.close()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: flockTool)))
    func lockHeldByAnotherProcessIsRefusedAndFreedWhenItIsKilled() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("shared.ledger")
        try Ledger(path: path).close()
        // One child process: a shell opens the lock file as fd 9, flock(1) locks that open file
        // description, then the shell becomes `cat` (exec), which keeps fd 9 and so the lock.
        // SIGKILL to it is the holder dying; without the kill, cat ends when its stdin closes.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "exec 9>>\"$0\" && \(Self.flockTool) -x 9 && exec cat", path]
        let stdin = Pipe()
        child.standardInput = stdin
        try child.run()
        defer { try? stdin.fileHandleForWriting.close() }   // also ends `cat` if an expectation fails early

        // Wait until the child holds it (a successful open of ours means not yet: let go, retry).
        let deadline = Date().addingTimeInterval(10)
        var refused: LedgerError?
        while refused == nil && Date() < deadline {
            do {
                try Ledger(path: path).close()
                usleep(10_000)
            } catch {
                refused = error
            }
        }
        let error = try #require(refused)
        guard case .locked = error.kind else { Issue.record("expected a lock conflict, got \(error)"); return }
        #expect(error.path == path)
        let reader = try Ledger.openForReading(path: path)   // reading needs no lock
        #expect(try reader.status().runs.isEmpty)
        reader.close()

        kill(child.processIdentifier, SIGKILL)
        // The kernel frees the lock as the holder dies; allow a moment for the kill to land.
        var ledger: Ledger?
        let killDeadline = Date().addingTimeInterval(10)
        while ledger == nil && Date() < killDeadline {
            do { ledger = try Ledger(path: path) } catch { usleep(10_000) }
        }
        try stdin.fileHandleForWriting.close()
        child.waitUntilExit()
        #expect(child.terminationReason == .uncaughtSignal)
        let reopened = try #require(ledger, "the lock was not released after SIGKILL")
        #expect(try probe(path) == 1)
        reopened.close()
    }
}
