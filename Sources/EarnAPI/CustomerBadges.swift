/// A customer's earned badges as `GET /api_gateway/v1/badges/customer/{customerId}?badgeType=EARNED&includeExpired=true`
/// answers them: one entry per badge held, each with its earns when the server lists them.
/// Whether the real service lists earns and their requestIds is not documented, so both are
/// optional: `verify` matches by requestId when they are there and by the badge when not.
public struct CustomerBadges: Sendable, Equatable {
    public struct Earn: Sendable, Equatable {
        public var earnedBadgeId: String?
        public var requestId: String?
        /// Epoch milliseconds.
        public var earnedOn: Int64?
        public var eventDate: Int64?

        public init(earnedBadgeId: String? = nil, requestId: String? = nil, earnedOn: Int64? = nil, eventDate: Int64? = nil) {
            self.earnedBadgeId = earnedBadgeId
            self.requestId = requestId
            self.earnedOn = earnedOn
            self.eventDate = eventDate
        }
    }

    public struct Held: Sendable, Equatable {
        public var badgeMetaId: String
        public var name: String?
        /// nil when the answer did not list earns (the badge is held, how often is unknown).
        public var earns: [Earn]?

        public init(badgeMetaId: String, name: String? = nil, earns: [Earn]? = nil) {
            self.badgeMetaId = badgeMetaId
            self.name = name
            self.earns = earns
        }
    }

    public var badges: [Held]

    public init(badges: [Held]) { self.badges = badges }

    /// `{"data":[{"badgeMetaId","name","earnedBadges":[{"earnedBadgeId","requestId","earnedOn","eventDate"}]}],"errors":[],"warnings":[]}`
    public func encodedAnswer() -> [UInt8] {
        var json = JSONWriter(capacity: 64 + badges.count * 200)
        json.raw(#"{"data":["#)
        for (index, held) in badges.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw(#"{"badgeMetaId":"#); json.string(held.badgeMetaId)
            if let name = held.name { json.raw(#","name":"#); json.string(name) }
            if let earns = held.earns {
                json.raw(#","earnedBadges":["#)
                for (position, earn) in earns.enumerated() {
                    if position > 0 { json.raw(",") }
                    json.raw(#"{"earnedBadgeId":"#); json.string(orNull: earn.earnedBadgeId)
                    json.raw(#","requestId":"#); json.string(orNull: earn.requestId)
                    if let earnedOn = earn.earnedOn { json.raw(#","earnedOn":"#); json.integer(earnedOn) }
                    if let eventDate = earn.eventDate { json.raw(#","eventDate":"#); json.integer(eventDate) }
                    json.raw("}")
                }
                json.raw("]")
            }
            json.raw("}")
        }
        json.raw(#"],"errors":[],"warnings":[]}"#)
        return json.bytes
    }
}
