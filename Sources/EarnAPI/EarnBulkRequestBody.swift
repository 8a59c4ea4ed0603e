/// The bulk earn request body (`POST /api_gateway/v1/badges/customer/earnBulk`): one badge, one
/// owner, one event date, many customers, one requestId. The client encodes one per batch, the
/// mock decodes one per request. As with the single earn, decoding keeps what was sent before any
/// rule applies: a field of the wrong type reads as absent, a customer that is not a positive
/// integer reads as `.invalid` in its place (the mock answers it per customer).
public struct EarnBulkRequestBody: Sendable, Equatable {
    public var badgeMetaId: String?
    /// nil when absent or not an array.
    public var customerIds: [EarnRequestBody.CustomerID]?
    public var requestId: String?
    public var earnEventDate: String?
    public var ownerType: String?
    public var referenceId: String?

    public init(badgeMetaId: String? = nil, customerIds: [EarnRequestBody.CustomerID]? = nil, requestId: String? = nil,
                earnEventDate: String? = nil, ownerType: String? = nil, referenceId: String? = nil) {
        self.badgeMetaId = badgeMetaId
        self.customerIds = customerIds
        self.requestId = requestId
        self.earnEventDate = earnEventDate
        self.ownerType = ownerType
        self.referenceId = referenceId
    }

    // MARK: - Encoding (the client)

    /// The documented member order; absent fields are left out. Customers that are not a value
    /// cannot be encoded and are left out (the client only ever has values).
    public func encoded() -> [UInt8] {
        let customers = customerIds ?? []
        var json = JSONWriter(capacity: 192 + customers.count * 12 + (referenceId?.utf8.count ?? 0))
        var separator: StaticString = "{"
        func member(_ name: StaticString) {
            json.raw(separator)
            json.raw(name)
            separator = ","
        }
        if let badgeMetaId { member("\"badgeMetaId\":"); json.string(badgeMetaId) }
        if let customerIds {
            member("\"customerIds\":[")
            var first = true
            for case .value(let id) in customerIds {
                if !first { json.raw(",") }
                json.integer(id)
                first = false
            }
            json.raw("]")
        }
        if let requestId { member("\"requestId\":"); json.string(requestId) }
        if let earnEventDate { member("\"earnEventDate\":"); json.string(earnEventDate) }
        member("\"triggeredBy\":{")
        var inner: StaticString = ""
        if let ownerType { json.raw("\"ownerType\":"); json.string(ownerType); inner = "," }
        if let referenceId { json.raw(inner); json.raw("\"referenceId\":"); json.string(referenceId) }
        json.raw("}}")
        return json.bytes
    }

    // MARK: - Decoding (the mock)

    /// nil when the bytes are not one JSON object. `issueEventDate` (the spelling of one example
    /// on Capillary's page) is read as `earnEventDate` when that is absent.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> EarnBulkRequestBody? {
        let typed = UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        var scanner = JSONScanner(typed, invalidText: .replace, maxDepth: 63, scalarsCountTowardDepth: false)
        var body = EarnBulkRequestBody()
        var issueEventDate: String?
        do {
            if try scanner.openObject() {
                repeat {
                    let key = try scanner.key()
                    if scanner.isPlain(key, "triggeredBy") {
                        try body.decodeTriggeredBy(&scanner)
                    } else if scanner.isPlain(key, "customerIds") {
                        body.customerIds = try Self.customers(&scanner)
                    } else if scanner.isPlain(key, "badgeMetaId") {
                        body.badgeMetaId = try EarnRequestBody.optionalString(&scanner)
                    } else if scanner.isPlain(key, "requestId") {
                        body.requestId = try EarnRequestBody.optionalString(&scanner)
                    } else if scanner.isPlain(key, "earnEventDate") {
                        body.earnEventDate = try EarnRequestBody.optionalString(&scanner)
                    } else if scanner.isPlain(key, "issueEventDate") {
                        issueEventDate = try EarnRequestBody.optionalString(&scanner)
                    } else {
                        try scanner.skipValue(depth: 0)
                    }
                } while try scanner.memberFollows()
            }
            scanner.skipWhitespace()
            guard scanner.atEnd else { return nil }
        } catch {
            return nil
        }
        if body.earnEventDate == nil { body.earnEventDate = issueEventDate }
        return body
    }

    private mutating func decodeTriggeredBy(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        (ownerType, referenceId) = try EarnRequestBody.triggeredBy(&scanner)
    }

    /// The customers as sent, each a number or a digit string; nil when not an array.
    private static func customers(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> [EarnRequestBody.CustomerID]? {
        guard scanner.take(UInt8(ascii: "[")) else {
            try scanner.skipValue(depth: 0)
            return nil
        }
        var list: [EarnRequestBody.CustomerID] = []
        scanner.skipWhitespace()
        if scanner.take(UInt8(ascii: "]")) { return list }
        while true {
            scanner.skipWhitespace()
            let customer = try EarnRequestBody.customerID(&scanner)
            list.append(customer == .missing ? .invalid : customer)
            scanner.skipWhitespace()
            if scanner.take(UInt8(ascii: ",")) { continue }
            guard scanner.take(UInt8(ascii: "]")) else {
                throw JSONScanner.Failure(reason: "expected ',' or ']'", offset: scanner.index)
            }
            return list
        }
    }
}
