/// A JSON value as the importer cares about it: scalars kept (numbers as their literal text,
/// so `12.5` and `1e6` can be told apart from integers), nested values only as "nested".
enum JSONCell: Equatable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case nested(String)
}

/// A byte-level scanner for one JSONL line holding a flat object. Faster than
/// JSONSerialization by several times because it builds only the strings it returns and no
/// Foundation objects. Full JSON grammar (RFC 8259): string escapes including `\uXXXX` and
/// surrogate pairs, numbers, true/false/null; nested objects and arrays are validated and
/// skipped. Never traps on any input (fuzzed).
struct FlatJSONScanner {
    enum Outcome: Equatable {
        case object([(key: String, value: JSONCell)])
        case notObject(kind: String)
        case malformed(reason: String, offset: Int)
        /// More than `maxKeys` members: the object is not looked at further.
        case tooManyKeys(limit: Int)

        static func == (lhs: Outcome, rhs: Outcome) -> Bool {
            switch (lhs, rhs) {
            case let (.object(a), .object(b)): return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
            case let (.notObject(a), .notObject(b)): return a == b
            case let (.malformed(a, x), .malformed(b, y)): return a == b && x == y
            case let (.tooManyKeys(a), .tooManyKeys(b)): return a == b
            default: return false
            }
        }
    }

    private struct Failure: Error { var reason: String; var offset: Int }
    private struct TooManyKeys: Error {}

