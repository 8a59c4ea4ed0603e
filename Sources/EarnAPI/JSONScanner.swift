/// The one JSON scanner of the project: a byte cursor that the JSONL input reader, the client's
/// answer decoder and the mock's request decoder all drive. Every body on the earn API's hot
/// paths is a flat object (plus `triggeredBy` and `errors`), so callers walk members themselves
/// and the scanner builds nothing it is not asked for: no Foundation objects, and a String only
/// for a string that has escapes or non-ASCII text. Full RFC 8259 syntax is checked, including
/// for values that are skipped; it never traps on any input (the JSONL reader is fuzzed).
public struct JSONScanner {
    /// Where and why the bytes stopped being JSON. Offsets are 0-based byte positions.
    public struct Failure: Error, Equatable, Sendable {
        public var reason: String
        public var offset: Int

        public init(reason: String, offset: Int) {
            self.reason = reason
            self.offset = offset
        }
    }

    /// The two sides disagree today on text that is not valid Unicode, and each keeps its rule:
    /// the importer refuses the row (a bad byte in an id must not be sent on), the mock, like a
    /// lenient server, replaces it with U+FFFD and lets its field rules answer.
    public enum InvalidText: Sendable {
        case refuse
        case replace
    }

    /// A string's content: its bytes when they are the text, or the text built while scanning.
    public enum Text {
        /// No escapes and only ASCII: the bytes in this range are the text.
        case ascii(Range<Int>)
        /// Escapes resolved, or non-ASCII text checked (or repaired, under `.replace`).
        case built(String)
    }

    /// One value as flat readers see it; containers are validated and skipped.
    public enum Value {
        case string(Text)
        /// The literal as sent, so `12.5` and `1e6` can be told from integers.
        case number(Range<Int>)
        case bool(Bool)
        case null
        /// An object or array, the range its raw text spans.
        case nested(Range<Int>)
    }

    public let bytes: UnsafeBufferPointer<UInt8>
    public var index = 0
    let invalidText: InvalidText
    /// How deep values may nest below the member being read (the importer allowed 256 levels,
    /// counting scalars; the mock 64 containers including the body itself).
    let maxDepth: Int
    let scalarsCountTowardDepth: Bool

    public init(_ bytes: UnsafeBufferPointer<UInt8>, invalidText: InvalidText = .refuse,
                maxDepth: Int = 256, scalarsCountTowardDepth: Bool = true) {
        self.bytes = bytes
        self.invalidText = invalidText
        self.maxDepth = maxDepth
        self.scalarsCountTowardDepth = scalarsCountTowardDepth
    }

    @inline(__always) public var peek: UInt8? { index < bytes.count ? bytes[index] : nil }
    public var atEnd: Bool { index >= bytes.count }

    @inline(__always) public mutating func skipWhitespace() {
        while index < bytes.count {
            let c = bytes[index]
            guard c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D else { return }
            index += 1
        }
    }

    /// Consumes `byte` if it is next.
    @inline(__always) public mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// The text of a scanned string.
    public func string(_ text: Text) -> String {
        switch text {
        case .ascii(let range): return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        case .built(let string): return string
        }
    }

    /// Whether a scanned string is exactly `word` (only plain ASCII strings can be: the earn
    /// API's names are never spelled with escapes, and a key that is may not pass for one).
    public func isPlain(_ text: Text, _ word: StaticString) -> Bool {
        guard case .ascii(let range) = text, range.count == word.utf8CodeUnitCount else { return false }
        let start = word.utf8Start
        for k in 0..<range.count where bytes[range.lowerBound + k] != start[k] { return false }
        return true
    }

    /// After a member's value: true when `,` says another member follows, false after `}`.
    public mutating func memberFollows() throws(Failure) -> Bool {
        skipWhitespace()
        switch peek {
        case UInt8(ascii: ","): index += 1; return true
        case UInt8(ascii: "}"): index += 1; return false
        default: throw Failure(reason: "expected ',' or '}'", offset: index)
        }
    }

    /// A member's key and the `:` after it, leaving the cursor at the value.
    public mutating func key() throws(Failure) -> Text {
        skipWhitespace()
        guard peek == UInt8(ascii: "\"") else { throw Failure(reason: "expected a key in double quotes", offset: index) }
        let key = try scanString()
        skipWhitespace()
        guard peek == UInt8(ascii: ":") else { throw Failure(reason: "expected ':' after a key", offset: index) }
        index += 1
        skipWhitespace()
        return key
    }

    /// Consumes `{` and, when the object is empty, its `}` too (answering false).
    public mutating func openObject() throws(Failure) -> Bool {
        skipWhitespace()
        guard take(UInt8(ascii: "{")) else { throw Failure(reason: "expected an object", offset: index) }
        skipWhitespace()
        return !take(UInt8(ascii: "}"))
    }

