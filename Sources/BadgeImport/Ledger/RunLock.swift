import Foundation

/// The run lock: an exclusive, non-blocking `flock` held for as long as the ledger is open for
/// writing. The kernel drops it when the holder exits for any reason, SIGKILL included, so a
/// crash never leaves a stale lock behind. flock locks belong to the open file description, so
/// even two opens in one process conflict.
///
/// On Linux the lock is on the ledger file itself, that is on its inode: a symlink, a second
/// path to the same folder or a deleted helper file cannot let two runs work one ledger. Linux
/// keeps flock and POSIX (fcntl) locks apart, so SQLite's own locks on the same file are not
/// disturbed; the descriptor stays open until after SQLite has closed the file, because closing
/// any descriptor of a file drops the process's POSIX locks on it. (WAL needs shared memory and
/// so a local file system anyway; on NFS flock is emulated with fcntl and would collide.)
/// Elsewhere (macOS, where flock and fcntl locks share one table) it falls back to a sidecar
/// `<ledger>.lock`.
final class RunLock {
    let lockPath: String
    private var fd: Int32

    /// Takes the lock or fails at once; `ledgerPath` is the name the error reports.
    init(ledgerPath: String) throws(LedgerError) {
        #if os(Linux)
        lockPath = ledgerPath
        #else
        lockPath = ledgerPath + ".lock"
        #endif
        // CLOEXEC: a child process we spawn must not inherit, and so keep, the lock. Creating the
        // ledger here (empty) is what SQLite would do next anyway: an empty file is an empty database.
        fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LedgerError(.io("cannot open \(lockPath) to lock it: \(String(cString: strerror(errno)))"), path: ledgerPath)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = Self.holderPID(fd)
            Foundation.close(fd)
            if failure == EWOULDBLOCK || failure == EAGAIN { throw .locked(ledgerPath, holderPID: holder) }
            throw LedgerError(.io("cannot lock \(lockPath): \(String(cString: strerror(failure)))"), path: ledgerPath)
        }
        #if !os(Linux)
        // The holder's pid, for the message a second process prints; informative only.
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(fd, 0) == 0 { _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
        #endif
    }

    deinit { release() }

    /// Releases the lock. Call only after SQLite has closed the ledger (see the type's note).
    func release() {
        guard fd >= 0 else { return }
        Foundation.close(fd)
        fd = -1
    }

    /// Who holds the lock, for the message; nil when it cannot be told.
    private static func holderPID(_ fd: Int32) -> Int32? {
        #if os(Linux)
        // /proc/locks lists every flock with its holder's pid and the inode as MAJ:MIN:INODE.
        var info = stat()
        guard fstat(fd, &info) == 0,
              let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else { return nil }
        let major = (info.st_dev >> 8) & 0xfff, minor = (info.st_dev & 0xff) | ((info.st_dev >> 12) & 0xfff00)
        let inode = String(format: "%02x:%02x:%llu", major, minor, UInt64(info.st_ino))
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"; blocked waiters carry "->".
            guard fields.count >= 6, fields[1] == "FLOCK", !fields.contains("->"),
                  fields[5] == inode else { continue }
            return Int32(fields[4])
        }
        return nil
        #else
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 32, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
        #endif
    }
}
