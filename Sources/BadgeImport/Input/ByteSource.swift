#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CZlib
import Digest

/// Raw bytes of one input, in chunks, from a file descriptor (a file or stdin), inflated
/// when the input is gzip. Memory is two fixed buffers whatever the file size.
final class ByteSource {
    let path: String
    private let fd: Int32
    private let ownsDescriptor: Bool
    private(set) var bytesRead: Int64 = 0
    let totalBytes: Int64?
    private var inflater: Inflater?
    /// Compressed bytes waiting for the inflater (gzip inputs only).
    private var raw: UnsafeMutableRawBufferPointer
    private var atEOF = false
    /// SHA-256 of the raw bytes as they are read (stored form: compressed stays compressed), for
    /// an input that is read once and so cannot be hashed beforehand.
    private var hasher: SHA256?
    private var finalHash: String?
    /// The file as it was when opened (regular files only).
    let openedStamp: FileStamp?
    /// In-memory content (tests and the fuzz targets), instead of a file descriptor.
    private var memory: [UInt8]?
    private var memoryOffset = 0

    static let chunkSize = 256 * 1024

    /// - Parameter hashing: compute the SHA-256 of the bytes while reading (see `contentHash`).
    init(file: InputFile, hashing: Bool = false) throws(InputError) {
        path = file.path
        hasher = hashing ? SHA256() : nil
        if file.isStandardInput {
            fd = 0
            ownsDescriptor = false
            totalBytes = nil
            openedStamp = nil
        } else {
            let opened = open(file.path, O_RDONLY)
            guard opened >= 0 else { throw InputError.system(path: file.path, action: "cannot open", errno: errno) }
            var info = stat()
            guard fstat(opened, &info) == 0 else {
                let code = errno; close(opened)
                throw InputError.system(path: file.path, action: "cannot stat", errno: code)
            }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                close(opened)
                throw InputError(path: file.path, message: "is a directory, not a file")
            }
            fd = opened
            ownsDescriptor = true
            totalBytes = (info.st_mode & S_IFMT) == S_IFREG ? Int64(info.st_size) : nil
            openedStamp = (info.st_mode & S_IFMT) == S_IFREG ? FileStamp(info) : nil
        }
        raw = .allocate(byteCount: file.isGzip ? ByteSource.chunkSize : 0, alignment: 16)
        if file.isGzip {
            do { inflater = try Inflater(path: path) } catch { raw.deallocate(); if ownsDescriptor { close(fd) }; throw error }
        }
    }

    /// Reads `bytes` as if they were the file's content (inflated first when `gzip`).
    init(bytes: [UInt8], name: String, gzip: Bool = false, hashing: Bool = false) {
        path = name
        hasher = hashing ? SHA256() : nil
        openedStamp = nil
        fd = -1
        ownsDescriptor = false
        totalBytes = Int64(bytes.count)
        memory = bytes
        raw = .allocate(byteCount: gzip ? ByteSource.chunkSize : 0, alignment: 16)
        if gzip { inflater = try? Inflater(path: name) }
    }

    deinit {
        raw.deallocate()
        if ownsDescriptor { close(fd) }
    }

    /// SHA-256 (hex) of every byte of the input, once it has been read to its end; nil before,
    /// or when not hashing. Never the hash of a part: a read that stopped early has none.
    var contentHash: String? {
        if finalHash == nil, atEOF, var hasher {
            finalHash = hasher.finalizeHex()
            self.hasher = nil
        }
        return finalHash
    }

    /// The file as it is now (regular files only).
    func currentStamp() -> FileStamp? { fd >= 0 ? FileStamp.of(descriptor: fd) : nil }

    /// Fills `buffer` with the next bytes of content; 0 means end of input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        guard let inflater else { return try readRaw(into: buffer) }
        while true {
            if inflater.needsInput && !atEOF {
                let n = try readRaw(into: raw)
                if n == 0 { atEOF = true } else { inflater.supply(UnsafeRawBufferPointer(rebasing: raw[0..<n])) }
            }
            let produced = try inflater.inflate(into: buffer, atEOF: atEOF)
            if produced > 0 { return produced }
            if atEOF && inflater.needsInput { return 0 }
        }
    }

    private func readRaw(into buffer: UnsafeMutableRawBufferPointer) throws(InputError) -> Int {
        if atEOF { return 0 }
        if let memory {
            // Short, uneven reads on purpose: chunk boundaries land everywhere.
            let n = min(buffer.count, memory.count - memoryOffset, 1 + memoryOffset % 7919)
            if n == 0 { atEOF = true; return 0 }
            memory.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + memoryOffset, byteCount: n) }
            hasher?.update(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<n]))
            memoryOffset += n
            bytesRead += Int64(n)
            return n
        }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 {
                bytesRead += Int64(n)
                if n > 0 { hasher?.update(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<n])) }
                if n == 0 { atEOF = true }
                return n
            }
            if errno == EINTR { continue }
            throw InputError.system(path: path, action: "read failed", errno: errno)
        }
    }
}

/// zlib inflate with automatic gzip/zlib header detection (windowBits 15+32), handling
/// concatenated gzip members (what `cat a.gz b.gz` and parallel gzip tools produce).
private final class Inflater {
    private var stream = z_stream()
    private let path: String
    private var memberEnded = false
    private var sawData = false

    init(path: String) throws(InputError) {
        self.path = path
        let rc = czlib_inflate_init2(&stream, 15 + 32)
        guard rc == Z_OK else { throw InputError(path: path, message: "cannot start gzip decoder (zlib \(rc))") }
    }

    deinit { inflateEnd(&stream) }

    var needsInput: Bool { stream.avail_in == 0 }

    func supply(_ bytes: UnsafeRawBufferPointer) {
        stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(bytes.count)
        sawData = true
    }

    func inflate(into buffer: UnsafeMutableRawBufferPointer, atEOF: Bool) throws(InputError) -> Int {
        if stream.avail_in == 0 {
            if atEOF && sawData && !memberEnded {
                throw InputError(path: path, message: "truncated gzip data (unexpected end of file)")
            }
            return 0
        }
        if memberEnded {
            // More bytes after a complete member: another gzip member follows.
            inflateReset(&stream)
            memberEnded = false
        }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(buffer.count)
        let rc = CZlib.inflate(&stream, Z_NO_FLUSH)
        let produced = buffer.count - Int(stream.avail_out)
        switch rc {
        case Z_OK, Z_BUF_ERROR:
            return produced
        case Z_STREAM_END:
            memberEnded = true
            return produced
        default:
            let detail = stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"
            throw InputError(path: path, message: "corrupt gzip data (\(detail))")
        }
    }
}
