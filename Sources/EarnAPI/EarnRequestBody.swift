/// The earn request body (`POST /api_gateway/v1/badges/customer/earn`) as it travels: the client
/// encodes one per row, the mock decodes one per request. Decoding keeps what was sent before
/// any rule is applied (a field of the wrong type reads as absent and the server's rules answer,
/// except what Capillary's own examples send: a numeric `requestId`, a digit-string `customerId`);
/// unknown members and nested values are checked as JSON and skipped, never trusted.
public struct EarnRequestBody: Sendable, Equatable {
    public enum CustomerID: Sendable, Equatable {
        case missing
        case value(Int64)
        /// Present but not a positive integer (number or digit string).
        case invalid
    }

    public struct DecodingOptions: Sendable, Equatable {
        /// Read a JSON integer `requestId` as its decimal text, as Capillary's documented
        /// example sends `"requestId": 2132` (the table says String). On by default: the mock is
        /// as lenient as the documented examples; off only to show the strict reading.
        public var numericRequestId: Bool

        public init(numericRequestId: Bool = true) { self.numericRequestId = numericRequestId }
    }

    public var badgeMetaId: String?
    public var customerId: CustomerID
    public var requestId: String?
    public var earnEventDate: String?
    public var earnEventDateISO: String?
    public var ownerType: String?
    public var referenceId: String?

    public init(badgeMetaId: String? = nil, customerId: CustomerID = .missing, requestId: String? = nil,
                earnEventDate: String? = nil, earnEventDateISO: String? = nil, ownerType: String? = nil,
                referenceId: String? = nil) {
        self.badgeMetaId = badgeMetaId
        self.customerId = customerId
        self.requestId = requestId
        self.earnEventDate = earnEventDate
        self.earnEventDateISO = earnEventDateISO
        self.ownerType = ownerType
        self.referenceId = referenceId
    }

    // MARK: - Encoding (the client)

    /// The body in the documented member order; absent fields are left out, not sent as null.
    public func encoded() -> [UInt8] {
        var json = JSONWriter(capacity: 160 + (referenceId?.utf8.count ?? 0) + (requestId?.utf8.count ?? 0))
        var separator: StaticString = "{"
        func member(_ name: StaticString) {
            json.raw(separator)
            json.raw(name)
            separator = ","
        }
        if let badgeMetaId { member("\"badgeMetaId\":"); json.string(badgeMetaId) }
        if case .value(let id) = customerId { member("\"customerId\":"); json.integer(id) }
        if let requestId { member("\"requestId\":"); json.string(requestId) }
        if let earnEventDate { member("\"earnEventDate\":"); json.string(earnEventDate) }
        if let earnEventDateISO { member("\"earnEventDateISO\":"); json.string(earnEventDateISO) }
        member("\"triggeredBy\":{")
        var inner: StaticString = ""
        if let ownerType { json.raw("\"ownerType\":"); json.string(ownerType); inner = "," }
        if let referenceId { json.raw(inner); json.raw("\"referenceId\":"); json.string(referenceId) }
        json.raw("}}")
        return json.bytes
    }

    // MARK: - Decoding (the mock)

