import Testing
@testable import BadgeImport

@Suite("Shard: stable partition of requestIds")
struct ShardTests {
    /// Realistic ids: 64 hex chars like the SHA-256 requestIds, generated deterministically.
    static let ids: [String] = (0..<100_000).map { i in
        var h = Shard.stableHash("seed-\(i)")
        var s = ""
        for _ in 0..<4 {
            s += String(h, radix: 16).leftPadded(to: 16)
            h = Shard.stableHash(s)
        }
        return s
    }

    @Test(arguments: 1...7)
    func partitionHasNoOverlapNoGapAndIsBalanced(count: Int) throws {
        let shards = try (0..<count).map { try Shard(index: $0, count: count) }
        var sizes = Array(repeating: 0, count: count)
        for id in Self.ids {
            let owners = shards.filter { $0.contains(requestId: id) }
            #expect(owners.count == 1, "\(id) belongs to \(owners.count) shards")
            if let owner = owners.first { sizes[owner.index] += 1 }
        }
        #expect(sizes.reduce(0, +) == Self.ids.count)
        let expected = Double(Self.ids.count) / Double(count)
        for size in sizes {
            // 100k ids: the binomial standard deviation is < 160; 2 % is > 10 sigma for N <= 7.
            #expect(abs(Double(size) - expected) / expected < 0.02, "sizes \(sizes)")
        }
    }

    @Test func shortSequentialIdsAreBalancedToo() throws {
        // Caller-supplied requestIds are often "1", "2", ...: the finalizer must spread them.
        var sizes = Array(repeating: 0, count: 4)
        for i in 0..<40_000 { sizes[Shard.shardIndex(requestId: String(i), count: 4)] += 1 }
        for size in sizes { #expect(abs(size - 10_000) < 400, "\(sizes)") }
    }

    /// Pinned values: if any of these change, every existing sharded ledger is wrong. Never update them.
    @Test func hashIsPinnedForever() {
        // FNV-1a 64 of "" is the offset basis; the splitmix finalizer of it is fixed.
        #expect(Shard.stableHash("") == Self.finalize(0xcbf2_9ce4_8422_2325))
        // FNV-1a 64 of "a" is the published test vector 0xaf63dc4c8601ec8c.
        #expect(Shard.stableHash("a") == Self.finalize(0xaf63_dc4c_8601_ec8c))
        // FNV-1a 64 of "foobar" is the published test vector 0x85944171f73967e8.
        #expect(Shard.stableHash("foobar") == Self.finalize(0x8594_4171_f739_67e8))
        // Golden values, computed once with the documented algorithm (2026-11); they are the contract.
        #expect(Shard.stableHash("") == 0xf52a_15e9_a9b5_e89b)
        #expect(Shard.stableHash("a") == 0x02c0_bdbf_4814_20f8)
        #expect(Shard.stableHash("req-1") == 0x0a28_81c3_268a_7392)
        #expect(Shard.shardIndex(requestId: "req-1", count: 7) == 1)
        #expect(Shard.shardIndex(requestId: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", count: 7) == 5)
        let pinned = ["req-1": Shard.shardIndex(requestId: "req-1", count: 7),
                      "é-ünïcode": Shard.shardIndex(requestId: "é-ünïcode", count: 7)]
        #expect(pinned["req-1"] == Int(Self.finalize(Self.fnv1a("req-1")) % 7))
        #expect(pinned["é-ünïcode"] == Int(Self.finalize(Self.fnv1a("é-ünïcode")) % 7))
    }

    /// An independent, literal transcription of the documented contract.
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 14_695_981_039_346_656_037
        for b in Array(s.utf8) { h = (h ^ UInt64(b)) &* 1_099_511_628_211 }
        return h
    }

    static func finalize(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    @Test func parsing() throws {
        #expect(try Shard(parsing: "0/4") == Shard(index: 0, count: 4))
        #expect(try Shard(parsing: " 3 / 4 ") == Shard(index: 3, count: 4))
        #expect(try Shard(parsing: "0/1") == Shard.all)
        #expect(throws: ShardError.indexOutOfRange(index: 4, count: 4)) { try Shard(parsing: "4/4") }
        #expect(throws: ShardError.indexOutOfRange(index: -1, count: 4)) { try Shard(parsing: "-1/4") }
        #expect(throws: ShardError.invalidCount(0)) { try Shard(parsing: "0/0") }
        for bad in ["", "1", "1/", "/4", "a/b", "1/2/3", "1.0/2"] {
            #expect(throws: ShardError.malformed(bad)) { try Shard(parsing: bad) }
        }
        #expect(try Shard(parsing: "2/5").description == "2/5")
    }

    @Test func fromKubernetesEnvironment() throws {
        #expect(try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "2"], shards: 3) == Shard(index: 2, count: 3))
        #expect(throws: ShardError.missingIndex) { try Shard.fromEnvironment([:], shards: 3) }
        #expect(throws: ShardError.malformedIndex("x")) { try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "x"], shards: 3) }
        #expect(throws: ShardError.indexOutOfRange(index: 3, count: 3)) {
            try Shard.fromEnvironment(["JOB_COMPLETION_INDEX": "3"], shards: 3)
        }
        #expect(ShardError.missingIndex.description.contains("JOB_COMPLETION_INDEX"))
    }

    @Test func singleShardContainsEverything() {
        #expect(Self.ids.prefix(1000).allSatisfy { Shard.all.contains(requestId: $0) })
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