    /// The value at the cursor; containers are checked and skipped as `.nested`.
    public mutating func value() throws(Failure) -> Value {
        guard let c = peek else { throw Failure(reason: "expected a value", offset: index) }
        switch c {
        case UInt8(ascii: "\""): return .string(try scanString())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let start = index
            try skipValue(depth: 0)
            return .nested(start..<index)
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        default: return .number(try scanNumber())
        }
    }

    /// Checks and skips any value; `depth` is how deep it sits below the member being read.
    public mutating func skipValue(depth: Int) throws(Failure) {
        guard let c = peek else { throw Failure(reason: "expected a value", offset: index) }
        let container = c == UInt8(ascii: "{") || c == UInt8(ascii: "[")
        if depth >= maxDepth && (container || scalarsCountTowardDepth) {
            throw Failure(reason: "nested too deeply", offset: index)
        }
        switch c {
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "{"):
            index += 1; skipWhitespace()
            if take(UInt8(ascii: "}")) { return }
            repeat {
                _ = try key()
                try skipValue(depth: depth + 1)
            } while try memberFollows()
        case UInt8(ascii: "["):
            index += 1; skipWhitespace()
            if take(UInt8(ascii: "]")) { return }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1)
                skipWhitespace()
                switch peek {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"): index += 1; return
                default: throw Failure(reason: "expected ',' or ']'", offset: index)
                }
            }
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        default: _ = try scanNumber()
        }
    }

    public mutating func expectLiteral(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard bytes.count - index >= n else { throw Failure(reason: "invalid literal", offset: index) }
        let w = word.utf8Start
        for k in 0..<n where bytes[index + k] != w[k] { throw Failure(reason: "invalid literal", offset: index) }
        index += n
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; the literal's range.
    public mutating func scanNumber() throws(Failure) -> Range<Int> {
        let start = index
        _ = take(UInt8(ascii: "-"))
        guard let d = peek, isDigit(d) else { throw Failure(reason: "invalid value", offset: start) }
        if d == UInt8(ascii: "0") { index += 1 } else { skipDigits() }
        if take(UInt8(ascii: ".")) {
            guard let c = peek, isDigit(c) else { throw Failure(reason: "invalid number", offset: start) }
            skipDigits()
        }
        if let e = peek, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            index += 1
            if let s = peek, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { index += 1 }
            guard let c = peek, isDigit(c) else { throw Failure(reason: "invalid number", offset: start) }
            skipDigits()
        }
        return start..<index
    }

    /// A string token at the cursor (which is at its opening quote).
    public mutating func scanString() throws(Failure) -> Text {
        let start = index
        index += 1
        let contentStart = index
        var high: UInt8 = 0
        // Nearly every string: no escapes, so no copy.
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                let range = contentStart..<index
                index += 1
                if high < 0x80 { return .ascii(range) }
                return .built(try checkedText(UnsafeBufferPointer(rebasing: bytes[range]), start: start))
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw Failure(reason: "control character in a string", offset: index) }
            high |= c
            index += 1
        }
        guard index < bytes.count else { throw Failure(reason: "unterminated string", offset: start) }
        var escapes = JSONEscapes(invalidText: invalidText)
        escapes.out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[contentStart..<index]))
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                index += 1
                return .built(try escapes.finish(start: start))
            }
            if c < 0x20 { throw Failure(reason: "control character in a string", offset: index) }
            if c != UInt8(ascii: "\\") { escapes.plain(c); index += 1; continue }
            guard index + 1 < bytes.count else { break }
            index += 2
            try escapes.escape(bytes[index - 1], scanner: &self)
        }
        throw Failure(reason: "unterminated string", offset: start)
    }

    /// Four hex digits of a `\u` escape.
    mutating func hex4() throws(Failure) -> UInt32 {
        guard bytes.count - index >= 4 else { throw Failure(reason: "invalid \\u escape", offset: index) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw Failure(reason: "invalid \\u escape", offset: index)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private func checkedText(_ slice: UnsafeBufferPointer<UInt8>, start: Int) throws(Failure) -> String {
        switch invalidText {
        case .replace: return String(decoding: slice, as: UTF8.self)
        case .refuse:
            guard let text = String(validating: slice, as: UTF8.self) else {
                throw Failure(reason: "invalid UTF-8 in a string", offset: start)
            }
            return text
        }
    }

    @inline(__always) private mutating func skipDigits() {
        while let c = peek, isDigit(c) { index += 1 }
    }

    @inline(__always) private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }
}
