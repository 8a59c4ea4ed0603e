/// Small readings both answer decoders share.
enum AnswerShape {
    /// `[]` (spaces allowed inside) or `null`.
    static func emptyArrayOrNull(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> Bool {
        if scanner.peek == UInt8(ascii: "n") {
            try scanner.expectLiteral("null")
            return true
        }
        guard scanner.take(UInt8(ascii: "[")) else { return false }
        scanner.skipWhitespace()
        return scanner.take(UInt8(ascii: "]"))
    }

    /// A whole-number literal of at most 15 digits (where Foundation's reading of it is exact
    /// and prints without a fraction); nil for fractions, exponents and longer numbers.
    static func integer(_ scanner: JSONScanner, _ literal: Range<Int>) -> Int? {
        let digits = UnsafeBufferPointer(rebasing: scanner.bytes[literal])
        let body = digits.first == UInt8(ascii: "-") ? UnsafeBufferPointer(rebasing: digits.dropFirst()) : digits
        guard body.count <= 15, body.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }
}
