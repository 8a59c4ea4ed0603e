/// A badge's definition as `GET /api_gateway/v1/badges/badgeMeta/{id}` answers it, in the
/// fields the importer can judge a row by (the contract in the README's "Preflight" section):
/// the validity window, whether it is live, its earn type and its claims. Every field is
/// optional: a field the server did not send is unknown, and an unknown field never rejects a row.
/// The mock encodes it; the client reads the answer (with the variations the contract allows)
/// into the same type.
public struct BadgeDefinition: Sendable, Equatable, Codable {
    public struct Claim: Sendable, Equatable, Codable {
        public var ownerType: String
        public var referenceId: String

        public init(ownerType: String, referenceId: String) {
            self.ownerType = ownerType
            self.referenceId = referenceId
        }
    }

    public var id: String
    public var name: String?
    /// The window in epoch milliseconds, inclusive (the API sends seconds; see `encodedAnswer`).
    public var startOnMillis: Int64?
    public var expiresOnMillis: Int64?
    /// `UPCOMING`, `LIVE` or `ENDED`.
    public var status: String?
    /// false: not live, an earn answers 815.
    public var active: Bool?
    /// `DIRECT_EARN` or `ISSUE_AND_EARN`.
    public var earnType: String?
    /// When non-empty, an earn's triggeredBy must equal one of them (else 810).
    public var claims: [Claim]?

    public init(id: String, name: String? = nil, startOnMillis: Int64? = nil, expiresOnMillis: Int64? = nil,
                status: String? = nil, active: Bool? = nil, earnType: String? = nil, claims: [Claim]? = nil) {
        self.id = id
        self.name = name
        self.startOnMillis = startOnMillis
        self.expiresOnMillis = expiresOnMillis
        self.status = status
        self.active = active
        self.earnType = earnType
        self.claims = claims
    }

    /// `{"data":{"id","name","startOn","expiresOn","status","active","earnType","ownership":{"claims":[..]}},"errors":[],"warnings":[]}`;
    /// the window in epoch seconds (with a millisecond fraction when it has one, as a bare end
    /// date's 23:59:59.999 does), absent fields left out.
    public func encodedAnswer() -> [UInt8] {
        var json = JSONWriter(capacity: 320)
        json.raw(#"{"data":{"id":"#)
        json.string(id)
        if let name { json.raw(#","name":"#); json.string(name) }
        if let startOnMillis { json.raw(#","startOn":"#); Self.seconds(startOnMillis, &json) }
        if let expiresOnMillis { json.raw(#","expiresOn":"#); Self.seconds(expiresOnMillis, &json) }
        if let status { json.raw(#","status":"#); json.string(status) }
        if let active { json.raw(active ? #","active":true"# : #","active":false"#) }
        if let earnType { json.raw(#","earnType":"#); json.string(earnType) }
        if let claims {
            json.raw(#","ownership":{"restrictedToOwners":[],"claims":["#)
            for (index, claim) in claims.enumerated() {
                if index > 0 { json.raw(",") }
                json.raw(#"{"ownerType":"#); json.string(claim.ownerType)
                json.raw(#","referenceId":"#); json.string(claim.referenceId)
                json.raw("}")
            }
            json.raw("]}")
        }
        json.raw(#"},"errors":[],"warnings":[]}"#)
        return json.bytes
    }

    private static func seconds(_ millis: Int64, _ json: inout JSONWriter) {
        let whole = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let fraction = millis - whole * 1000
        json.integer(whole)
        if fraction != 0 {
            let digits = String(fraction)
            json.raw(Array(("." + String(repeating: "0", count: 3 - digits.count) + digits).utf8))
        }
    }
}
