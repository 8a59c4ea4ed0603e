import EarnAPI
/// One earn the mock committed, as `GET /__earns` and `--earns-out` give it (one JSON object
/// per line). Tests compare these with the natural keys their input should have produced.
public struct CommittedEarn: Sendable, Codable, Equatable, Hashable {
    public var requestId: String
    public var badgeMetaId: String
    public var customerId: Int64
    public var ownerType: String
    public var referenceId: String
    /// The event instant in UTC, `YYYY-MM-DDTHH:MM:SS.SSSZ` (normalised from whatever offset was sent).
    public var earnEventDate: String
    public var earnedBadgeId: String

    public init(requestId: String, badgeMetaId: String, customerId: Int64, ownerType: String,
                referenceId: String, earnEventDate: String, earnedBadgeId: String) {
        self.requestId = requestId
        self.badgeMetaId = badgeMetaId
        self.customerId = customerId
        self.ownerType = ownerType
        self.referenceId = referenceId
        self.earnEventDate = earnEventDate
        self.earnedBadgeId = earnedBadgeId
    }
}

/// The compact form the mock keeps in memory: ids as 12 bytes, owner type as one byte.
struct EarnRecord {
    var requestId: String
    var badge: ObjectID
    var customerId: Int64
    var ownerType: OwnerType
    var referenceId: String
    var eventMillis: Int64
    var earnedID: ObjectID

    var committedEarn: CommittedEarn {
        CommittedEarn(requestId: requestId, badgeMetaId: badge.hexString, customerId: customerId,
                      ownerType: ownerType.rawValue, referenceId: referenceId,
                      earnEventDate: EventInstant(millisecondsSinceEpoch: eventMillis).utcString, earnedBadgeId: earnedID.hexString)
    }
}

/// What makes two earns the same event, whatever their requestIds.
struct NaturalKey: Hashable {
    var badge: ObjectID
    var customerId: Int64
    var ownerType: OwnerType
    var referenceId: String
    var eventMillis: Int64
}
