import EarnAPI

/// What the server holds of one row the ledger has as done.
public enum VerifyVerdict: String, Sendable, Codable, CaseIterable {
    /// The earn is there: by the requestId sent, when the answer lists requestIds; else the
    /// customer holds the badge.
    case confirmed
    /// The customer does not hold the badge, or holds it under other requestIds only.
    case missing
    /// The customer's badges could not be read.
    case unverifiable

    /// The verdict for `row` from the customer's badges, and a few words why.
    static func decide(_ row: Ledger.DoneRow, held: CustomerBadges) -> (VerifyVerdict, String) {
        let badges = held.badges.filter { $0.badgeMetaId.lowercased() == row.badgeMetaId }
        guard !badges.isEmpty else { return (.missing, "the customer does not hold badge \(row.badgeMetaId)") }
        let requestIds = badges.flatMap { $0.earns ?? [] }.compactMap(\.requestId)
        guard !requestIds.isEmpty else {
            return (.confirmed, "badge held (the answer lists no requestIds to match)")
        }
        if requestIds.contains(row.sentRequestId) { return (.confirmed, "earn with requestId \(row.sentRequestId)") }
        return (.missing, "badge held, but no earn with requestId \(row.sentRequestId) (\(requestIds.count) other earns)")
    }
}
