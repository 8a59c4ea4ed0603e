#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into physical lines (LF, with a trailing CR dropped), streaming.
/// A line longer than `maxLineBytes` is cut there and flagged, and the rest of it skipped,
/// so memory stays bounded whatever the input.
final class JSONLLineReader {
    static let maxLineBytes = 1 << 20

    private let source: ByteSource
    private let chunk: UnsafeMutableRawBufferPointer
    private var pos = 0
    private var end = 0
    private var finished = false
    private var lineBuffer: [UInt8] = []
    private(set) var lineNumber = 0
    /// The line last handed to `nextLine`'s body ended at the end of the input, with no LF.
    private(set) var lastLineUnterminated = false

    init(source: ByteSource) {
        self.source = source
        chunk = .allocate(byteCount: ByteSource.chunkSize, alignment: 16)
        lineBuffer.reserveCapacity(4096)
    }

    deinit { chunk.deallocate() }

    /// Calls `body` with the next line's bytes (valid only during the call) and whether it
    /// was cut; returns nil at end of input.
    func nextLine<T>(_ body: (_ line: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ tooLong: Bool) -> T) throws(InputError) -> T? {
        lineBuffer.removeAll(keepingCapacity: true)
        var tooLong = false
        var any = false
        var sawLF = false
        while true {
            if pos == end {
                if finished { break }
                pos = 0
                end = try source.read(into: chunk)
                if end == 0 { finished = true; break }
            }
            let base = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let start = base + pos
            let found = memchrLF(start, end - pos)
            let length = found ?? (end - pos)
            any = true
            if lineBuffer.isEmpty && !tooLong, found != nil {
                // Whole line inside the chunk: no copy.
                pos += length + 1
                lineNumber += 1
                lastLineUnterminated = false
                var count = length
                if count > 0 && start[count - 1] == 0x0D { count -= 1 }
                if count > JSONLLineReader.maxLineBytes { count = JSONLLineReader.maxLineBytes; tooLong = true }
                return body(lineNumber, UnsafeBufferPointer(start: start, count: count), tooLong)
            }
            let room = JSONLLineReader.maxLineBytes + 1 - lineBuffer.count
            if length > room { tooLong = true }
            if room > 0 { lineBuffer.append(contentsOf: UnsafeBufferPointer(start: start, count: min(length, room))) }
            pos += length
            if found != nil { pos += 1; sawLF = true; break }
        }
        if !any { return nil }
        lineNumber += 1
        lastLineUnterminated = !sawLF
        if lineBuffer.last == 0x0D { lineBuffer.removeLast() }
        if lineBuffer.count > JSONLLineReader.maxLineBytes { lineBuffer.removeLast(lineBuffer.count - JSONLLineReader.maxLineBytes); tooLong = true }
        return lineBuffer.withUnsafeBufferPointer { body(lineNumber, $0, tooLong) }
    }

    var bytesRead: Int64 { source.bytesRead }

    @inline(__always) private func memchrLF(_ p: UnsafeMutablePointer<UInt8>, _ n: Int) -> Int? {
        guard n > 0, let hit = memchr(p, 0x0A, n) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(p)
    }
}
