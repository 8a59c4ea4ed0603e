import Foundation

/// The run lock: an exclusive, non-blocking `flock` on `<ledger>.lock`, held for as long as
/// the ledger is open for writing. The kernel drops it when the holder exits for any reason,
/// SIGKILL included, so a crash never leaves a stale lock behind. A separate file (not the
/// database itself) keeps it clear of SQLite's own POSIX locks, which NFS would confuse with flock.
/// flock locks belong to the open file description, so even two opens in one process conflict.
final class RunLock {
    let lockPath: String
    private var fd: Int32

    /// Takes the lock or fails at once; `ledgerPath` is the name the error reports.
    init(ledgerPath: String) throws(LedgerError) {
        lockPath = ledgerPath + ".lock"
        // CLOEXEC: a child process we spawn must not inherit, and so keep, the lock.
        fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LedgerError(.io("cannot open lock file \(lockPath): \(String(cString: strerror(errno)))"), path: ledgerPath)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = Self.readPID(fd)
            Foundation.close(fd)
            if failure == EWOULDBLOCK || failure == EAGAIN { throw .locked(ledgerPath, holderPID: holder) }
            throw LedgerError(.io("cannot lock \(lockPath): \(String(cString: strerror(failure)))"), path: ledgerPath)
        }
        // The holder's pid, for the message a second process prints; informative only.
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 { _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
    }

    deinit { release() }

    func release() {
        guard fd >= 0 else { return }
        // Closing the descriptor releases the flock; the file stays (removing it would race
        // with a process that has just opened it).
        Foundation.close(fd)
        fd = -1
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 32, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }
}
