/// The answer to a bulk earn: one item per customer of the request, in any order.
/// `{"data":{"issuedBadges":[ITEM,...]},"errors":[],"warnings":[]}`, where a success ITEM has
/// `customerId`, `earnedBadgeId`, `issuedId` (may be null), `expiresOn` (epoch seconds) and
/// `status`, and a failed ITEM has `customerId` and `error: {"code","message"}`.
/// The mock encodes it; the client decodes it, accepting also `data` as the array itself and a
/// failure spelled `errors: [{code, message}]`. Codes may come as numbers or digit strings.
public struct BulkEarnAnswer: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public enum Result: Sendable, Equatable {
            case earned(earnedBadgeId: String?, issuedId: String?, expiresOn: Double?, status: String?)
            case failed(code: Int?, message: String)
        }

        /// nil when the item named no customer the client can read (it then matches no row).
        public var customerId: Int64?
        public var result: Result

        public init(customerId: Int64?, result: Result) {
            self.customerId = customerId
            self.result = result
        }
    }

    public var items: [Item]

    public init(items: [Item]) { self.items = items }

    // MARK: - Encoding (the mock)

    /// One success item as the mock writes it (ids as their 24 hex bytes, expiry in microseconds).
    public static func writeEarned(customerId: Int64, earnedBadgeId: [UInt8], issuedId: [UInt8]?, expiresOnMicros: Int64,
                                   status: StaticString, to json: inout JSONWriter) {
        json.raw(#"{"customerId":"#)
        json.integer(customerId)
        json.raw(#","earnedBadgeId":""#)
        json.raw(earnedBadgeId)
        json.raw(#"","issuedId":"#)
        json.quoted(orNull: issuedId)
        json.raw(#","expiresOn":"#)
        json.secondsWithNanos(micros: expiresOnMicros)
        json.raw(#","status":""#)
        json.raw(status)
        json.raw(#""}"#)
    }

    public static func writeFailed(customerId: Int64, code: Int, message: String, to json: inout JSONWriter) {
        json.raw(#"{"customerId":"#)
        json.integer(customerId)
        json.raw(#","error":{"code":"#)
        json.integer(Int64(code))
        json.raw(#","message":"#)
        json.string(message)
        json.raw("}}")
    }

    /// The envelope around items already written (comma-separated) by the two writers above.
    public static func envelope(items: [UInt8]) -> [UInt8] {
        var json = JSONWriter(capacity: items.count + 64)
        json.raw(#"{"data":{"issuedBadges":["#)
        json.raw(items)
        json.raw(#"]},"errors":[],"warnings":[]}"#)
        return json.bytes
    }

    /// A whole answer from items (tests, and the shape's one definition).
    public func encoded() -> [UInt8] {
        var json = JSONWriter(capacity: 64 + items.count * 160)
        for (index, item) in items.enumerated() {
            if index > 0 { json.raw(",") }
            let customer = item.customerId ?? 0
            switch item.result {
            case .earned(let earned, let issued, let expiresOn, let status):
                json.raw(#"{"customerId":"#)
                json.integer(customer)
                json.raw(#","earnedBadgeId":"#)
                json.string(orNull: earned)
                json.raw(#","issuedId":"#)
                json.string(orNull: issued)
                json.raw(#","expiresOn":"#)
                if let expiresOn { json.raw(Array(String(expiresOn).utf8)) } else { json.raw("null") }
                json.raw(#","status":"#)
                json.string(orNull: status)
                json.raw("}")
            case .failed(let code, let message):
                json.raw(#"{"customerId":"#)
                json.integer(customer)
                json.raw(#","error":{"code":"#)
                if let code { json.integer(Int64(code)) } else { json.raw("null") }
                json.raw(#","message":"#)
                json.string(message)
                json.raw("}}")
            }
        }
        return Self.envelope(items: json.bytes)
    }

    // MARK: - Decoding (the client)

    /// The items, or nil when the body carries none (a whole-request error, garbage, a truncated
    /// body): the caller then reads it as an error envelope or retries.
    public static func decode(_ body: [UInt8]) -> BulkEarnAnswer? {
        body.withUnsafeBufferPointer { bytes -> BulkEarnAnswer? in
            var scanner = JSONScanner(bytes)
            do {
                var items: [Item]?
                guard try scanner.openObject() else { return nil }
                repeat {
                    let key = try scanner.key()
                    if scanner.isPlain(key, "data"), items == nil {
                        items = try data(&scanner)
                    } else {
                        try scanner.skipValue(depth: 0)
                    }
                } while try scanner.memberFollows()
                scanner.skipWhitespace()
                guard scanner.atEnd, let items else { return nil }
                return BulkEarnAnswer(items: items)
            } catch {
                return nil
            }
        }
    }

    /// `{"issuedBadges":[...]}` or the array itself; nil for anything else.
    private static func data(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> [Item]? {
        if scanner.peek == UInt8(ascii: "[") { return try list(&scanner) }
        guard scanner.peek == UInt8(ascii: "{") else {
            try scanner.skipValue(depth: 0)
            return nil
        }
        var found: [Item]?
        guard try scanner.openObject() else { return nil }
        repeat {
            let key = try scanner.key()
            if scanner.isPlain(key, "issuedBadges"), scanner.peek == UInt8(ascii: "[") {
                found = try list(&scanner)
            } else {
                try scanner.skipValue(depth: 1)
            }
        } while try scanner.memberFollows()
        return found
    }

    private static func list(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> [Item]? {
        _ = scanner.take(UInt8(ascii: "["))
        var items: [Item] = []
        scanner.skipWhitespace()
        if scanner.take(UInt8(ascii: "]")) { return items }
        while true {
            scanner.skipWhitespace()
            guard scanner.peek == UInt8(ascii: "{") else { return nil }
            items.append(try item(&scanner))
            scanner.skipWhitespace()
            if scanner.take(UInt8(ascii: ",")) { continue }
            guard scanner.take(UInt8(ascii: "]")) else { throw JSONScanner.Failure(reason: "expected ',' or ']'", offset: scanner.index) }
            return items
        }
    }

    private static func item(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> Item {
        var customer: Int64?, earned: String?, issued: String?, expiresOn: Double?, status: String?
        var failure: (code: Int?, message: String)?
        guard try scanner.openObject() else { return Item(customerId: nil, result: .failed(code: nil, message: "empty item")) }
        repeat {
            let key = try scanner.key()
            if scanner.isPlain(key, "error"), scanner.peek == UInt8(ascii: "{") {
                failure = try error(&scanner)
            } else if scanner.isPlain(key, "errors"), scanner.peek == UInt8(ascii: "[") {
                failure = try firstError(&scanner) ?? failure
            } else {
                let value = try scanner.value()
                if scanner.isPlain(key, "customerId") {
                    customer = integer(value, scanner)
                } else if scanner.isPlain(key, "earnedBadgeId") {
                    earned = text(value, scanner)
                } else if scanner.isPlain(key, "issuedId") {
                    issued = text(value, scanner)
                } else if scanner.isPlain(key, "expiresOn") {
                    expiresOn = number(value, scanner)
                } else if scanner.isPlain(key, "status") {
                    status = text(value, scanner)
                }
            }
        } while try scanner.memberFollows()
        if let failure { return Item(customerId: customer, result: .failed(code: failure.code, message: failure.message)) }
        return Item(customerId: customer, result: .earned(earnedBadgeId: earned, issuedId: issued, expiresOn: expiresOn, status: status))
    }

    private static func error(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> (code: Int?, message: String) {
        var code: Int?, message = ""
        guard try scanner.openObject() else { return (nil, "") }
        repeat {
            let key = try scanner.key()
            let value = try scanner.value()
            if scanner.isPlain(key, "code") {
                code = integer(value, scanner).map { Int($0) }
            } else if scanner.isPlain(key, "message") {
                message = text(value, scanner) ?? ""
            }
        } while try scanner.memberFollows()
        return (code, message)
    }

    private static func firstError(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> (code: Int?, message: String)? {
        _ = scanner.take(UInt8(ascii: "["))
        var first: (code: Int?, message: String)?
        scanner.skipWhitespace()
        if scanner.take(UInt8(ascii: "]")) { return nil }
        while true {
            scanner.skipWhitespace()
            if scanner.peek == UInt8(ascii: "{") {
                let entry = try error(&scanner)
                if first == nil { first = entry }
            } else {
                try scanner.skipValue(depth: 2)
            }
            scanner.skipWhitespace()
            if scanner.take(UInt8(ascii: ",")) { continue }
            guard scanner.take(UInt8(ascii: "]")) else { throw JSONScanner.Failure(reason: "expected ',' or ']'", offset: scanner.index) }
            return first
        }
    }

    private static func text(_ value: JSONScanner.Value, _ scanner: JSONScanner) -> String? {
        if case .string(let text) = value { return scanner.string(text) }
        if case .number(let literal) = value { return String(decoding: UnsafeBufferPointer(rebasing: scanner.bytes[literal]), as: UTF8.self) }
        return nil
    }

    /// A whole number, as a number or a string of digits.
    private static func integer(_ value: JSONScanner.Value, _ scanner: JSONScanner) -> Int64? {
        switch value {
        case .number(let literal):
            let digits = UnsafeBufferPointer(rebasing: scanner.bytes[literal])
            if digits.first == UInt8(ascii: "-") { return Int64(String(decoding: digits, as: UTF8.self)) }
            return EarnRequestBody.positiveInteger(digits) ?? (digits.elementsEqual([UInt8(ascii: "0")]) ? 0 : nil)
        case .string(let text):
            return EarnRequestBody.positiveInteger(scanner.string(text).utf8)
        default:
            return nil
        }
    }

    /// The literal as written (no rounding through another type), or a number in a string.
    private static func number(_ value: JSONScanner.Value, _ scanner: JSONScanner) -> Double? {
        switch value {
        case .number(let literal): return Double(String(decoding: UnsafeBufferPointer(rebasing: scanner.bytes[literal]), as: UTF8.self))
        case .string(let text): return Double(scanner.string(text))
        default: return nil
        }
    }
}
