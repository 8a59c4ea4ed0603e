/// Finds a requestId seen earlier in this input (duplicate-in-input), across all files of a
/// run, in compact memory: the only structure that grows with the row count.
///
/// Each requestId is reduced to a 64-bit fingerprint: its UTF-8 bytes, 8 at a time, chained
/// through SplitMix64's bijective finaliser (seeded with the length). Cheaper than a second
/// SHA-256 per row, and structured ids cannot collide by construction when they differ only
/// in their last word (`000…0001` and `000…0002`, `order-17` and `order-18`); otherwise two
/// distinct ids share a fingerprint with probability about 2⁻⁶⁴ (not meant to resist someone
/// crafting collisions in their own input: that would only skip their own row). Fingerprints live in 64 open-addressing shards (linear probing,
/// load <= 0.85, each grown by 1.35x on its own, so a resize never holds two copies of the
/// whole table), with a parallel array of the first occurrence's line and, only once a
/// second input appears, its input index. 12 bytes per slot, about 14.5 MB per million ids
/// (measured: peak RSS of `validate` on 1M rows is 15.5 MB above the 10k-row run).
/// Over a whole input, some two of n distinct ids share a fingerprint with probability about
/// n²/2⁶⁵ (3e-8 at a million rows): the accepted cost of not keeping every id.
public struct DuplicateDetector: Sendable {
    private struct Shard: Sendable {
        var fingerprints: [UInt64]
        var lines: [UInt32]
        var sourceIndexes: [UInt16] = []
        var count = 0

        init(capacity: Int, withSources: Bool) {
            fingerprints = Array(repeating: 0, count: capacity)
            lines = Array(repeating: 0, count: capacity)
            if withSources { sourceIndexes = Array(repeating: 0, count: capacity) }
        }

        @inline(__always) static func home(_ fp: UInt64, _ capacity: Int) -> Int {
            // The top bits chose the shard; spread the rest over the slots (multiply-shift).
            Int(truncatingIfNeeded: (fp &<< DuplicateDetector.shardBits).multipliedFullWidth(by: UInt64(capacity)).high)
        }

        /// The slot holding `fp`, or the empty slot where it belongs.
        @inline(__always) func find(_ fp: UInt64) -> (slot: Int, found: Bool) {
            let capacity = fingerprints.count
            var slot = Shard.home(fp, capacity)
            while true {
                let existing = fingerprints[slot]
                if existing == fp { return (slot, true) }
                if existing == 0 { return (slot, false) }
                slot += 1
                if slot == capacity { slot = 0 }
            }
        }

        mutating func grow() {
            let newCapacity = fingerprints.count + fingerprints.count * 35 / 100
            var bigger = Shard(capacity: newCapacity, withSources: !sourceIndexes.isEmpty)
            for old in 0..<fingerprints.count where fingerprints[old] != 0 {
                let slot = bigger.find(fingerprints[old]).slot
                bigger.fingerprints[slot] = fingerprints[old]
                bigger.lines[slot] = lines[old]
                if !sourceIndexes.isEmpty { bigger.sourceIndexes[slot] = sourceIndexes[old] }
            }
            bigger.count = count
            self = bigger
        }
    }

    static let shardBits: UInt64 = 6
    private var shards: [Shard]
    private var sources: [String] = []
    private var sourceIndex: [String: Int] = [:]
    /// Distinct requestIds remembered so far.
    public private(set) var count = 0

    public init() {
        shards = Array(repeating: Shard(capacity: 64, withSources: false), count: 1 << Int(DuplicateDetector.shardBits))
    }

    /// nil the first time an id is seen (and it is remembered); otherwise where it was first seen.
    public mutating func firstOccurrence(of requestId: String, source: String, line: Int) -> (source: String, line: Int)? {
        let fp = DuplicateDetector.fingerprint(requestId)
        let s = index(of: source)
        let shardIndex = Int(truncatingIfNeeded: fp >> (64 - DuplicateDetector.shardBits))
        let hit = shards[shardIndex].find(fp)
        if hit.found {
            let shard = shards[shardIndex]
            let first = shard.sourceIndexes.isEmpty ? 0 : Int(shard.sourceIndexes[hit.slot])
            return (sources[first], Int(shard.lines[hit.slot]))
        }
        shards[shardIndex].fingerprints[hit.slot] = fp
        shards[shardIndex].lines[hit.slot] = UInt32(clamping: line)
        if !shards[shardIndex].sourceIndexes.isEmpty { shards[shardIndex].sourceIndexes[hit.slot] = UInt16(clamping: s) }
        shards[shardIndex].count += 1
        count += 1
        if shards[shardIndex].count * 100 > shards[shardIndex].fingerprints.count * 85 { shards[shardIndex].grow() }
        return nil
    }

    private mutating func index(of source: String) -> Int {
        if let last = sources.last, last == source { return sources.count - 1 }
        if let known = sourceIndex[source] { return known }
        sources.append(source)
        sourceIndex[source] = sources.count - 1
        if sources.count == 2 {
            for k in shards.indices { shards[k].sourceIndexes = Array(repeating: 0, count: shards[k].fingerprints.count) }
        }
        return sources.count - 1
    }

    static func fingerprint(_ requestId: String) -> UInt64 {
        var id = requestId
        let fp: UInt64 = id.withUTF8 { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            var h = mix(UInt64(raw.count) &* 0x9E37_79B9_7F4A_7C15)
            var offset = 0
            while offset + 8 <= raw.count {
                h = mix(h ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                offset += 8
            }
            if offset < raw.count {
                var tail: UInt64 = 0
                for k in offset..<raw.count { tail |= UInt64(raw[k]) << (8 * UInt64(k - offset)) }
                h = mix(h ^ tail)
            }
            return h
        }
        return fp == 0 ? 1 : fp // 0 marks an empty slot
    }

    /// SplitMix64's finaliser: a bijection on 64 bits with full avalanche.
    @inline(__always) private static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
