/// One badge as the run's preflight saw it, for summary.json's `badges` and report.html's
/// "Badges checked before sending" section: what the definition said, and how many rows it
/// kept from being sent.
public struct BadgeCheck: Codable, Sendable, Equatable {
    public var badgeMetaId: String
    /// `defined`, `unknown` (the API does not know it: 1054) or `unavailable` (the read failed;
    /// its rows were sent as without a preflight).
    public var outcome: String
    public var name: String?
    public var status: String?
    public var active: Bool?
    public var earnType: String?
    /// ISO 8601 UTC.
    public var startOn: String?
    public var expiresOn: String?
    /// `ownerType/referenceId` of each claim.
    public var claims: [String]?
    /// Why the read failed, for `unavailable`.
    public var problem: String?
    /// Rows not sent because the definition showed they would be rejected.
    public var rowsRejected: Int

    public init(badgeMetaId: String, outcome: String, name: String? = nil, status: String? = nil, active: Bool? = nil,
                earnType: String? = nil, startOn: String? = nil, expiresOn: String? = nil, claims: [String]? = nil,
                problem: String? = nil, rowsRejected: Int = 0) {
        self.badgeMetaId = badgeMetaId
        self.outcome = outcome
        self.name = name
        self.status = status
        self.active = active
        self.earnType = earnType
        self.startOn = startOn
        self.expiresOn = expiresOn
        self.claims = claims
        self.problem = problem
        self.rowsRejected = rowsRejected
    }
}
