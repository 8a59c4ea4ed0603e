#if canImport(EarnAPI)  // fuzz/run.sh compiles EarnAPI into the same module
import EarnAPI
#endif

/// A JSON value as the importer cares about it: scalars kept (numbers as their literal text,
/// so `12.5` and `1e6` can be told apart from integers), nested values only as "nested".
enum JSONCell: Equatable {
    case string(String)
    case number(String)
    case bool(Bool)
    case null
    case nested(String)
}

/// One JSONL line holding a flat object, read into cells. The lexing (full RFC 8259 grammar,
/// escapes and surrogate pairs, UTF-8 checked, nested values validated and skipped) is the
/// shared `JSONScanner`'s; this keeps what is the input path's own: the object's members in
/// order, what a non-object line is called, and the reasons a malformed line gives. Never
/// traps on any input (fuzzed).
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

    private typealias Failure = JSONScanner.Failure

    static let maxDepth = 256
    /// Members kept per object, like CSV's `CSVRecordReader.maxCells`: a line of a million tiny
    /// keys (within the 1 MiB line limit) would otherwise build a million strings.
    static let maxKeys = 1_000

    private var scanner: JSONScanner
    /// Set when the object had more than `maxKeys` members (the failure thrown then says so).
    private var tooManyKeys = false

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        scanner = JSONScanner(bytes, invalidText: .refuse, maxDepth: FlatJSONScanner.maxDepth, scalarsCountTowardDepth: true)
    }

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        var reader = FlatJSONScanner(bytes)
        do throws(Failure) {
            reader.scanner.skipWhitespace()
            guard let first = reader.scanner.peek else { throw Failure(reason: "empty", offset: 0) }
            if first != UInt8(ascii: "{") {
                let kind: String
                switch first {
                case UInt8(ascii: "["): kind = "an array"
                case UInt8(ascii: "\""): kind = "a string"
                case UInt8(ascii: "t"), UInt8(ascii: "f"): kind = "a boolean"
                case UInt8(ascii: "n"): kind = "null"
                default: kind = "a number"
                }
                try reader.scanner.skipValue(depth: 0)
                reader.scanner.skipWhitespace()
                guard reader.scanner.atEnd else { throw Failure(reason: "unexpected text after the value", offset: reader.scanner.index) }
                return .notObject(kind: kind)
            }
            let members = try reader.parseObject()
            reader.scanner.skipWhitespace()
            guard reader.scanner.atEnd else { throw Failure(reason: "unexpected text after the object", offset: reader.scanner.index) }
            return .object(members)
        } catch {
            if reader.tooManyKeys { return .tooManyKeys(limit: maxKeys) }
            return .malformed(reason: error.reason, offset: error.offset)
        }
    }

    private mutating func parseObject() throws(Failure) -> [(key: String, value: JSONCell)] {
        var members: [(key: String, value: JSONCell)] = []
        members.reserveCapacity(8)
        guard try scanner.openObject() else { return members }
        repeat {
            guard members.count < FlatJSONScanner.maxKeys else {
                tooManyKeys = true
                throw Failure(reason: "more than \(FlatJSONScanner.maxKeys) keys", offset: scanner.index)
            }
            let key = scanner.string(try scanner.key())
            let value = try parseCell()
            members.append((key, value))
        } while try scanner.memberFollows()
        return members
    }

    private mutating func parseCell() throws(Failure) -> JSONCell {
        switch try scanner.value() {
        case .string(let text): return .string(scanner.string(text))
        case .number(let range): return .number(text(range))
        case .bool(let value): return .bool(value)
        case .null: return .null
        case .nested(let range): return .nested(text(range))
        }
    }

    private func text(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: scanner.bytes[range]), as: UTF8.self)
    }
}
