/// `triggeredBy.ownerType`: the values the earn API documents, in its exact spelling.
public enum OwnerType: String, Sendable, CaseIterable, Equatable, Codable {
    case loyalty = "Loyalty"
    case loyaltyPromotion = "Loyalty_Promotion"
    case referralCampaigns = "Referral_Campaigns"
    case journeys = "Journeys"
    case audienceCampaigns = "Audience_Campaigns"
    case rewardsCatalog = "Rewards_Catalog"
    case goodwillModule = "Goodwill_Module"
    case milestones = "Milestones"
    case historicalImport = "Historical_Import"

    private static let spellings: [(OwnerType, [UInt8])] = allCases.map { ($0, Array($0.rawValue.utf8)) }

    /// The exact spelling, as an enum-backed server matches it (the mock's rule); raw bytes, so
    /// the hot path builds no String.
    public init?<Bytes: Collection>(bytes: Bytes) where Bytes.Element == UInt8 {
        for (value, spelling) in OwnerType.spellings where spelling.elementsEqual(bytes) {
            self = value
            return
        }
        return nil
    }

    /// Any letter case of the documented spelling (the importer's rule for input files);
    /// `Historical-Import` is not one. ASCII case folding on bytes: no allocation per row.
    public init?(caseInsensitive text: some StringProtocol) {
        var text = String(text)
        guard let value = text.withUTF8({ OwnerType.caseInsensitive($0) }) else { return nil }
        self = value
    }

    public static func caseInsensitive(_ bytes: UnsafeBufferPointer<UInt8>) -> OwnerType? {
        for (value, spelling) in spellings where spelling.count == bytes.count {
            var equal = true
            for k in 0..<bytes.count {
                let a = bytes[k], b = spelling[k]
                if a != b && (a | 0x20) != (b | 0x20) { equal = false; break }
                if a != b && !((a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A) { equal = false; break }
            }
            if equal { return value }
        }
        return nil
    }
}