    static let maxDepth = 256
    /// Members kept per object, like CSV's `CSVRecordReader.maxCells`: a line of a million tiny
    /// keys (within the 1 MiB line limit) would otherwise build a million strings.
    static let maxKeys = 1_000

    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        var scanner = FlatJSONScanner(bytes)
        do {
            scanner.skipWhitespace()
            guard scanner.i < bytes.count else { throw Failure(reason: "empty", offset: 0) }
            let first = bytes[scanner.i]
            if first != UInt8(ascii: "{") {
                let kind: String
                switch first {
                case UInt8(ascii: "["): kind = "an array"
                case UInt8(ascii: "\""): kind = "a string"
                case UInt8(ascii: "t"), UInt8(ascii: "f"): kind = "a boolean"
                case UInt8(ascii: "n"): kind = "null"
                default: kind = "a number"
                }
                try scanner.skipValue(depth: 0)
                scanner.skipWhitespace()
                guard scanner.i == bytes.count else { throw Failure(reason: "unexpected text after the value", offset: scanner.i) }
                return .notObject(kind: kind)
            }
            let members = try scanner.parseObject()
            scanner.skipWhitespace()
            guard scanner.i == bytes.count else { throw Failure(reason: "unexpected text after the object", offset: scanner.i) }
            return .object(members)
        } catch let failure as Failure {
            return .malformed(reason: failure.reason, offset: failure.offset)
        } catch is TooManyKeys {
            return .tooManyKeys(limit: maxKeys)
        } catch {
            return .malformed(reason: "\(error)", offset: scanner.i)
        }
    }

    private mutating func parseObject() throws -> [(key: String, value: JSONCell)] {
        var members: [(key: String, value: JSONCell)] = []
        members.reserveCapacity(8)
        i += 1 // {
        skipWhitespace()
        if peek() == UInt8(ascii: "}") { i += 1; return members }
        while true {
            skipWhitespace()
            guard peek() == UInt8(ascii: "\"") else { throw Failure(reason: "expected a key in double quotes", offset: i) }
            guard members.count < FlatJSONScanner.maxKeys else { throw TooManyKeys() }
            let key = try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else { throw Failure(reason: "expected ':' after a key", offset: i) }
            i += 1
            skipWhitespace()
            let value = try parseCell()
            members.append((key, value))
            skipWhitespace()
            switch peek() {
            case UInt8(ascii: ","): i += 1
            case UInt8(ascii: "}"): i += 1; return members
            default: throw Failure(reason: "expected ',' or '}'", offset: i)
            }
        }
    }

    private mutating func parseCell() throws -> JSONCell {
        guard let c = peek() else { throw Failure(reason: "expected a value", offset: i) }
        switch c {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = i
            try skipValue(depth: 0)
            return .nested(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        default:
            let start = i
            try skipNumber()
            return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
        }
    }

    private mutating func skipValue(depth: Int) throws {
        guard depth < FlatJSONScanner.maxDepth else { throw Failure(reason: "nested too deeply", offset: i) }
        guard let c = peek() else { throw Failure(reason: "expected a value", offset: i) }
        switch c {
        case UInt8(ascii: "\""): _ = try parseString()
        case UInt8(ascii: "{"):
            i += 1; skipWhitespace()
            if peek() == UInt8(ascii: "}") { i += 1; return }
            while true {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\"") else { throw Failure(reason: "expected a key in double quotes", offset: i) }
                _ = try parseString()
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw Failure(reason: "expected ':' after a key", offset: i) }
                i += 1; skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "}"): i += 1; return
                default: throw Failure(reason: "expected ',' or '}'", offset: i)
                }
            }
        case UInt8(ascii: "["):
            i += 1; skipWhitespace()
            if peek() == UInt8(ascii: "]") { i += 1; return }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                switch peek() {
                case UInt8(ascii: ","): i += 1
                case UInt8(ascii: "]"): i += 1; return
                default: throw Failure(reason: "expected ',' or ']'", offset: i)
                }
            }
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        default: try skipNumber()
        }
    }

    private mutating func expectLiteral(_ word: StaticString) throws {
        let n = word.utf8CodeUnitCount
        guard bytes.count - i >= n else { throw Failure(reason: "invalid literal", offset: i) }
        let w = word.utf8Start
        for k in 0..<n where bytes[i + k] != w[k] { throw Failure(reason: "invalid literal", offset: i) }
        i += n
    }

    /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
    private mutating func skipNumber() throws {
        let start = i
        if peek() == UInt8(ascii: "-") { i += 1 }
        guard let d = peek(), isDigit(d) else { throw Failure(reason: "invalid value", offset: start) }
        if d == UInt8(ascii: "0") { i += 1 } else { while let c = peek(), isDigit(c) { i += 1 } }
        if peek() == UInt8(ascii: ".") {
            i += 1
            guard let c = peek(), isDigit(c) else { throw Failure(reason: "invalid number", offset: start) }
            while let c = peek(), isDigit(c) { i += 1 }
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            i += 1
            if let s = peek(), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { i += 1 }
            guard let c = peek(), isDigit(c) else { throw Failure(reason: "invalid number", offset: start) }
            while let c = peek(), isDigit(c) { i += 1 }
        }
    }

    private mutating func parseString() throws -> String {
        let start = i
        i += 1 // opening quote
        let contentStart = i
        // Fast path: no escapes.
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[contentStart..<i])
                i += 1
                let decoded = UTF8Text.decode(slice)
                guard decoded.valid else { throw Failure(reason: "invalid UTF-8 in a string", offset: start) }
                return decoded.text
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw Failure(reason: "control character in a string", offset: i) }
            i += 1
        }
        guard i < bytes.count else { throw Failure(reason: "unterminated string", offset: start) }
        var out = [UInt8](UnsafeBufferPointer(rebasing: bytes[contentStart..<i]))
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                guard let text = String(validating: out, as: UTF8.self) else {
                    throw Failure(reason: "invalid UTF-8 in a string", offset: start)
                }
                return text
            }
            if c < 0x20 { throw Failure(reason: "control character in a string", offset: i) }
            if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
            i += 1
            guard let e = peek() else { break }
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw Failure(reason: "unpaired surrogate in \\u escape", offset: i)
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw Failure(reason: "unpaired surrogate in \\u escape", offset: i) }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw Failure(reason: "unpaired surrogate in \\u escape", offset: i)
                }
                guard let u = Unicode.Scalar(scalar) else { throw Failure(reason: "invalid \\u escape", offset: i) }
                out.append(contentsOf: UTF8.encode(u)!)
            default:
                throw Failure(reason: "invalid escape \\\(Character(Unicode.Scalar(e)))", offset: i - 2)
            }
        }
        throw Failure(reason: "unterminated string", offset: start)
    }

    private mutating func hex4() throws -> UInt32 {
        guard bytes.count - i >= 4 else { throw Failure(reason: "invalid \\u escape", offset: i) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw Failure(reason: "invalid \\u escape", offset: i)
            }
            value = value << 4 | digit
            i += 1
        }
        return value
    }

    @inline(__always) private func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }
    @inline(__always) private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    @inline(__always) private mutating func skipWhitespace() {
        while i < bytes.count {
            let c = bytes[i]
            guard c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D else { return }
            i += 1
        }
    }
}
