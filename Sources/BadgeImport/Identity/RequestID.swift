/// The deterministic idempotency key of an earn event.
///
/// Same event, same id: whatever the file name, row order, column order, padding or UTC
/// offset, because only the normalised natural key is hashed. Changing `namespace`
/// (`--key-namespace`) deliberately re-issues every event under new ids.
///
/// Version `v1`, exact bytes hashed (UTF-8), each field length-prefixed so no field value
/// (a referenceId may hold a newline or a colon) can be confused with a separator:
/// ```
/// "badge-import:requestId:v1\n"
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
/// referenceId `123694`, instant `2023-11-03T21:51:00.192Z` hashes
/// ```
/// badge-import:requestId:v1\n15:badge-import/v1\n24:66276dc68fe258516a88ff8e\n8:62090013\n17:Historical_Import\n6:123694\n24:2023-11-03T21:51:00.192Z\n
/// ```
public enum RequestID {
    /// The namespace used unless `--key-namespace` says otherwise.
    public static let defaultNamespace = "badge-import/v1"
    /// The version of the byte layout above; bumping it re-issues every id, so it never changes silently.
    public static let version = "v1"
    static let prefix = "badge-import:requestId:v1\n"

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

    /// `earnEventDate` must already be normalised (UTC, milliseconds, `Z`), as `EarnRow` holds it.
    public static func derive(namespace: String, badgeMetaId: String, customerId: Int64, ownerType: OwnerType,
                              referenceId: String, earnEventDate: String?) -> String {
        var material = keyMaterial(namespace: namespace, badgeMetaId: badgeMetaId, customerId: customerId,
                                   ownerType: ownerType, referenceId: referenceId, earnEventDate: earnEventDate)
        var hasher = SHA256()
        material.withUTF8 { hasher.update(UnsafeRawBufferPointer($0)) }
        return SHA256.hex(hasher.finalize())
    }
}
