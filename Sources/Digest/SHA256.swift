#if canImport(CSHA256)
import CSHA256
#endif
/// SHA-256 (FIPS 180-4), streaming, written here rather than pulling in swift-crypto:
/// BoringSSL would add about a minute to every clean build, and the importer only needs
/// one hash. It works on UInt32 words straight out of an unsafe buffer, keeps the partial
/// block inline (no allocation per block or per update), and is checked against the NIST
/// vectors in SHA256Tests.
///
/// ```swift
/// var h = SHA256(); h.update(bytes); let digest = h.finalize()   // 32 bytes
/// SHA256.hex(digest)                                             // 64 lower-case hex chars
/// ```
public struct SHA256: Sendable {
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)
    /// The bytes of a partial block (the first 64 bytes of this 256-byte inline storage).
    private var pending = Block()
    private var pendingCount = 0
    private var totalBytes: UInt64 = 0

    public init() {}

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ text: String) {
        var text = text
        text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress, !bytes.isEmpty else { return }
        var remaining = bytes.count
        totalBytes &+= UInt64(remaining)
        // Top up a partial block first.
        if pendingCount > 0 {
            let take = min(64 - pendingCount, remaining)
            withUnsafeMutableBytes(of: &pending) { dst in
                dst.baseAddress!.advanced(by: pendingCount).copyMemory(from: p, byteCount: take)
            }
            pendingCount += take; p += take; remaining -= take
            if pendingCount < 64 { return }
            let block = pending
            withUnsafeBytes(of: block) { compress(UnsafeRawPointer($0.baseAddress!)) }
            pendingCount = 0
        }
        while remaining >= 64 {
            compress(p)
            p += 64; remaining -= 64
        }
        if remaining > 0 {
            withUnsafeMutableBytes(of: &pending) { dst in
                dst.baseAddress!.copyMemory(from: p, byteCount: remaining)
            }
            pendingCount = remaining
        }
    }

    /// The 32-byte digest. The hasher is spent afterwards (start a new one to hash again).
    public mutating func finalize() -> [UInt8] {
        finish()
        var out = [UInt8](repeating: 0, count: 32)
        out.withUnsafeMutableBufferPointer { storeDigest(into: $0.baseAddress!) }
        return out
    }

    /// The digest as 64 lower-case hex characters, without an intermediate array.
    public mutating func finalizeHex() -> String {
        finish()
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { digest in
            storeDigest(into: digest.baseAddress!)
            return SHA256.hex(UnsafeBufferPointer(digest))
        }
    }

    /// Appends the padding and length in place (no allocation) and compresses the last block(s).
    private mutating func finish() {
        let bitLength = totalBytes &* 8
        var block = pending
        let count = pendingCount
        withUnsafeMutableBytes(of: &block) { raw in
            let b = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
            b[count] = 0x80
            if count >= 56 {
                for k in (count + 1)..<64 { b[k] = 0 }
                compress(UnsafeRawPointer(b))
                for k in 0..<56 { b[k] = 0 }
            } else {
                for k in (count + 1)..<56 { b[k] = 0 }
            }
            for k in 0..<8 { b[56 + k] = UInt8(truncatingIfNeeded: bitLength >> UInt64(56 - 8 * k)) }
            compress(UnsafeRawPointer(b))
        }
        pendingCount = 0
    }

    private func storeDigest(into out: UnsafeMutablePointer<UInt8>) {
        var words = state
        withUnsafeBytes(of: &words) { raw in
            for i in 0..<8 {
                let word = raw.load(fromByteOffset: i * 4, as: UInt32.self)
                out[i * 4] = UInt8(truncatingIfNeeded: word >> 24)
                out[i * 4 + 1] = UInt8(truncatingIfNeeded: word >> 16)
                out[i * 4 + 2] = UInt8(truncatingIfNeeded: word >> 8)
                out[i * 4 + 3] = UInt8(truncatingIfNeeded: word)
            }
        }
    }

    /// One-shot convenience.
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var h = SHA256(); h.update(bytes); return h.finalize()
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex of a buffer (non-generic fast path).
    public static func hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let count = bytes.count * 2
        return String(unsafeUninitializedCapacity: count) { buffer in
            var i = 0
            for b in bytes {
                buffer[i] = hexDigit(b >> 4)
                buffer[i + 1] = hexDigit(b & 0x0f)
                i += 2
            }
            return count
        }
    }

    @inline(__always) private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }

    /// Lower-case hex of any bytes (a digest, or a prefix of one).
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        let count = bytes.count * 2
        return String(unsafeUninitializedCapacity: count) { buffer in
            var i = 0
            for b in bytes {
                buffer[i] = hexDigits[Int(b >> 4)]
                buffer[i + 1] = hexDigits[Int(b & 0x0f)]
                i += 2
            }
            return count
        }
    }

    @inline(__always) private mutating func compress(_ p: UnsafeRawPointer) {
        #if canImport(CSHA256)
        if SHA256.hardware {
            withUnsafeMutableBytes(of: &state) { words in
                csha256_compress(words.baseAddress!.assumingMemoryBound(to: UInt32.self), p.assumingMemoryBound(to: UInt8.self), 1)
            }
            return
        }
        #endif
        SHA256.compressBlock(p, &state)
    }

    #if canImport(CSHA256)
    /// The CPU has the SHA extensions: a constant of the machine, read once.
    static let hardware = csha256_available() != 0
    #endif
}

/// 64 bytes inline: a partial block.
private struct Block: Sendable {
    var w: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
}
