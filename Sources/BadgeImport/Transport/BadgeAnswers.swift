import EarnAPI
import Foundation

/// Reads the two read endpoints' answers, with the variations the contract allows (see the
/// README's "Preflight" and "verify" sections): window bounds in seconds or milliseconds,
/// customer badges under `data` as a list or inside `customerBadges`/`badges`. A field that is
/// missing or of another type stays nil: unknown, never a reason to reject.
enum BadgeAnswers {
    static func definition(_ json: [String: Any], id: String) -> BadgeDefinition? {
        guard let data = json["data"] as? [String: Any] else { return nil }
        var definition = BadgeDefinition(id: (data["id"] as? String) ?? id)
        definition.name = data["name"] as? String
        definition.startOnMillis = millis(data["startOn"])
        definition.expiresOnMillis = millis(data["expiresOn"])
        definition.status = data["status"] as? String
        definition.active = boolean(data["active"])
        definition.earnType = data["earnType"] as? String
        if let list = (data["ownership"] as? [String: Any])?["claims"] as? [Any] {
            definition.claims = list.compactMap { item in
                guard let claim = item as? [String: Any], let owner = claim["ownerType"] as? String else { return nil }
                return BadgeDefinition.Claim(ownerType: owner, referenceId: EarnResponse.string(claim["referenceId"]) ?? "")
            }
        }
        return definition
    }

    static func customerBadges(_ json: [String: Any]) -> CustomerBadges? {
        let list: [Any]?
        if let direct = json["data"] as? [Any] {
            list = direct
        } else if let data = json["data"] as? [String: Any] {
            list = (data["customerBadges"] as? [Any]) ?? (data["badges"] as? [Any])
        } else {
            list = nil
        }
        guard let list else { return nil }
        return CustomerBadges(badges: list.compactMap { item in
            guard let badge = item as? [String: Any], let id = badge["badgeMetaId"] as? String else { return nil }
            let earns = (badge["earnedBadges"] as? [Any])?.compactMap { entry -> CustomerBadges.Earn? in
                guard let earn = entry as? [String: Any] else { return nil }
                return CustomerBadges.Earn(earnedBadgeId: earn["earnedBadgeId"] as? String,
                                           requestId: EarnResponse.string(earn["requestId"]),
                                           earnedOn: millis(earn["earnedOn"]), eventDate: millis(earn["eventDate"]))
            }
            return CustomerBadges.Held(badgeMetaId: id.lowercased(), name: badge["name"] as? String, earns: earns)
        })
    }

    /// Epoch seconds, or milliseconds when above 10^11 (the contract's rule), as milliseconds.
    static func millis(_ value: Any?) -> Int64? {
        guard let number = value as? NSNumber else { return nil }
        let double = number.doubleValue
        guard double.isFinite, abs(double) < 1e16 else { return nil }
        return abs(double) > 1e11 ? Int64(double.rounded()) : Int64((double * 1000).rounded())
    }

    private static func boolean(_ value: Any?) -> Bool? {
        guard let number = value as? NSNumber else { return nil }
        return number.boolValue
    }
}
