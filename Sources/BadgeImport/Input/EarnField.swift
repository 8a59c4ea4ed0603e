/// The fields of an earn event as the importer names them (and as CSV headers / JSON keys
/// name them unless `--map FIELD=COLUMN` says otherwise).
public enum EarnField: String, Sendable, CaseIterable, Hashable {
    case badgeMetaId, customerId, earnEventDate, ownerType, referenceId, requestId

    /// Case-insensitive lookup used for `--map FIELD=COLUMN`.
    public init?(caseInsensitive name: some StringProtocol) {
        let wanted = name.lowercased()
        guard let field = EarnField.allCases.first(where: { $0.rawValue.lowercased() == wanted }) else { return nil }
        self = field
    }
}
