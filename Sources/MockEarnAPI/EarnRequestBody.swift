/// The earn request body as sent, before any rule is applied, read by a small hand-written JSON
/// scanner: the body is a flat object with one nested `triggeredBy`, and Foundation's decoders
/// would cost more than everything else the mock does per request. The scanner checks full JSON
/// syntax (unknown keys and nested values are skipped, not trusted); `nil` from `parse` means the
/// body is not a JSON object.
struct EarnRequestBody {
    enum CustomerID: Equatable {
        case missing
        case value(Int64)
        /// Present but not a positive integer (number or digit string).
        case invalid
    }

    var badgeMetaId: String?
    var customerId: CustomerID = .missing
    var requestId: String?
    var earnEventDate: String?
    var earnEventDateISO: String?
    var ownerType: String?
    var referenceId: String?

    static func parse(_ bytes: UnsafeRawBufferPointer) -> EarnRequestBody? {
        var scanner = JSONScanner(bytes: bytes)
        var body = EarnRequestBody()
        let ok = scanner.object { scanner, key in
            switch key {
            case .badgeMetaId: return scanner.optionalString(into: &body.badgeMetaId)
            case .requestId: return scanner.optionalString(into: &body.requestId)
            case .earnEventDate: return scanner.optionalString(into: &body.earnEventDate)
            case .earnEventDateISO: return scanner.optionalString(into: &body.earnEventDateISO)
            case .customerId: return scanner.customerID(into: &body.customerId)
            case .triggeredBy:
                scanner.skipWhitespace()
                if scanner.peek == UInt8(ascii: "{") {
                    return scanner.object { scanner, key in
                        switch key {
                        case .ownerType: return scanner.optionalString(into: &body.ownerType)
                        case .referenceId: return scanner.optionalString(into: &body.referenceId)
                        default: return scanner.skipValue()
                        }
                    }
                }
                return scanner.skipValue()
            default: return scanner.skipValue()
            }
        }
        guard ok else { return nil }
        scanner.skipWhitespace()
        return scanner.atEnd ? body : nil
    }
}

/// The OAuth token request body `{"key": "...", "secret": "..."}`.
struct TokenRequestBody {
    var key: String?
    var secret: String?

    static func parse(_ bytes: UnsafeRawBufferPointer) -> TokenRequestBody? {
        var scanner = JSONScanner(bytes: bytes)
        var body = TokenRequestBody()
        let ok = scanner.object { scanner, key in
            switch key {
            case .key: return scanner.optionalString(into: &body.key)
            case .secret: return scanner.optionalString(into: &body.secret)
            default: return scanner.skipValue()
            }
        }
        guard ok else { return nil }
        scanner.skipWhitespace()
        return scanner.atEnd ? body : nil
    }
}

/// A validating JSON scanner over raw bytes for the few bodies the mock reads.
struct JSONScanner {
    /// The keys the mock cares about; everything else is `.other`.
    enum Key {
        case badgeMetaId, customerId, requestId, earnEventDate, earnEventDateISO, triggeredBy
        case ownerType, referenceId, key, secret, other

        init(_ bytes: UnsafeRawBufferPointer) {
            switch bytes.count {
            case 3 where bytes.elementsEqual("key".utf8): self = .key
            case 6 where bytes.elementsEqual("secret".utf8): self = .secret
            case 9 where bytes.elementsEqual("requestId".utf8): self = .requestId
            case 9 where bytes.elementsEqual("ownerType".utf8): self = .ownerType
            case 10 where bytes.elementsEqual("customerId".utf8): self = .customerId
            case 11 where bytes.elementsEqual("badgeMetaId".utf8): self = .badgeMetaId
            case 11 where bytes.elementsEqual("triggeredBy".utf8): self = .triggeredBy
            case 11 where bytes.elementsEqual("referenceId".utf8): self = .referenceId
            case 13 where bytes.elementsEqual("earnEventDate".utf8): self = .earnEventDate
            case 16 where bytes.elementsEqual("earnEventDateISO".utf8): self = .earnEventDateISO
            default: self = .other
            }
        }
    }

