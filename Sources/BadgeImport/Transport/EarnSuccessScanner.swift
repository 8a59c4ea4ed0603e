/// A hand-written reader for the one body nearly every earn answer has: a 2xx with
/// `{"data":{...flat scalars...},"errors":[],"warnings":[]}`. JSONSerialization builds a
/// Foundation dictionary per answer (bridging, boxing, a Data copy), which was the largest
/// share of the client's own CPU per row; this scan allocates only the receipt's strings.
///
/// It accepts strictly less than JSONSerialization: anything it does not fully understand
/// (escapes, non-ASCII, nested values in `data`, a non-empty `errors` or `warnings`, repeated
/// or extra top-level keys) answers nil, and the caller falls back to the general path, so
/// the classification is the same whichever path reads the body.
enum EarnSuccessScanner {
    /// The receipt of a plain earned answer, or nil when the general path must decide.
    static func receipt(in body: [UInt8]) -> EarnReceipt? {
        body.withUnsafeBufferPointer { bytes -> EarnReceipt? in
            var scanner = Scanner(bytes: bytes)
            return scanner.topLevel()
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func topLevel() -> EarnReceipt? {
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return nil }
            var receipt: EarnReceipt?
            var seenErrors = false, seenWarnings = false
            skipSpace()
            if take(UInt8(ascii: "}")) { return nil }
            while true {
                skipSpace()
                guard let key = stringRange() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                if equals(key, "data") {
                    guard receipt == nil, let data = dataObject() else { return nil }
                    receipt = data
                } else if equals(key, "errors") {
                    guard !seenErrors, emptyArrayOrNull() else { return nil }
                    seenErrors = true
                } else if equals(key, "warnings") {
                    guard !seenWarnings, emptyArrayOrNull() else { return nil }
                    seenWarnings = true
                } else {
                    // An unknown top-level key could repeat a known one under JSON's rules
                    // or carry a literal the general path would read differently: leave it to it.
                    return nil
                }
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                break
            }
            skipSpace()
            guard index == bytes.count else { return nil }
            return receipt
        }

        /// `data`'s object of scalars; nil for anything else (including `null`, which the
        /// general path turns into a retryable "without an earn answer").
        mutating func dataObject() -> EarnReceipt? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var earnedBadgeId: String?, issuedId: String?, expiresOn: Double?
            var seenEarned = false, seenIssued = false, seenExpires = false
            skipSpace()
            if take(UInt8(ascii: "}")) {
                return EarnReceipt(earnedBadgeId: nil, issuedId: nil, expiresOn: nil, warnings: [])
            }
            while true {
                skipSpace()
                guard let key = stringRange() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return nil }
                skipSpace()
                guard let value = scalar() else { return nil }
                if case .string(let range) = value, equals(range, "expiresOn") {
                    // The general path re-reads the expiresOn literal at the first `"expiresOn"`
                    // in the body; a value spelled so would move that point: let it decide.
                    return nil
                }
                if equals(key, "earnedBadgeId") {
                    guard !seenEarned else { return nil }
                    seenEarned = true
                    switch value {
                    case .string(let range): earnedBadgeId = text(range)
                    case .null: earnedBadgeId = nil
                    default: return nil  // numbers and booleans: the general path's NSNumber rules
                    }
                } else if equals(key, "issuedId") {
                    guard !seenIssued else { return nil }
                    seenIssued = true
                    switch value {
                    case .string(let range): issuedId = text(range)
                    case .null: issuedId = nil
                    default: return nil
                    }
                } else if equals(key, "expiresOn") {
                    guard !seenExpires else { return nil }
                    seenExpires = true
                    switch value {
                    case .number(let range):
                        // The literal as sent, as the general path re-reads it.
                        guard let exact = Double(text(range)) else { return nil }
                        expiresOn = exact
                    case .null: expiresOn = nil
                    default: return nil
                    }
                }
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                break
            }
            return EarnReceipt(earnedBadgeId: earnedBadgeId, issuedId: issuedId, expiresOn: expiresOn, warnings: [])
        }

        enum Scalar {
            case string(Range<Int>)
            case number(Range<Int>)
            case null
            case bool
        }

        mutating func scalar() -> Scalar? {
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""):
                return stringRange().map { .string($0) }
            case UInt8(ascii: "n"):
                return literal("null") ? .null : nil
            case UInt8(ascii: "t"):
                return literal("true") ? .bool : nil
            case UInt8(ascii: "f"):
                return literal("false") ? .bool : nil
            default:
                return number().map { .number($0) }
            }
        }

        /// `[]` (with optional spaces) or `null`.
        mutating func emptyArrayOrNull() -> Bool {
            if literal("null") { return true }
            guard take(UInt8(ascii: "[")) else { return false }
            skipSpace()
            return take(UInt8(ascii: "]"))
        }

        /// A string's content range (between the quotes); nil for escapes, control or non-ASCII bytes.
        mutating func stringRange() -> Range<Int>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    return start..<(index - 1)
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
                index += 1
            }
            return nil
        }

        /// RFC 8259 number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
        mutating func number() -> Range<Int>? {
            let start = index
            _ = take(UInt8(ascii: "-"))
            if take(UInt8(ascii: "0")) {
                // no further integer digits
            } else {
                guard digits() > 0 else { return nil }
            }
            if take(UInt8(ascii: ".")) { guard digits() > 0 else { return nil } }
            if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
                if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
                guard digits() > 0 else { return nil }
            }
            return start..<index
        }

        mutating func digits() -> Int {
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            return index - start
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let matches = word.withUTF8Buffer { word in
                (0..<count).allSatisfy { bytes[index + $0] == word[$0] }
            }
            if matches { index += count }
            return matches
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func skipSpace() {
            while index < bytes.count {
                let byte = bytes[index]
                guard byte == 32 || byte == 9 || byte == 10 || byte == 13 else { return }
                index += 1
            }
        }

        func equals(_ range: Range<Int>, _ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard range.count == count else { return false }
            return word.withUTF8Buffer { word in
                (0..<count).allSatisfy { bytes[range.lowerBound + $0] == word[$0] }
            }
        }

        func text(_ range: Range<Int>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
    }
}
