import Testing
@testable import BadgeImport
@testable import Digest
import CSHA256

/// NIST FIPS 180-4 / CAVP example vectors.
struct IdentitySHA256Tests {
    private func hex(_ bytes: [UInt8]) -> String { SHA256.hex(SHA256.digest(bytes)) }

    /// Both block functions, the Swift one and the SHA-NI one (where the CPU has it), give the
    /// same state for the same blocks: the vectors above only exercise the one in use.
    @Test func swiftAndHardwareBlockFunctionsAgree() {
        var random = SplitMix64ForTests(seed: 7)
        let blocks = (0..<64 * 50).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        var software: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
            (0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)
        var hardware = software
        blocks.withUnsafeBytes { raw in
            for k in 0..<50 { SHA256.compressBlock(raw.baseAddress! + 64 * k, &software) }
            guard SHA256.hardware else { return }
            withUnsafeMutableBytes(of: &hardware) { words in
                csha256_compress(words.baseAddress!.assumingMemoryBound(to: UInt32.self),
                                 raw.baseAddress!.assumingMemoryBound(to: UInt8.self), 50)
            }
        }
        let words = { (state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)) in
            withUnsafeBytes(of: state) { Array($0.bindMemory(to: UInt32.self)) }
        }
        if SHA256.hardware { #expect(words(software) == words(hardware)) }
        #expect(words(software)[0] != 0x6a09_e667)
    }

    @Test func emptyMessage() {
        #expect(hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func abc() {
        #expect(hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func twoBlockMessage() {
        #expect(hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func longTwoBlockMessage() {
        let text = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        #expect(hex(Array(text.utf8)) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func oneMillionA() {
        var h = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { h.update(chunk) }
        #expect(SHA256.hex(h.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// Splitting the input at every possible point gives the same digest as one update:
    /// exercises the partial-block buffering across the 55/56/63/64-byte boundaries.
    @Test func streamingSplitsMatchOneShot() {
        let message = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for length in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200] {
            let part = Array(message[0..<length])
            let expected = SHA256.digest(part)
            for split in 0...length {
                var h = SHA256()
                h.update(Array(part[0..<split]))
                h.update(Array(part[split...]))
                #expect(h.finalize() == expected, "length \(length) split \(split)")
            }
        }
    }

    @Test func hexIsLowerCase() {
        #expect(SHA256.hex([0x00, 0xAB, 0xFF, 0x10]) == "00abff10")
    }
}

/// SplitMix64, for test data.
private struct SplitMix64ForTests {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
