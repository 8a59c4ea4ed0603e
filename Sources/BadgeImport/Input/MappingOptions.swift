#if canImport(EarnAPI)  // fuzz/run.sh compiles EarnAPI into the same module
import EarnAPI
#endif
import Foundation

/// How input columns become earn fields, and the rules' knobs. Built once from the command
/// line; `validate` and `run` share it so both judge rows identically.
public struct MappingOptions: Sendable {
    /// The column (CSV header / JSON key) each field is read from; unmapped fields use their own name.
    public var columnForField: [EarnField: String]
    /// Used for every row whose column is absent or whose cell is empty.
    public var defaultBadgeMetaId: String?
    public var defaultOwnerType: OwnerType?
    public var defaultReferenceId: String?
    /// Send rows without an earnEventDate (the server then uses its own clock).
    public var allowMissingDate: Bool
    public var keyNamespace: String
    /// "Now" for the more-than-24-hours-in-the-future rule (injected so tests are exact).
    public var now: Date

    public init(columnForField: [EarnField: String] = [:], defaultBadgeMetaId: String? = nil,
                defaultOwnerType: OwnerType? = nil, defaultReferenceId: String? = nil,
                allowMissingDate: Bool = false, keyNamespace: String = RequestID.defaultNamespace,
                now: Date = Date()) {
        self.columnForField = columnForField
        self.defaultBadgeMetaId = defaultBadgeMetaId
        self.defaultOwnerType = defaultOwnerType
        self.defaultReferenceId = defaultReferenceId
        self.allowMissingDate = allowMissingDate
        self.keyNamespace = keyNamespace
        self.now = now
    }

    /// Builds options from the command line's raw strings, failing fast (before any file is
    /// read) on a bad `--map` field name, `--owner-type` or `--badge-meta-id`.
    public static func fromCommandLine(maps: [String], badgeMetaId: String?, ownerType: String?, referenceId: String?,
                                       allowMissingDate: Bool, keyNamespace: String?, now: Date) throws(InputError) -> MappingOptions {
        var columns: [EarnField: String] = [:]
        for entry in maps {
            guard let eq = entry.firstIndex(of: "=") else {
                throw InputError(path: "", message: "--map '\(entry)': expected FIELD=COLUMN")
            }
            let name = entry[..<eq].trimmingCharacters(in: .whitespaces)
            let column = entry[entry.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            guard let field = EarnField(caseInsensitive: name) else {
                let known = EarnField.allCases.map(\.rawValue).joined(separator: ", ")
                throw InputError(path: "", message: "--map '\(entry)': unknown field '\(name)' (fields: \(known))")
            }
            guard !column.isEmpty else { throw InputError(path: "", message: "--map '\(entry)': empty column name") }
            columns[field] = column
        }
        var badge: String?
        if let badgeMetaId {
            let trimmed = badgeMetaId.trimmingCharacters(in: .whitespaces)
            guard FieldRules.isBadgeMetaId(trimmed) else {
                throw InputError(path: "", message: "--badge-meta-id '\(badgeMetaId)': expected 24 hex characters")
            }
            badge = trimmed.lowercased()
        }
        var owner: OwnerType?
        if let ownerType {
            guard let value = OwnerType(caseInsensitive: ownerType.trimmingCharacters(in: .whitespaces)) else {
                let known = OwnerType.allCases.map(\.rawValue).joined(separator: ", ")
                throw InputError(path: "", message: "--owner-type '\(ownerType)': expected one of \(known)")
            }
            owner = value
        }
        var reference: String?
        if let referenceId {
            let trimmed = referenceId.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { throw InputError(path: "", message: "--reference-id: empty value") }
            reference = trimmed
        }
        let namespace = keyNamespace ?? RequestID.defaultNamespace
        guard !namespace.isEmpty else { throw InputError(path: "", message: "--key-namespace: empty value") }
        return MappingOptions(columnForField: columns, defaultBadgeMetaId: badge, defaultOwnerType: owner,
                              defaultReferenceId: reference, allowMissingDate: allowMissingDate,
                              keyNamespace: namespace, now: now)
    }

    /// The column name a field is read from.
    public func column(for field: EarnField) -> String { columnForField[field] ?? field.rawValue }
}
