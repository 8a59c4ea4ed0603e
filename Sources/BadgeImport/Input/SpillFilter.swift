/// A fixed-size Bloom filter over the spilled fingerprints, blocked to one 64-bit word a key (one
/// cache miss a lookup), so a row whose id was never spilled (nearly every row of a clean file)
/// does not touch the disk. It only ever says "maybe": a yes is checked against the runs and the
/// log. Its size never changes, so its false-positive rate grows with the ids spilled: about 0.1%
/// at 32 bits a key (4M ids in 16 MiB), 5% at 6 (20M); each false positive costs a few block reads.
struct SpillFilter {
    private var words: [UInt64]

    init(bytes: Int) {
        words = Array(repeating: 0, count: max(1, bytes / 8))
    }

    mutating func insert(_ fingerprint: UInt64) {
        let (index, mask) = place(fingerprint)
        words[index] |= mask
    }

    func mayContain(_ fingerprint: UInt64) -> Bool {
        let (index, mask) = place(fingerprint)
        return words[index] & mask == mask
    }

    /// The word (from the top bits, by multiply-shift) and four bits in it (from the low bits),
    /// of the fingerprint remixed so neither depends on how the memory table uses it.
    @inline(__always) private func place(_ fingerprint: UInt64) -> (Int, UInt64) {
        let h = DuplicateDetector.mix(fingerprint ^ 0x5851_F42D_4C95_7F2D)
        let index = Int(truncatingIfNeeded: h.multipliedFullWidth(by: UInt64(words.count)).high)
        let mask = (1 as UInt64) << (h & 63) | (1 as UInt64) << ((h >> 6) & 63)
            | (1 as UInt64) << ((h >> 12) & 63) | (1 as UInt64) << ((h >> 18) & 63)
        return (index, mask)
    }
}
