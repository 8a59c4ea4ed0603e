import Foundation
/// One slice of the input when N processes (e.g. the pods of a Kubernetes Indexed Job) share the
/// same files: every process reads everything but sends only the rows whose requestId falls in
/// its shard, so the shards never overlap and together cover every row, with no coordination.
///
/// Indexes are 0-based, `I/N` with 0 <= I < N, like Kubernetes' JOB_COMPLETION_INDEX.
///
/// The assignment is a contract, not an implementation detail: a shard's ledger only knows its
/// own rows, so the same requestId must land in the same shard on every machine, in every
/// version, forever. It is, and must never change:
///
///     h = FNV-1a 64-bit over the requestId's UTF-8 bytes
///         (offset basis 0xcbf29ce484222325, prime 0x100000001b3)
///     h = splitmix64 finalizer of h:
///         h ^= h >> 30; h &*= 0xbf58476d1ce4e5b9
///         h ^= h >> 27; h &*= 0x94d049bb133111eb
///         h ^= h >> 31
///     shard = h mod N    (unsigned 64-bit)
///
/// FNV-1a alone is fast but its low bits mix poorly for short similar keys; the finalizer spreads
/// every input bit over the whole word so `mod N` is balanced. (Swift's `hashValue` is seeded per
/// process and would scatter rows differently on every run: never use it for this.)
public struct Shard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// Everything in one shard: the default when not sharding.
    public static let all = Shard(uncheckedIndex: 0, count: 1)

    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1 else { throw .invalidCount(count) }
        guard index >= 0, index < count else { throw .indexOutOfRange(index: index, count: count) }
        self.index = index
        self.count = count
    }

    private init(uncheckedIndex: Int, count: Int) {
        self.index = uncheckedIndex
        self.count = count
    }

    /// Parses `I/N` (the `--shard` flag form), e.g. `0/4` .. `3/4`.
    public init(parsing text: String) throws(ShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2,
              let index = Int(parts[0].trimmingCharacters(in: .whitespaces)), let count = Int(parts[1].trimmingCharacters(in: .whitespaces))
        else { throw .malformed(text) }
        try self.init(index: index, count: count)
    }

    /// The shard of this process in a Kubernetes Indexed Job: index from JOB_COMPLETION_INDEX,
    /// count from `--shards` (the Job's `completions`).
    public static func fromEnvironment(_ environment: [String: String], shards: Int) throws(ShardError) -> Shard {
        guard let raw = environment["JOB_COMPLETION_INDEX"] else { throw .missingIndex }
        guard let index = Int(raw.trimmingCharacters(in: .whitespaces)) else { throw .malformedIndex(raw) }
        return try Shard(index: index, count: shards)
    }

    /// Whether this shard sends the row with this requestId.
    public func contains(requestId: String) -> Bool {
        count == 1 || Self.shardIndex(requestId: requestId, count: count) == index
    }

    /// The shard (0 ..< count) a requestId belongs to; see the type's documentation.
    public static func shardIndex(requestId: String, count: Int) -> Int {
        precondition(count >= 1, "shard count must be at least 1")
        return Int(stableHash(requestId) % UInt64(count))
    }

    /// FNV-1a 64 followed by the splitmix64 finalizer, over the UTF-8 bytes.
    public static func stableHash(_ requestId: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in requestId.utf8 {
            h ^= UInt64(byte)
            h &*= 0x0000_0100_0000_01b3
        }
        h ^= h >> 30
        h &*= 0xbf58_476d_1ce4_e5b9
        h ^= h >> 27
        h &*= 0x94d0_49bb_1331_11eb
        h ^= h >> 31
        return h
    }

    public var description: String { "\(index)/\(count)" }
}

public enum ShardError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case invalidCount(Int)
    case indexOutOfRange(index: Int, count: Int)
    case missingIndex
    case malformedIndex(String)

    public var description: String {
        switch self {
        case .malformed(let text):
            return "shard '\(text)' is not of the form I/N (0-based index I, shard count N), e.g. 0/4"
        case .invalidCount(let n):
            return "shard count \(n) must be at least 1"
        case .indexOutOfRange(let i, let n):
            return "shard index \(i) is outside 0..<\(n) (indexes are 0-based, like JOB_COMPLETION_INDEX)"
        case .missingIndex:
            return "JOB_COMPLETION_INDEX is not set: --shards without --shard needs a Kubernetes Indexed Job"
        case .malformedIndex(let raw):
            return "JOB_COMPLETION_INDEX '\(raw)' is not a whole number"
        }
    }
}
