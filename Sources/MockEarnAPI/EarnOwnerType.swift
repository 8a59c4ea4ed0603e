/// `triggeredBy.ownerType` values the earn API documents, in its exact spelling (the mock matches
/// case-sensitively, as an enum-backed server would). Kept here, not shared with BadgeImport,
/// so the mock stays self-contained.
public enum EarnOwnerType: String, Sendable, CaseIterable, Codable {
    case loyalty = "Loyalty"
    case loyaltyPromotion = "Loyalty_Promotion"
    case referralCampaigns = "Referral_Campaigns"
    case journeys = "Journeys"
    case audienceCampaigns = "Audience_Campaigns"
    case rewardsCatalog = "Rewards_Catalog"
    case goodwillModule = "Goodwill_Module"
    case milestones = "Milestones"
    case historicalImport = "Historical_Import"

    /// Matches raw bytes without building a String (hot path).
    init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        for value in EarnOwnerType.allCases where value.rawValue.utf8.elementsEqual(bytes) {
            self = value
            return
        }
        return nil
    }
}
