#if canImport(Digest)  // fuzz/run.sh compiles Digest and EarnAPI into the same module
import Digest
#endif
#if canImport(EarnAPI)
import EarnAPI
#endif
/// The deterministic idempotency key of an earn event.
///
/// Same event, same id: whatever the file name, row order, column order, padding or UTC
/// offset, because only the normalised natural key is hashed. Changing `namespace`
/// (`--key-namespace`) deliberately re-issues every event under new ids.
///
/// Version `v1`, exact bytes hashed (UTF-8), each field length-prefixed so no field value
/// (a referenceId may hold a newline or a colon) can be confused with a separator:
/// ```
/// "v1\n"
/// for field in [namespace, badgeMetaId, customerId, ownerType, referenceId, instant]:
///     String(field.utf8.count) + ":" + field + "\n"
/// ```
/// - badgeMetaId: lower-cased 24 hex characters
/// - customerId: decimal, no sign, no leading zeros
/// - ownerType: the API's canonical spelling (e.g. `Historical_Import`)
/// - referenceId: as given, trimmed of surrounding spaces
/// - instant: UTC `YYYY-MM-DDTHH:MM:SS.SSSZ`, or the empty string when the row has no date
///
/// requestId = lower-case hex SHA-256 of those bytes (64 characters).
/// Worked example (pinned by RequestIDTests): namespace `badge-import/v1`, badgeMetaId
/// `66276dc68fe258516a88ff8e`, customerId 62090013, ownerType `Historical_Import`,
/// referenceId `123694`, instant `2023-11-03T21:51:00.192Z` hashes these 119 bytes
/// (`\n` is one byte, 0x0A)
/// ```
/// v1\n15:badge-import/v1\n24:66276dc68fe258516a88ff8e\n8:62090013\n17:Historical_Import\n6:123694\n24:2023-11-03T21:51:00.192Z\n
/// ```
/// to `7bb62866cb40e4b3a5ecbfbeb67c1871cefd465906e2d341c457ee9cf339abde`.
/// The short `v1\n` prefix keeps a typical row's material under 120 bytes: two SHA-256 blocks.
public enum RequestID {
    /// The namespace used unless `--key-namespace` says otherwise.
    public static let defaultNamespace = "badge-import/v1"
    /// The version of the byte layout above; bumping it re-issues every id, so it never changes silently.
    public static let version = "v1"
    static let prefix = "v1\n"

    /// The exact string that is hashed (exposed for documentation and tests).
    public static func keyMaterial(namespace: String, badgeMetaId: String, customerId: Int64, ownerType: OwnerType,
                                   referenceId: String, earnEventDate: String?) -> String {
        var s = prefix
        s.reserveCapacity(160 + referenceId.utf8.count + namespace.utf8.count)
        for field in [namespace, badgeMetaId.lowercased(), String(customerId), ownerType.rawValue,
                      referenceId, earnEventDate ?? ""] {
            s += String(field.utf8.count)
            s += ":"
            s += field
            s += "\n"
        }
        return s
    }

    /// The suffix rule's version ("generations v1"); changing it would re-issue rotated ids.
    public static let generationsVersion = "generations v1"

    /// The requestId sent for a row's `generation`-th attempt at being earned, generations v1:
    /// the identity itself for generation 0, else identity + "-g" + generation in decimal
    /// (`7bb6…abde` -> `7bb6…abde-g1` -> `7bb6…abde-g2`). The generation goes up by one after
    /// each definitive rejection (an HTTP answer with an error code other than 809), so a resend
    /// after the cause is fixed is never answered 809 for an id a server kept from the
    /// rejection; it never goes up after a timeout, a dropped connection or a 5xx, whose
    /// request may have been applied. The row's identity (reports, duplicate detection, the
    /// ledger's key) stays `identity` throughout.
    public static func sent(_ identity: String, generation: Int) -> String {
        generation == 0 ? identity : identity + "-g" + String(generation)
    }

    /// `earnEventDate` must already be normalised (UTC, milliseconds, `Z`), as `EarnRow` holds it.
    /// Builds the key material in a stack buffer (no allocation but the returned string):
    /// this runs once per row.
    public static func derive(namespace: String, badgeMetaId: String, customerId: Int64, ownerType: OwnerType,
                              referenceId: String, earnEventDate: String?) -> String {
        let date = earnEventDate ?? ""
        let capacity = prefix.utf8.count + namespace.utf8.count + badgeMetaId.utf8.count + 20 + ownerType.rawValue.utf8.count
            + referenceId.utf8.count + date.utf8.count + 6 * 22
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var w = KeyWriter(bytes: buffer.baseAddress!)
            w.raw(prefix)
            w.field(namespace)
            w.field(badgeMetaId, lowercase: true)
            if customerId >= 0 { w.field(UInt64(customerId)) } else { w.field(String(customerId)) }
            w.field(ownerType.rawValue)
            w.field(referenceId)
            w.field(date)
            let o = w.count
            let b = w.bytes
            var hasher = SHA256()
            hasher.update(UnsafeRawBufferPointer(start: b, count: o))
            return hasher.finalizeHex()
        }
    }
}

/// Writes length-prefixed fields into a caller-sized buffer (a struct, so the per-row hot
/// path has no closure captures or dynamic exclusivity checks).
private struct KeyWriter {
    let bytes: UnsafeMutablePointer<UInt8>
    var count = 0

    init(bytes: UnsafeMutablePointer<UInt8>) { self.bytes = bytes }

    mutating func raw(_ text: String) {
        if let copied = text.utf8.withContiguousStorageIfAvailable({ src -> Int in
            UnsafeMutableRawPointer(bytes + count).copyMemory(from: src.baseAddress!, byteCount: src.count)
            return src.count
        }) {
            count += copied
        } else {
            for c in text.utf8 { bytes[count] = c; count += 1 }
        }
    }

    mutating func decimal(_ value: UInt64) {
        var digits = 1, v = value
        while v >= 10 { v /= 10; digits += 1 }
        v = value
        var k = count + digits - 1
        while k >= count { bytes[k] = UInt8(0x30 + v % 10); v /= 10; k -= 1 }
        count += digits
    }

    mutating func field(_ text: String, lowercase: Bool = false) {
        decimal(UInt64(text.utf8.count))
        bytes[count] = 0x3A; count += 1
        let start = count
        raw(text)
        if lowercase {
            for k in start..<count where bytes[k] >= 0x41 && bytes[k] <= 0x5A { bytes[k] |= 0x20 }
        }
        bytes[count] = 0x0A; count += 1
    }

    mutating func field(_ value: UInt64) {
        var digits = 1, v = value
        while v >= 10 { v /= 10; digits += 1 }
        decimal(UInt64(digits))
        bytes[count] = 0x3A; count += 1
        decimal(value)
        bytes[count] = 0x0A; count += 1
    }
}