    /// nil when the bytes are not one JSON object (trailing whitespace allowed). The mock's
    /// leniency is kept: invalid Unicode is replaced, not refused; and its limit of 64 nested
    /// containers, the body included (so 63 below a member).
    public static func decode(_ bytes: UnsafeRawBufferPointer, options: DecodingOptions = DecodingOptions()) -> EarnRequestBody? {
        let typed = UnsafeBufferPointer(start: bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        var scanner = JSONScanner(typed, invalidText: .replace, maxDepth: 63, scalarsCountTowardDepth: false)
        var body = EarnRequestBody()
        do {
            guard try scanner.openObject() else { return try finish(body, &scanner) }
            repeat {
                let key = try scanner.key()
                if scanner.isPlain(key, "triggeredBy") {
                    try body.decodeTriggeredBy(&scanner)
                } else {
                    try body.decodeMember(key, &scanner, options)
                }
            } while try scanner.memberFollows()
            return try finish(body, &scanner)
        } catch {
            return nil
        }
    }

    private static func finish(_ body: EarnRequestBody, _ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> EarnRequestBody? {
        scanner.skipWhitespace()
        return scanner.atEnd ? body : nil
    }

    private mutating func decodeMember(_ key: JSONScanner.Text, _ scanner: inout JSONScanner,
                                       _ options: DecodingOptions) throws(JSONScanner.Failure) {
        guard case .ascii(let range) = key else { return try scanner.skipValue(depth: 0) }
        switch range.count {
        case 9 where scanner.isPlain(key, "requestId"):
            requestId = try Self.optionalString(&scanner, integersAsText: options.numericRequestId)
        case 10 where scanner.isPlain(key, "customerId"): customerId = try Self.customerID(&scanner)
        case 11 where scanner.isPlain(key, "badgeMetaId"): badgeMetaId = try Self.optionalString(&scanner)
        case 13 where scanner.isPlain(key, "earnEventDate"): earnEventDate = try Self.optionalString(&scanner)
        case 16 where scanner.isPlain(key, "earnEventDateISO"): earnEventDateISO = try Self.optionalString(&scanner)
        default: try scanner.skipValue(depth: 0)
        }
    }

    private mutating func decodeTriggeredBy(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        (ownerType, referenceId) = try Self.triggeredBy(&scanner)
    }

    /// `triggeredBy`'s owner type and reference id when it is an object; any other value reads
    /// as absent. The single and the bulk earn share it.
    static func triggeredBy(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> (ownerType: String?, referenceId: String?) {
        var found: (ownerType: String?, referenceId: String?) = (nil, nil)
        guard scanner.peek == UInt8(ascii: "{") else { try scanner.skipValue(depth: 0); return found }
        guard try scanner.openObject() else { return found }
        repeat {
            let key = try scanner.key()
            if scanner.isPlain(key, "ownerType") {
                found.ownerType = try optionalString(&scanner)
            } else if scanner.isPlain(key, "referenceId") {
                found.referenceId = try optionalString(&scanner)
            } else {
                try scanner.skipValue(depth: 1)
            }
        } while try scanner.memberFollows()
        return found
    }

    /// A string value; `null` or any other type reads as absent (the rules then answer).
    static func optionalString(_ scanner: inout JSONScanner, integersAsText: Bool = false) throws(JSONScanner.Failure) -> String? {
        if scanner.peek == UInt8(ascii: "\"") {
            return scanner.string(try scanner.scanString())
        }
        if integersAsText, let c = scanner.peek, c == UInt8(ascii: "-") || c &- UInt8(ascii: "0") < 10 {
            let literal = try scanner.scanNumber()
            let digits = UnsafeBufferPointer(rebasing: scanner.bytes[literal])
            return digits.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) ? String(decoding: digits, as: UTF8.self) : nil
        }
        try scanner.skipValue(depth: 0)
        return nil
    }

    /// customerId as a JSON integer or a string of digits; positive, fits Int64.
    static func customerID(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> CustomerID {
        switch scanner.peek ?? 0 {
        case UInt8(ascii: "\""):
            let text = try scanner.scanString()
            switch text {
            case .ascii(let range):
                if range.isEmpty { return .missing }
                return positiveInteger(UnsafeBufferPointer(rebasing: scanner.bytes[range])).map { .value($0) } ?? .invalid
            case .built(let string):
                return string.isEmpty ? .missing : positiveInteger(string.utf8).map { .value($0) } ?? .invalid
            }
        case UInt8(ascii: "n"):
            try scanner.skipValue(depth: 0)
            return .missing
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let literal = try scanner.scanNumber()
            return positiveInteger(UnsafeBufferPointer(rebasing: scanner.bytes[literal])).map { .value($0) } ?? .invalid
        default:
            try scanner.skipValue(depth: 0)
            return .invalid
        }
    }

    /// Digits only, at least one, positive, within Int64.
    public static func positiveInteger<Digits: Sequence>(_ digits: Digits) -> Int64? where Digits.Element == UInt8 {
        var value: Int64 = 0
        var count = 0
        for char in digits {
            guard char >= UInt8(ascii: "0"), char <= UInt8(ascii: "9") else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(char - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
            count += 1
        }
        return count > 0 && value > 0 ? value : nil
    }
}
