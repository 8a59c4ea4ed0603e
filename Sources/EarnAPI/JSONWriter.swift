/// Appends JSON to a byte buffer by hand: an earn body is built once per row by the client and
/// once per answer by the mock, and JSONEncoder costs more than the rest of that work.
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    @inline(__always) public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) public mutating func raw(_ text: [UInt8]) {
        bytes.append(contentsOf: text)
    }

    /// A JSON string literal. Swift strings are valid Unicode, so non-ASCII passes through as
    /// UTF-8; quotes, backslashes and C0 controls are escaped as RFC 8259 requires.
    public mutating func string(_ text: String) {
        bytes.append(34)
        for byte in text.utf8 {
            switch byte {
            case 34: bytes.append(92); bytes.append(34)
            case 92: bytes.append(92); bytes.append(92)
            case 10: bytes.append(92); bytes.append(110)
            case 13: bytes.append(92); bytes.append(114)
            case 9: bytes.append(92); bytes.append(116)
            case 8: bytes.append(92); bytes.append(98)
            case 12: bytes.append(92); bytes.append(102)
            case 0..<32:
                let hex: StaticString = "0123456789abcdef"
                let digits = hex.utf8Start
                bytes.append(contentsOf: [92, 117, 48, 48, digits[Int(byte >> 4)], digits[Int(byte & 15)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(34)
    }

    /// Bytes that need no escaping (hex ids) as a JSON string, or `null` when there are none.
    public mutating func quoted(orNull text: [UInt8]?) {
        guard let text else { return raw("null") }
        bytes.append(34)
        bytes.append(contentsOf: text)
        bytes.append(34)
    }

    /// A string, or `null` when there is none.
    public mutating func string(orNull text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    public mutating func integer(_ value: Int64) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// `1726809439.822462000`: epoch seconds with a nine-digit fraction, as the API shows
    /// `expiresOn` (microseconds are all the mock keeps, so the last three digits are 0).
    public mutating func secondsWithNanos(micros: Int64) {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        var rest = micros - seconds * 1_000_000
        integer(seconds)
        bytes.append(UInt8(ascii: "."))
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (48, 48, 48, 48, 48, 48)
        withUnsafeMutableBytes(of: &digits) { out in
            for index in stride(from: 5, through: 0, by: -1) {
                out[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
            bytes.append(contentsOf: out)
        }
        raw("000")
    }
}
