#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A temporary file of the duplicate check's spill: created in a directory of the caller's
/// choosing (next to the ledger, say) and unlinked at once, so it goes with the process however
/// that ends (a kill -9 leaves nothing behind). Appends go through a 64 KiB buffer; reads see
/// every appended byte, whether or not it has reached the file yet.
final class ScratchFile {
    let directory: String
    private let fd: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    private var flushed: Int64 = 0

    static let bufferSize = 64 * 1024

    init(directory: String) throws(InputError) {
        self.directory = directory
        var template = Array((directory + "/.badge-import-spill-XXXXXX").utf8CString)
        let opened = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard opened >= 0 else {
            throw InputError.system(path: directory, action: "cannot create a temporary file for the duplicate check", errno: errno)
        }
        _ = template.withUnsafeBufferPointer { unlink($0.baseAddress!) }
        fd = opened
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        close(fd)
    }

    /// Bytes appended so far.
    var size: Int64 { flushed + Int64(buffered) }

    func append(_ bytes: UnsafeRawBufferPointer) throws(InputError) {
        var rest = bytes
        while !rest.isEmpty {
            if buffered == Self.bufferSize { try flush() }
            let take = min(rest.count, Self.bufferSize - buffered)
            (buffer.baseAddress! + buffered).copyMemory(from: rest.baseAddress!, byteCount: take)
            buffered += take
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
        }
    }

    func append<T>(_ value: T) throws(InputError) {
        var value = value
        try withUnsafeBytes(of: &value) { (raw: UnsafeRawBufferPointer) throws(InputError) in try append(raw) }
    }

    func flush() throws(InputError) {
        var done = 0
        while done < buffered {
            let n = pwrite(fd, buffer.baseAddress! + done, buffered - done, off_t(flushed) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError.system(path: directory, action: "cannot write the duplicate check's temporary file", errno: errno)
            }
            done += n
        }
        flushed += Int64(buffered)
        buffered = 0
    }

    /// Fills `into` from `offset`; the range must have been appended.
    func read(at offset: Int64, into: UnsafeMutableRawBufferPointer) throws(InputError) {
        var done = 0
        // The part already in the file.
        while done < into.count && offset + Int64(done) < flushed {
            let want = min(into.count - done, Int(flushed - offset) - done)
            let n = pread(fd, into.baseAddress! + done, want, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError.system(path: directory, action: "cannot read the duplicate check's temporary file", errno: errno)
            }
            if n == 0 { throw InputError(path: directory, message: "the duplicate check's temporary file is shorter than written") }
            done += n
        }
        // The rest is still in the buffer.
        if done < into.count {
            let start = Int(offset + Int64(done) - flushed)
            precondition(start >= 0 && start + into.count - done <= buffered, "read past the end of a scratch file")
            (into.baseAddress! + done).copyMemory(from: buffer.baseAddress! + start, byteCount: into.count - done)
        }
    }
}
