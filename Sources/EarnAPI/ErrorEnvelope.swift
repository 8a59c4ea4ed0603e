/// The answer to a refused call: `{"data":null,"errors":[{"code","message","reference"}],"warnings":null}`.
/// The mock writes it for every refusal; the client reads it without Foundation.
///
/// Reading accepts strictly less than JSONSerialization, so that whichever path reads a body,
/// the client classifies it the same: anything beyond the shape above (string codes, extra or
/// repeated members, warnings, a non-null `data`, escaped names) answers nil and the caller
/// falls back to its general path.
public struct ErrorEnvelope: Sendable, Equatable {
    public var errors: [APIError]

    public init(errors: [APIError]) { self.errors = errors }

    public func encoded() -> [UInt8] {
        var json = JSONWriter(capacity: 96 + errors.count * 96)
        json.raw(#"{"data":null,"errors":["#)
        for (index, error) in errors.enumerated() {
            if index > 0 { json.raw(",") }
            json.raw(#"{"code":"#)
            json.integer(Int64(error.code))
            json.raw(#","message":"#)
            json.string(error.message)
            json.raw(#","reference":"#)
            json.string(orNull: error.reference)
            json.raw("}")
        }
        json.raw(#"],"warnings":null}"#)
        return json.bytes
    }

    public static func decode(_ body: [UInt8]) -> ErrorEnvelope? {
        body.withUnsafeBufferPointer { bytes -> ErrorEnvelope? in
            var scanner = JSONScanner(bytes)
            do {
                var errors: [APIError]?
                var seenData = false, seenWarnings = false
                guard try scanner.openObject() else { return nil }
                repeat {
                    let key = try scanner.key()
                    if scanner.isPlain(key, "errors"), errors == nil {
                        guard let list = try entries(&scanner) else { return nil }
                        errors = list
                    } else if scanner.isPlain(key, "data"), !seenData {
                        try scanner.expectLiteral("null")
                        seenData = true
                    } else if scanner.isPlain(key, "warnings"), !seenWarnings {
                        guard try AnswerShape.emptyArrayOrNull(&scanner) else { return nil }
                        seenWarnings = true
                    } else {
                        return nil
                    }
                } while try scanner.memberFollows()
                scanner.skipWhitespace()
                guard scanner.atEnd, let errors else { return nil }
                return ErrorEnvelope(errors: errors)
            } catch {
                return nil
            }
        }
    }

    /// `[{"code":809,"message":"...","reference":null}, ...]`; nil for any other shape.
    private static func entries(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> [APIError]? {
        guard scanner.take(UInt8(ascii: "[")) else { return nil }
        var list: [APIError] = []
        scanner.skipWhitespace()
        if scanner.take(UInt8(ascii: "]")) { return list }
        while true {
            scanner.skipWhitespace()
            guard scanner.peek == UInt8(ascii: "{"), let entry = try entry(&scanner) else { return nil }
            list.append(entry)
            scanner.skipWhitespace()
            if scanner.take(UInt8(ascii: ",")) { continue }
            return scanner.take(UInt8(ascii: "]")) ? list : nil
        }
    }

    private static func entry(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> APIError? {
        var code: Int?, message: String?, reference: String??
        guard try scanner.openObject() else { return nil }
        repeat {
            let key = try scanner.key()
            let value = try scanner.value()
            if scanner.isPlain(key, "code"), code == nil, case .number(let literal) = value {
                guard let integer = AnswerShape.integer(scanner, literal) else { return nil }
                code = integer
            } else if scanner.isPlain(key, "message"), message == nil, case .string(let text) = value {
                message = scanner.string(text)
            } else if scanner.isPlain(key, "reference"), reference == nil {
                switch value {
                case .string(let text): reference = .some(scanner.string(text))
                case .null: reference = .some(nil)
                default: return nil
                }
            } else {
                return nil
            }
        } while try scanner.memberFollows()
        guard let code, let message else { return nil }
        return APIError(code: code, message: message, reference: reference ?? nil)
    }
}
