#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds a requestId seen earlier in this input (duplicate-in-input), across all files of a
/// run, exactly and within a fixed memory budget whatever the number of rows.
///
/// - Every distinct id is appended, with where it was first seen, to a log in a scratch file
///   (`RequestIdLog`, about 48 bytes a derived id) in `directory`: next to the ledger for `run`,
///   the report directory or the temporary directory for `validate`. Unlinked at creation, so
///   nothing is left behind.
/// - In memory: a 64-bit fingerprint of each recent id and its log offset (16 bytes a slot, in
///   64 open-addressing shards), up to half the budget. A fingerprint match is only ever a
///   candidate: the id in the log decides, so two ids sharing a fingerprint are still two ids.
/// - When the table is full, its pairs are sorted and spilled to a run on disk (`SpilledRuns`)
///   and their fingerprints set in a fixed-size Bloom filter (`SpillFilter`, the other half of
///   the budget). An id the filter has never seen (nearly every id of a clean file) is new
///   without touching the disk; a "maybe" is settled by the runs and the log.
///
/// So: a duplicate is never let through and a unique id never dropped; memory is the budget
/// plus 8 bytes per 16 KiB of spilled run; only the time of a lookup grows (slowly) with size.
public final class DuplicateDetector {
    /// 32 MiB: under it a file of about 890,000 distinct ids is checked without spilling.
    public static let defaultMemoryBudget = 32 << 20
    /// Below this the table would spill every few thousand rows.
    public static let minimumMemoryBudget = 4 << 20

    private struct Slot {
        var fingerprint: UInt64   // 0: empty
        var offset: Int64
    }

    private struct Shard {
        var slots: [Slot]
        var count = 0

        init(capacity: Int) { slots = Array(repeating: Slot(fingerprint: 0, offset: 0), count: capacity) }

        @inline(__always) static func home(_ fp: UInt64, _ capacity: Int) -> Int {
            // The top bits chose the shard; spread the rest over the slots (multiply-shift).
            Int(truncatingIfNeeded: (fp &<< DuplicateDetector.shardBits).multipliedFullWidth(by: UInt64(capacity)).high)
        }

        mutating func grow(to capacity: Int) {
            var bigger = Shard(capacity: capacity)
            for slot in slots where slot.fingerprint != 0 {
                var k = Shard.home(slot.fingerprint, capacity)
                while bigger.slots[k].fingerprint != 0 { k = k + 1 == capacity ? 0 : k + 1 }
                bigger.slots[k] = slot
            }
            bigger.count = count
            self = bigger
        }
    }

    static let shardBits: UInt64 = 6
    private static let shardCount = 1 << Int(shardBits)
    private static let initialShardCapacity = 64

    private let directory: String
    /// Tests narrow the fingerprints to force collisions; all ones otherwise.
    private let fingerprintMask: UInt64
    private let maxShardCapacity: Int
    private let filterBytes: Int
    private var shards: [Shard]
    private var log: RequestIdLog?
    private var runs: SpilledRuns?
    private var filter: SpillFilter?
    private var sources: [String] = []
    private var sourceIndex: [String: Int] = [:]
    /// Distinct requestIds remembered so far.
    public private(set) var count = 0
    /// Times the table was spilled to disk (for tests and the benchmark's notes).
    public private(set) var spills = 0

    /// - Parameters:
    ///   - memoryBudget: bytes for the table and the filter together (see `defaultMemoryBudget`).
    ///   - directory: where the scratch files go; created on the first id.
    public convenience init(memoryBudget: Int = DuplicateDetector.defaultMemoryBudget,
                            directory: String = DuplicateDetector.temporaryDirectory) {
        self.init(memoryBudget: memoryBudget, directory: directory, fingerprintMask: ~0)
    }

    init(memoryBudget: Int, directory: String, fingerprintMask: UInt64) {
        self.directory = directory
        self.fingerprintMask = fingerprintMask
        let budget = max(memoryBudget, 1 << 16)
        maxShardCapacity = max(Self.initialShardCapacity, budget / 2 / MemoryLayout<Slot>.stride / Self.shardCount)
        filterBytes = budget / 2
        shards = Array(repeating: Shard(capacity: Self.initialShardCapacity), count: Self.shardCount)
    }