    let bytes: UnsafeRawBufferPointer
    var index = 0
    private var depth = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0a, 0x0d: index += 1
            default: return
            }
        }
    }

    /// Reads `{ "key": value, ... }`, handing each key to `member`, which must consume the value.
    mutating func object(_ member: (inout JSONScanner, Key) -> Bool) -> Bool {
        skipWhitespace()
        guard peek == UInt8(ascii: "{") else { return false }
        index += 1
        depth += 1
        guard depth <= 64 else { return false }
        defer { depth -= 1 }
        skipWhitespace()
        if peek == UInt8(ascii: "}") {
            index += 1
            return true
        }
        while true {
            skipWhitespace()
            guard let keyRange = rawString() else { return false }
            let key: Key
            if let keyRange = keyRange.plain {
                key = Key(UnsafeRawBufferPointer(rebasing: bytes[keyRange]))
            } else {
                key = .other  // escaped key: none of ours is spelled with escapes
            }
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { return false }
            index += 1
            guard member(&self, key) else { return false }
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return true
            default: return false
            }
        }
    }

    /// A string value, or `null` (leaves `target` nil). Anything else is a type error: the
    /// mock treats it as the field being absent and lets the rules answer.
    mutating func optionalString(into target: inout String?) -> Bool {
        skipWhitespace()
        if peek == UInt8(ascii: "\"") {
            guard let text = string() else { return false }
            target = text
            return true
        }
        target = nil
        return skipValue()
    }

    /// customerId as a JSON integer or a string of digits; positive, fits Int64.
    mutating func customerID(into target: inout EarnRequestBody.CustomerID) -> Bool {
        skipWhitespace()
        switch peek ?? 0 {
        case UInt8(ascii: "\""):
            guard let text = string() else { return false }
            if text.isEmpty { target = .missing } else if let value = Self.positiveInteger(text.utf8) { target = .value(value) } else { target = .invalid }
            return true
        case UInt8(ascii: "n"):
            target = .missing
            return skipValue()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = index
            guard number() else { return false }
            let literal = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
            target = Self.positiveInteger(literal).map { .value($0) } ?? .invalid
            return true
        default:
            target = .invalid
            return skipValue()
        }
    }

    static func positiveInteger<Digits: Sequence>(_ digits: Digits) -> Int64? where Digits.Element == UInt8 {
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

    /// Skips any JSON value, checking its syntax.
    mutating func skipValue() -> Bool {
        skipWhitespace()
        guard let char = peek else { return false }
        switch char {
        case UInt8(ascii: "{"): return object { scanner, _ in scanner.skipValue() }
        case UInt8(ascii: "["):
            index += 1
            depth += 1
            guard depth <= 64 else { return false }
            defer { depth -= 1 }
            skipWhitespace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return true
            }
            while true {
                guard skipValue() else { return false }
                skipWhitespace()
                switch peek {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"): index += 1; return true
                default: return false
                }
            }
        case UInt8(ascii: "\""): return rawString() != nil
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { UnsafeRawBufferPointer($0).elementsEqual(bytes[index..<index + count]) }
        guard matches else { return false }
        index += count
        return true
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`
    private mutating func number() -> Bool {
        if peek == UInt8(ascii: "-") { index += 1 }
        guard let first = peek, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9") else { return false }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { return false }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { return false }
        }
        return true
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = index
        while let char = peek, char >= UInt8(ascii: "0"), char <= UInt8(ascii: "9") { index += 1 }
        return index - start
    }

    /// Where a string's contents lie: `plain` when it has no escapes (the usual case).
    struct StringSpan {
        var range: Range<Int>
        var hasEscapes: Bool
        var plain: Range<Int>? { hasEscapes ? nil : range }
    }

    /// Scans a string token and checks it (escapes valid, no raw control characters).
    private mutating func rawString() -> StringSpan? {
        guard peek == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        var hasEscapes = false
        while index < bytes.count {
            let char = bytes[index]
            if char == UInt8(ascii: "\"") {
                let span = StringSpan(range: start..<index, hasEscapes: hasEscapes)
                index += 1
                return span
            }
            if char < 0x20 { return nil }
            if char == UInt8(ascii: "\\") {
                hasEscapes = true
                index += 1
                guard index < bytes.count else { return nil }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    guard index + 4 < bytes.count else { return nil }
                    for offset in 1...4 where Hex.value(bytes[index + offset]) == nil { return nil }
                    index += 5
                default: return nil
                }
                continue
            }
            index += 1
        }
        return nil
    }

    /// A string token decoded to a Swift String (escapes resolved, surrogate pairs joined).
    mutating func string() -> String? {
        guard let span = rawString() else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[span.range])
        guard span.hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        var pendingHigh: UInt32?
        func appendScalar(_ value: UInt32) {
            let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
        while i < raw.count {
            let char = raw[i]
            guard char == UInt8(ascii: "\\") else {
                if let high = pendingHigh { appendScalar(high); pendingHigh = nil }
                out.append(char)
                i += 1
                continue
            }
            let escape = raw[i + 1]
            i += 2
            if escape == UInt8(ascii: "u") {
                var value: UInt32 = 0
                for offset in 0..<4 { value = value << 4 | UInt32(Hex.value(raw[i + offset]) ?? 0) }
                i += 4
                if let high = pendingHigh {
                    pendingHigh = nil
                    if (0xdc00...0xdfff).contains(value) {
                        appendScalar(0x10000 + ((high - 0xd800) << 10) + (value - 0xdc00))
                        continue
                    }
                    appendScalar(high)
                }
                if (0xd800...0xdbff).contains(value) { pendingHigh = value } else { appendScalar(value) }
                continue
            }
            if let high = pendingHigh { appendScalar(high); pendingHigh = nil }
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0c)
            case UInt8(ascii: "n"): out.append(0x0a)
            case UInt8(ascii: "r"): out.append(0x0d)
            case UInt8(ascii: "t"): out.append(0x09)
            default: out.append(escape)  // " \ /
            }
        }
        if let high = pendingHigh { appendScalar(high) }
        return String(decoding: out, as: UTF8.self)
    }
}
