import EarnAPI

/// The earn request's rules, checked outside the lock: the field rules (all reported together),
/// then the badge rules of the catalog (first failure wins).
extension MockEarnService {
    /// Field rules (all reported together) then the badge rules (first failure wins).
    func validate(_ request: EarnRequestBody) -> Validation {
        var errors: [APIError] = []
        let fields = readFields(request, into: &errors)
        guard errors.isEmpty else { return .invalid(errors) }
        return .valid(candidate(for: fields))
    }

    /// A request's fields as the rules read them.
    struct Fields {
        var requestId: String
        var customerId: Int64
        var badgeText: String
        var ownerType: OwnerType
        var referenceId: String
        var eventMillis: Int64
        /// The date field the request used, for the error's reference.
        var dateField: String
    }

    /// The field rules, every failure appended to `errors`.
    private func readFields(_ request: EarnRequestBody, into errors: inout [APIError]) -> Fields {
        let requestId = request.requestId ?? ""
        if requestId.isEmpty {
            errors.append(APIError(code: 804, message: "RequestId information is missing", reference: "requestId"))
        }
        var customerId: Int64 = 0
        switch request.customerId {
        case .missing:
            errors.append(APIError(code: 812, message: "CustomerId information is missing", reference: "customerId"))
        case .invalid:
            errors.append(APIError(code: Code.invalidCustomerId, message: "CustomerId must be a positive integer",
                                   reference: "customerId"))
        case .value(let value):
            customerId = value
        }
        let badgeText = request.badgeMetaId ?? ""
        if badgeText.isEmpty {
            errors.append(APIError(code: Code.badgeMissing, message: "BadgeMetaId information is missing",
                                   reference: "badgeMetaId"))
        }
        var ownerType = OwnerType.historicalImport
        if let text = request.ownerType, !text.isEmpty {
            if let value = OwnerType(bytes: text.utf8) {
                ownerType = value
            } else {
                errors.append(APIError(code: Code.invalidOwnerType, message: "Invalid owner type",
                                       reference: "triggeredBy.ownerType"))
            }
        } else {
            errors.append(APIError(code: 716, message: "Owner type information is missing",
                                   reference: "triggeredBy.ownerType"))
        }
        let referenceId = request.referenceId ?? ""
        if referenceId.isEmpty {
            errors.append(APIError(code: Code.referenceMissing, message: "Reference id information is missing",
                                   reference: "triggeredBy.referenceId"))
        }
        let nowMillis = Int64((configuration.clock.wallNow() * 1000).rounded(.down))
        var eventMillis = nowMillis
        // The newer field wins when both are sent.
        let (dateText, dateField, rules): (String?, String, InstantRules) = request.earnEventDateISO != nil
            ? (request.earnEventDateISO, "earnEventDateISO", .earnEventDateISO)
            : (request.earnEventDate, "earnEventDate", .earnEventDate)
        if let dateText {
            if let millis = EventInstant(iso8601: dateText, rules: rules)?.millisecondsSinceEpoch {
                eventMillis = millis
                if Double(millis - nowMillis) > configuration.futureToleranceSeconds * 1000 {
                    errors.append(APIError(code: 750, message: "Earn event date should not be in future",
                                           reference: dateField))
                }
            } else {
                errors.append(APIError(code: Code.invalidDate, message: rules.zone == .utcOnly
                                        ? "Invalid date, expected YYYY-MM-DDTHH:MM:SS.SSSZ"
                                        : "Invalid date, expected ISO 8601 with an offset", reference: dateField))
            }
        }
        return Fields(requestId: requestId, customerId: customerId, badgeText: badgeText, ownerType: ownerType,
                      referenceId: referenceId, eventMillis: eventMillis, dateField: dateField)
    }

    /// A valid request as the catalog's badge rules see it (first failure wins).
    private func candidate(for fields: Fields) -> Candidate {
        var candidate = Candidate(
            record: EarnRecord(requestId: fields.requestId, badge: ObjectID(high: 0, low: 0), customerId: fields.customerId,
                               ownerType: fields.ownerType, referenceId: fields.referenceId, eventMillis: fields.eventMillis,
                               earnedID: ObjectID(high: 0, low: 0)),
            expiryDays: 365, issuedID: nil, badgeError: nil)
        guard let badgeID = ObjectID(fields.badgeText) else {
            candidate.badgeError = APIError(code: Code.unknownBadge, message: "Badge not found", reference: "badgeMetaId")
            return candidate
        }
        candidate.record.badge = badgeID
        guard let catalog = configuration.catalog else { return candidate }
        guard let badge = catalog.badge(badgeID) else {
            candidate.badgeError = APIError(code: Code.unknownBadge, message: "Badge not found", reference: "badgeMetaId")
            return candidate
        }
        candidate.expiryDays = badge.expiryDays
        if !badge.live {
            candidate.badgeError = APIError(code: 815, message: "Badge is not live", reference: "badgeMetaId")
        } else if badge.startMillis.map({ fields.eventMillis < $0 }) ?? false || badge.endMillis.map({ fields.eventMillis > $0 }) ?? false {
            candidate.badgeError = APIError(code: Code.outsideWindow, message: "Earn event date is outside the badge's validity",
                                            reference: fields.dateField)
        } else if !badge.claims.isEmpty,
                  !badge.claims.contains(where: { $0.ownerType == fields.ownerType && $0.referenceId == fields.referenceId }) {
            candidate.badgeError = APIError(code: 810, message: "Badge needs to be claimed first",
                                            reference: "triggeredBy")
        } else if badge.earnType == .issueEarn {
            if badge.issuedCustomers.contains(fields.customerId) {
                candidate.issuedID = Self.issuedID(badge: badgeID, customerId: fields.customerId)
            } else {
                candidate.badgeError = APIError(code: 811, message: "Badge issue is mandatory before earn",
                                                reference: "customerId")
            }
        }
        return candidate
    }

    /// A stable issual id per (badge, customer), as if the enrolment had created it.
    static func issuedID(badge: ObjectID, customerId: Int64) -> ObjectID {
        var mixer = SplitMix64(seed: badge.high ^ UInt64(badge.low) << 17 ^ UInt64(bitPattern: customerId))
        return ObjectID(high: mixer.next(), low: UInt32(truncatingIfNeeded: mixer.next()))
    }

}