    /// `$TMPDIR`, else /tmp.
    public static var temporaryDirectory: String {
        if let tmp = getenv("TMPDIR"), tmp.pointee != 0 { return String(cString: tmp) }
        return "/tmp"
    }

    /// nil the first time an id is seen (and it is remembered); otherwise where it was first seen.
    /// Throws when the scratch files cannot be written or read (a full disk): the caller must
    /// stop rather than guess.
    public func firstOccurrence(of requestId: String, source: String, line: Int) throws(InputError) -> (source: String, line: Int)? {
        let masked = Self.fingerprint(requestId) & fingerprintMask
        let fp = masked == 0 ? 1 : masked
        let log = try openLog()
        let shardIndex = Int(truncatingIfNeeded: fp >> (64 - Self.shardBits))
        // Recent ids: the table. Probing goes past a fingerprint that is another id's.
        var slot = Shard.home(fp, shards[shardIndex].slots.count)
        while true {
            let existing = shards[shardIndex].slots[slot]
            if existing.fingerprint == 0 { break }
            if existing.fingerprint == fp, let first = try log.firstSeen(at: existing.offset, ifItIs: requestId) {
                return (sources[first.source], first.line)
            }
            slot += 1
            if slot == shards[shardIndex].slots.count { slot = 0 }
        }
        // Older ids: on disk, when the filter cannot rule them out.
        if let filter, let runs, filter.mayContain(fp) {
            var found: (source: Int, line: Int)?
            _ = try runs.visit(fp) { (offset: Int64) throws(InputError) -> Bool in
                found = try log.firstSeen(at: offset, ifItIs: requestId)
                return found != nil
            }
            if let found { return (sources[found.source], found.line) }
        }
        let offset = try log.append(requestId, source: index(of: source), line: line)
        shards[shardIndex].slots[slot] = Slot(fingerprint: fp, offset: offset)
        shards[shardIndex].count += 1
        count += 1
        let capacity = shards[shardIndex].slots.count
        if shards[shardIndex].count * 100 > capacity * 85 {
            if capacity < maxShardCapacity {
                shards[shardIndex].grow(to: min(maxShardCapacity, capacity * 2))
            } else {
                try spill()
            }
        }
        return nil
    }

    private func openLog() throws(InputError) -> RequestIdLog {
        if let log { return log }
        let opened = try RequestIdLog(directory: directory)
        log = opened
        return opened
    }

    /// Moves the whole table to a sorted run on disk. Each shard is sorted in place (the shards
    /// hold ascending ranges of fingerprints), so the spill needs no memory of its own.
    private func spill() throws(InputError) {
        let runs = self.runs ?? SpilledRuns(directory: directory)
        self.runs = runs
        if filter == nil { filter = SpillFilter(bytes: filterBytes) }
        for k in shards.indices {
            shards[k].slots.withUnsafeMutableBufferPointer { slots in
                var used = 0
                for i in slots.indices where slots[i].fingerprint != 0 {
                    slots[used] = slots[i]
                    used += 1
                }
                for i in used..<slots.count { slots[i].fingerprint = 0 }
                var prefix = UnsafeMutableBufferPointer(rebasing: slots[0..<used])
                prefix.sort { $0.fingerprint < $1.fingerprint }
            }
        }
        try runs.add { (append: (SpilledRuns.Pair) throws(InputError) -> Void) throws(InputError) in
            for k in shards.indices {
                for slot in shards[k].slots where slot.fingerprint != 0 {
                    try append(SpilledRuns.Pair(fingerprint: slot.fingerprint, offset: slot.offset))
                    filter!.insert(slot.fingerprint)
                }
            }
        }
        for k in shards.indices {
            for i in shards[k].slots.indices { shards[k].slots[i].fingerprint = 0 }
            shards[k].count = 0
        }
        spills += 1
    }

    private func index(of source: String) -> Int {
        if let last = sources.last, last == source { return sources.count - 1 }
        if let known = sourceIndex[source] { return known }
        sources.append(source)
        sourceIndex[source] = sources.count - 1
        return sources.count - 1
    }

    /// A requestId's UTF-8 bytes, 8 at a time, chained through SplitMix64's bijective finaliser
    /// (seeded with the length): cheaper than a second SHA-256 per row, and ids that differ only
    /// in their last word (`order-17`, `order-18`) cannot share one. Only ever a candidate.
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
    @inline(__always) static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
