#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every distinct requestId of a scan with where it was first seen, appended to a scratch file:
/// what confirms a fingerprint match, so the duplicate check is exact with only fingerprints in
/// memory. A record is 16 bytes of header (line, source index, length) and the id: a derived
/// id (64 lower-case hex characters) packed to its 32 bytes, anything else as its UTF-8.
final class RequestIdLog {
    private let file: ScratchFile
    /// Room for reading one record's id back (grown for a long given id).
    private var readBuffer: UnsafeMutableRawBufferPointer
    private var encodeBuffer: UnsafeMutableRawBufferPointer

    static let headerBytes = 16
    private static let packedFlag: UInt32 = 0x8000_0000

    init(directory: String) throws(InputError) {
        file = try ScratchFile(directory: directory)
        readBuffer = .allocate(byteCount: 256, alignment: 8)
        encodeBuffer = .allocate(byteCount: 256, alignment: 8)
    }

    deinit {
        readBuffer.deallocate()
        encodeBuffer.deallocate()
    }

    /// Bytes written so far (for the tests and the README's disk figures).
    var size: Int64 { file.size }

    /// Appends `requestId`; returns its record's offset.
    func append(_ requestId: String, source: Int, line: Int) throws(InputError) -> Int64 {
        let offset = file.size
        let encoded = encode(requestId)
        try file.append(UInt64(clamping: line))
        try file.append(UInt32(clamping: source))
        try file.append(encoded.tag)
        try file.append(UnsafeRawBufferPointer(rebasing: encodeBuffer[0..<encoded.count]))
        return offset
    }

    /// Where the record at `offset` was seen, when it holds exactly `requestId`; nil otherwise.
    func firstSeen(at offset: Int64, ifItIs requestId: String) throws(InputError) -> (source: Int, line: Int)? {
        let encoded = encode(requestId)
        let total = Self.headerBytes + encoded.count
        if readBuffer.count < total {
            readBuffer.deallocate()
            readBuffer = .allocate(byteCount: total, alignment: 8)
        }
        let header = UnsafeMutableRawBufferPointer(rebasing: readBuffer[0..<Self.headerBytes])
        try file.read(at: offset, into: header)
        guard header.loadUnaligned(fromByteOffset: 12, as: UInt32.self) == encoded.tag else { return nil }
        let body = UnsafeMutableRawBufferPointer(rebasing: readBuffer[Self.headerBytes..<total])
        try file.read(at: offset + Int64(Self.headerBytes), into: body)
        guard memcmp(body.baseAddress!, encodeBuffer.baseAddress!, encoded.count) == 0 else { return nil }
        return (Int(header.loadUnaligned(fromByteOffset: 8, as: UInt32.self)),
                Int(header.loadUnaligned(fromByteOffset: 0, as: UInt64.self)))
    }

    /// The id's stored form in `encodeBuffer`: its byte count, and a tag (the length, with the
    /// top bit set when packed) that differs whenever the stored forms cannot be equal.
    private func encode(_ requestId: String) -> (count: Int, tag: UInt32) {
        var id = requestId
        return id.withUTF8 { utf8 -> (count: Int, tag: UInt32) in
            if utf8.count == 64, Self.pack(utf8, into: encodeBuffer.baseAddress!.assumingMemoryBound(to: UInt8.self)) {
                return (32, Self.packedFlag | 32)
            }
            if encodeBuffer.count < utf8.count {
                encodeBuffer.deallocate()
                encodeBuffer = .allocate(byteCount: utf8.count, alignment: 8)
            }
            if utf8.count > 0 { encodeBuffer.baseAddress!.copyMemory(from: utf8.baseAddress!, byteCount: utf8.count) }
            return (utf8.count, UInt32(utf8.count))
        }
    }

    /// 64 lower-case hex characters to 32 bytes; false (and nothing meaningful written) otherwise.
    /// Upper-case hex is not packed: "AB" and "ab" are different requestIds. Branch-free through
    /// a table (an invalid character has the top bit set): this runs once per row.
    private static func pack(_ hex: UnsafeBufferPointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) -> Bool {
        nibbles.withUnsafeBufferPointer { table -> Bool in
            var bad: UInt8 = 0
            for k in 0..<32 {
                let high = table[Int(hex[2 * k])], low = table[Int(hex[2 * k + 1])]
                bad |= high | low
                out[k] = high << 4 | (low & 0x0F)
            }
            return bad & 0x80 == 0
        }
    }

    /// Each byte's value as a lower-case hex digit, or 0x80.
    private static let nibbles: [UInt8] = (0..<256).map { c in
        switch UInt8(c) {
        case 0x30...0x39: return UInt8(c) - 0x30
        case 0x61...0x66: return UInt8(c) - 0x61 + 10
        default: return 0x80
        }
    }
}
