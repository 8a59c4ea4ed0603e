/// The slow path of `JSONScanner.scanString`: a string with escapes, built byte by byte.
/// Surrogates follow the scanner's `InvalidText` rule: refused when unpaired (the importer's
/// rule), or replaced by U+FFFD as the mock always did.
struct JSONEscapes {
    let invalidText: JSONScanner.InvalidText
    var out: [UInt8] = []
    /// Under `.replace`: a high surrogate waiting for its low half.
    private var pendingHigh: UInt32?

    init(invalidText: JSONScanner.InvalidText) {
        self.invalidText = invalidText
        out.reserveCapacity(32)
    }

    mutating func plain(_ byte: UInt8) {
        flushPending()
        out.append(byte)
    }

    /// `escape` is the byte after the backslash; the scanner's cursor is just past it.
    mutating func escape(_ escape: UInt8, scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        let simple: UInt8
        switch escape {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            let value = try scanner.hex4()
            switch invalidText {
            case .refuse: try unicodeRefusingUnpaired(value, scanner: &scanner)
            case .replace: unicodeReplacingUnpaired(value)
            }
            return
        default:
            throw JSONScanner.Failure(reason: "invalid escape \\\(Character(Unicode.Scalar(escape)))", offset: scanner.index - 2)
        }
        plain(simple)
    }

    mutating func finish(start: Int) throws(JSONScanner.Failure) -> String {
        flushPending()
        switch invalidText {
        case .replace: return String(decoding: out, as: UTF8.self)
        case .refuse:
            guard let text = String(validating: out, as: UTF8.self) else {
                throw JSONScanner.Failure(reason: "invalid UTF-8 in a string", offset: start)
            }
            return text
        }
    }

    private mutating func unicodeRefusingUnpaired(_ value: UInt32, scanner: inout JSONScanner) throws(JSONScanner.Failure) {
        var scalar = value
        let bytes = scanner.bytes
        if (0xD800...0xDBFF).contains(scalar) {
            let i = scanner.index
            guard bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                throw JSONScanner.Failure(reason: "unpaired surrogate in \\u escape", offset: i)
            }
            scanner.index += 2
            let low = try scanner.hex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw JSONScanner.Failure(reason: "unpaired surrogate in \\u escape", offset: scanner.index)
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw JSONScanner.Failure(reason: "unpaired surrogate in \\u escape", offset: scanner.index)
        }
        guard let u = Unicode.Scalar(scalar) else {
            throw JSONScanner.Failure(reason: "invalid \\u escape", offset: scanner.index)
        }
        append(u)
    }

    private mutating func unicodeReplacingUnpaired(_ value: UInt32) {
        if let high = pendingHigh {
            pendingHigh = nil
            if (0xDC00...0xDFFF).contains(value) {
                append(Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (value - 0xDC00)) ?? "\u{FFFD}")
                return
            }
            append("\u{FFFD}")
        }
        if (0xD800...0xDBFF).contains(value) {
            pendingHigh = value
        } else {
            append(Unicode.Scalar(value) ?? "\u{FFFD}")
        }
    }

    private mutating func flushPending() {
        if pendingHigh != nil {
            pendingHigh = nil
            append("\u{FFFD}")
        }
    }

    private mutating func append(_ scalar: Unicode.Scalar) {
        out.append(contentsOf: UTF8.encode(scalar)!)
    }
}
