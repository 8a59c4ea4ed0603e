#if canImport(Digest)
import Digest
#endif

/// The requestId of a bulk earn, derived from its members' sent requestIds alone, so the same
/// members always make the same batch whatever order, shard or bulk size they were read with,
/// and a row sent under a new requestId never rejoins a batch under an id the server may hold.
///
/// Version `bulk-v1`, exact bytes hashed (UTF-8):
/// ```
/// "bulk-v1\n"
/// for each member requestId, sorted ascending by its UTF-8 bytes, duplicates once:
///     String(requestId.utf8.count) + ":" + requestId + "\n"
/// ```
/// batch requestId = lower-case hex SHA-256 of those bytes (64 characters). Worked example
/// (pinned by BatchRequestIDTests): members `b` and `a` hash `bulk-v1\n1:a\n1:b\n` to
/// `BatchRequestIDTests.worked`.
public enum BatchRequestID {
    public static let version = "bulk-v1"

    /// The exact string that is hashed.
    public static func keyMaterial(members: [String]) -> String {
        var material = version + "\n"
        for id in Set(members).sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            material += "\(id.utf8.count):\(id)\n"
        }
        return material
    }

    public static func derive(members: [String]) -> String {
        SHA256.hex(SHA256.digest(Array(keyMaterial(members: members).utf8)))
    }
}
