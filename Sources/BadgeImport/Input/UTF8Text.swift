/// Bytes → String with UTF-8 validation, fast for the common all-ASCII cell.
enum UTF8Text {
    /// The text (invalid sequences replaced by U+FFFD) and whether the bytes were valid UTF-8.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> (text: String, valid: Bool) {
        if bytes.isEmpty { return ("", true) }
        var high: UInt8 = 0
        for b in bytes { high |= b }
        if high < 0x80 { return (String(decoding: bytes, as: UTF8.self), true) }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, true) }
        return (String(decoding: bytes, as: UTF8.self), false)
    }
}
