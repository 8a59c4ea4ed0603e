/// The `data` of a successful earn (HTTP 200):
/// `{"data":{"badgeMetaId","customerId","earnedBadgeId","expiresOn","requestId","issuedId"},"errors":[],"warnings":[]}`.
/// The mock writes one per accepted earn; the client reads nearly every answer through here.
public struct EarnedBadge: Sendable, Equatable {
    public var badgeMetaId: String?
    public var customerId: Int64?
    public var earnedBadgeId: String?
    /// Epoch seconds with a fraction, exactly as the literal reads (no Foundation rounding).
    public var expiresOn: Double?
    public var requestId: String?
    /// nil for direct-earn badges.
    public var issuedId: String?

    public init(badgeMetaId: String? = nil, customerId: Int64? = nil, earnedBadgeId: String? = nil,
                expiresOn: Double? = nil, requestId: String? = nil, issuedId: String? = nil) {
        self.badgeMetaId = badgeMetaId
        self.customerId = customerId
        self.earnedBadgeId = earnedBadgeId
        self.expiresOn = expiresOn
        self.requestId = requestId
        self.issuedId = issuedId
    }

    /// The whole answer, from the mock's compact values (ids as their 24 hex bytes).
    public static func encodedAnswer(badgeMetaId: [UInt8], customerId: Int64, earnedBadgeId: [UInt8],
                                     expiresOnMicros: Int64, requestId: String, issuedId: [UInt8]?) -> [UInt8] {
        var json = JSONWriter(capacity: 256 + requestId.utf8.count)
        json.raw(#"{"data":{"badgeMetaId":""#)
        json.raw(badgeMetaId)
        json.raw(#"","customerId":"#)
        json.integer(customerId)
        json.raw(#","earnedBadgeId":""#)
        json.raw(earnedBadgeId)
        json.raw(#"","expiresOn":"#)
        json.secondsWithNanos(micros: expiresOnMicros)
        json.raw(#","requestId":"#)
        json.string(requestId)
        json.raw(#","issuedId":"#)
        json.quoted(orNull: issuedId)
        json.raw(#"},"errors":[],"warnings":[]}"#)
        return json.bytes
    }

    /// The earned badge of a plain success answer, or nil when the client's general path must
    /// decide. Accepts strictly less than JSONSerialization so both read a body the same way:
    /// escapes, non-ASCII, nested values in `data`, a non-empty `errors` or `warnings`, and
    /// repeated or extra top-level members all answer nil.
    public static func decodeAnswer(_ body: [UInt8]) -> EarnedBadge? {
        body.withUnsafeBufferPointer { bytes -> EarnedBadge? in
            var scanner = JSONScanner(bytes)
            do {
                var earned: EarnedBadge?
                var seenErrors = false, seenWarnings = false
                guard try scanner.openObject() else { return nil }
                repeat {
                    let key = try scanner.key()
                    if scanner.isPlain(key, "data") {
                        guard earned == nil, scanner.peek == UInt8(ascii: "{"), let data = try data(&scanner) else { return nil }
                        earned = data
                    } else if scanner.isPlain(key, "errors") {
                        guard !seenErrors, try AnswerShape.emptyArrayOrNull(&scanner) else { return nil }
                        seenErrors = true
                    } else if scanner.isPlain(key, "warnings") {
                        guard !seenWarnings, try AnswerShape.emptyArrayOrNull(&scanner) else { return nil }
                        seenWarnings = true
                    } else {
                        // An unknown member could repeat a known one under JSON's rules or carry
                        // a literal the general path would read differently: leave it to it.
                        return nil
                    }
                } while try scanner.memberFollows()
                scanner.skipWhitespace()
                return scanner.atEnd ? earned : nil
            } catch {
                return nil
            }
        }
    }

    /// `data`'s object of plain scalars; nil for anything else.
    private static func data(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> EarnedBadge? {
        var earned = EarnedBadge()
        var seenEarned = false, seenIssued = false, seenExpires = false
        guard try scanner.openObject() else { return earned }
        repeat {
            let key = try scanner.key()
            guard case .ascii = key, scanner.peek != UInt8(ascii: "{"), scanner.peek != UInt8(ascii: "[") else { return nil }
            let value = try scanner.value()
            var text: String?
            switch value {
            case .string(.built): return nil
            case .string(let plain):
                // The general path re-reads the expiresOn literal at the first `"expiresOn"` in
                // the body; a value spelled so would move that point: let it decide.
                if scanner.isPlain(plain, "expiresOn") { return nil }
                text = scanner.string(plain)
            case .nested: return nil
            default: break
            }
            if scanner.isPlain(key, "earnedBadgeId") || scanner.isPlain(key, "issuedId") {
                let isEarned = scanner.isPlain(key, "earnedBadgeId")
                guard !(isEarned ? seenEarned : seenIssued) else { return nil }
                // Numbers and booleans: the general path's NSNumber rules decide.
                guard text != nil || { if case .null = value { return true } else { return false } }() else { return nil }
                if isEarned { seenEarned = true; earned.earnedBadgeId = text } else { seenIssued = true; earned.issuedId = text }
            } else if scanner.isPlain(key, "expiresOn") {
                guard !seenExpires else { return nil }
                seenExpires = true
                switch value {
                case .number(let literal):
                    guard let exact = Double(String(decoding: UnsafeBufferPointer(rebasing: scanner.bytes[literal]), as: UTF8.self))
                    else { return nil }
                    earned.expiresOn = exact
                case .null: earned.expiresOn = nil
                default: return nil
                }
            } else if scanner.isPlain(key, "badgeMetaId") {
                earned.badgeMetaId = text
            } else if scanner.isPlain(key, "requestId") {
                earned.requestId = text
            } else if scanner.isPlain(key, "customerId"), case .number(let literal) = value {
                earned.customerId = AnswerShape.integer(scanner, literal).map(Int64.init)
            }
        } while try scanner.memberFollows()
        return earned
    }
}
