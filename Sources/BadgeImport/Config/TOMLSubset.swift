/// A strict reader for the part of TOML a configuration file needs: `[tables]` with dotted or
/// quoted names, `key = value` with bare, quoted or dotted keys, values that are basic strings
/// (with escapes), literal strings, integers, floats and booleans, and `#` comments.
/// Everything else TOML has (arrays, inline tables, dates, multi-line strings, `[[arrays]]`) is
/// refused with file:line rather than half-read: a config file that means something other than
/// what its author thinks is worse than one that fails to load.
public enum TOMLSubset {
    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int64)
        case float(Double)
        case bool(Bool)

        var typeName: String {
            switch self {
            case .string: return "a string"
            case .integer: return "an integer"
            case .float: return "a float"
            case .bool: return "a boolean"
            }
        }
    }

    public struct Entry: Sendable, Equatable {
        /// Table path followed by the key path, e.g. ["profiles", "eu-prod", "rate"].
        public var path: [String]
        public var value: Value
        public var line: Int
    }

    public struct Table: Sendable, Equatable {
        public var path: [String]
        public var line: Int
    }

    public struct Document: Sendable, Equatable {
        public var entries: [Entry] = []
        /// Tables declared by a header, in file order (a table may have no keys).
        public var tables: [Table] = []
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> Document {
        var document = Document()
        var currentTable: [String] = []
        var seenKeys: [[String]: Int] = [:]
        var seenTables: [[String]: Int] = [:]
        var lineNumber = 0
        // Split on \n scalars (a String split would keep "\r\n" whole, it is one Character);
        // the \r of a CRLF file is then trimmed as whitespace.
        for rawLine in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            var cursor = Cursor(Array(rawLine), file: file, line: lineNumber)
            if lineNumber == 1 && cursor.peek == "\u{FEFF}" { cursor.advance() }  // BOM
            cursor.skipSpaces()
            guard let first = cursor.peek, first != "#" else { continue }
            if first == "[" {
                cursor.advance()
                if cursor.peek == "[" { throw cursor.error("arrays of tables ([[...]]) are not supported") }
                cursor.skipSpaces()
                let path = try cursor.readKeyPath()
                cursor.skipSpaces()
                guard cursor.peek == "]" else { throw cursor.error("expected ']' to close the table header") }
                cursor.advance()
                try cursor.expectEndOfLine()
                if let earlier = seenTables[path] {
                    throw cursor.error("table [\(path.joined(separator: "."))] is already defined at line \(earlier)")
                }
                if let earlier = seenKeys[path] {
                    throw cursor.error("[\(path.joined(separator: "."))] is already a key at line \(earlier)")
                }
                seenTables[path] = lineNumber
                document.tables.append(Table(path: path, line: lineNumber))
                currentTable = path
                continue
            }
            let key = try cursor.readKeyPath()
            cursor.skipSpaces()
            guard cursor.peek == "=" else { throw cursor.error("expected '=' after the key '\(key.joined(separator: "."))'") }
            cursor.advance()
            cursor.skipSpaces()
            let value = try cursor.readValue()
            try cursor.expectEndOfLine()
            let path = currentTable + key
            if let earlier = seenKeys[path] ?? seenTables[path] {
                throw cursor.error("'\(key.joined(separator: "."))' is already defined at line \(earlier)")
            }
            seenKeys[path] = lineNumber
            document.entries.append(Entry(path: path, value: value, line: lineNumber))
        }
        return document
    }

    /// Reads one line, character by character.
    struct Cursor {
        let scalars: [Unicode.Scalar]
        let file: String
        let line: Int
        var index = 0

        init(_ scalars: [Unicode.Scalar], file: String, line: Int) {
            self.scalars = scalars
            self.file = file
            self.line = line
        }

        var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }
        mutating func advance() { index += 1 }

        func error(_ message: String) -> ConfigError { .syntax(file: file, line: line, message: message) }

        mutating func skipSpaces() {
            while let c = peek, c == " " || c == "\t" || c == "\r" { advance() }
        }

        /// Only whitespace or a comment may follow a complete statement.
        mutating func expectEndOfLine() throws(ConfigError) {
            skipSpaces()
            guard let c = peek else { return }
            if c == "#" {
                for s in scalars[index...] where Self.isForbiddenControl(s) {
                    throw error("control character U+\(String(s.value, radix: 16, uppercase: true)) in a comment")
                }
                return
            }
            throw error("unexpected '\(Character(c))' after the value (one statement per line; quote strings)")
        }

        static func isBare(_ c: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_" || c == "-"
        }

        static func isForbiddenControl(_ c: Unicode.Scalar) -> Bool {
            (c.value < 0x20 && c != "\t") || c.value == 0x7F
        }

        /// `a.b."c d".'e'`: bare, basic-quoted or literal-quoted parts separated by dots.
        mutating func readKeyPath() throws(ConfigError) -> [String] {
            var parts: [String] = []
            while true {
                skipSpaces()
                guard let c = peek else { throw error(parts.isEmpty ? "expected a key" : "expected a key after '.'") }
                if c == "\"" {
                    advance()
                    parts.append(try readBasicString())
                } else if c == "'" {
                    advance()
                    parts.append(try readLiteralString())
                } else if Self.isBare(c) {
                    var s = ""
                    while let b = peek, Self.isBare(b) { s.unicodeScalars.append(b); advance() }
                    parts.append(s)
                } else {
                    throw error("'\(Character(c))' cannot start a key (bare keys are A-Z a-z 0-9 _ -; quote anything else)")
                }
                skipSpaces()
                if peek == "." { advance(); continue }
                return parts
            }
        }

        mutating func readValue() throws(ConfigError) -> Value {
            guard let c = peek else { throw error("expected a value after '='") }
            switch c {
            case "\"":
                if matches("\"\"\"") { throw error("multi-line strings are not supported") }
                advance()
                return .string(try readBasicString())
            case "'":
                if matches("'''") { throw error("multi-line strings are not supported") }
                advance()
                return .string(try readLiteralString())
            case "[": throw error("arrays are not supported")
            case "{": throw error("inline tables are not supported")
            default:
                var token = ""
                while let t = peek, t != " ", t != "\t", t != "\r", t != "#" { token.unicodeScalars.append(t); advance() }
                return try scalarValue(token)
            }
        }

        func matches(_ text: String) -> Bool {
            let want = Array(text.unicodeScalars)
            return index + want.count <= scalars.count && Array(scalars[index..<index + want.count]) == want
        }

        /// Integers (optional sign, `_` between digits), floats (fraction and/or exponent), booleans.
        func scalarValue(_ token: String) throws(ConfigError) -> Value {
            if token == "true" { return .bool(true) }
            if token == "false" { return .bool(false) }
            let chars = Array(token)
            // Underscores only between digits, as TOML says.
            for (i, ch) in chars.enumerated() where ch == "_" {
                guard i > 0, i + 1 < chars.count, chars[i - 1].isASCII, chars[i - 1].isNumber,
                      chars[i + 1].isASCII, chars[i + 1].isNumber
                else { throw error("'\(token)' is not a valid number (an underscore must sit between digits)") }
            }
            let plain = token.replacingUnderscores
            let digits = plain.hasPrefix("+") || plain.hasPrefix("-") ? String(plain.dropFirst()) : plain
            if !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
                if digits.count > 1 && digits.hasPrefix("0") { throw error("'\(token)': leading zeros are not allowed") }
                guard let n = Int64(plain) else { throw error("'\(token)' does not fit in a 64-bit integer") }
                return .integer(n)
            }
            if Self.isDecimalFloat(digits), let d = Double(plain), d.isFinite {
                return .float(d)
            }
            if token.isEmpty { throw error("expected a value after '='") }
            throw error("'\(token)' is not a value this configuration understands (strings must be quoted: \"\(token)\")")
        }

        /// digits [. digits] [e|E [sign] digits] with at least a fraction or an exponent.
        static func isDecimalFloat(_ s: String) -> Bool {
            var it = Array(s)[...]
            func digits() -> Int {
                var n = 0
                while let c = it.first, c.isASCII, c.isNumber { it.removeFirst(); n += 1 }
                return n
            }
            guard digits() > 0 else { return false }
            var hasFraction = false, hasExponent = false
            if it.first == "." {
                it.removeFirst()
                guard digits() > 0 else { return false }
                hasFraction = true
            }
            if it.first == "e" || it.first == "E" {
                it.removeFirst()
                if it.first == "+" || it.first == "-" { it.removeFirst() }
                guard digits() > 0 else { return false }
                hasExponent = true
            }
            return it.isEmpty && (hasFraction || hasExponent)
        }

        /// After the opening quote; consumes the closing one.
        mutating func readBasicString() throws(ConfigError) -> String {
            var out = String.UnicodeScalarView()
            while let c = peek {
                advance()
                switch c {
                case "\"":
                    return String(out)
                case "\\":
                    guard let e = peek else { throw error("unfinished escape at the end of the line") }
                    advance()
                    switch e {
                    case "b": out.append("\u{08}")
                    case "t": out.append("\t")
                    case "n": out.append("\n")
                    case "f": out.append("\u{0C}")
                    case "r": out.append("\r")
                    case "e": out.append("\u{1B}")
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "u": out.append(try readUnicodeEscape(digits: 4))
                    case "U": out.append(try readUnicodeEscape(digits: 8))
                    default: throw error("unknown escape '\\\(Character(e))' in a string")
                    }
                default:
                    if Self.isForbiddenControl(c) { throw error("control character U+\(String(c.value, radix: 16, uppercase: true)) in a string (use an escape)") }
                    out.append(c)
                }
            }
            throw error("string is not closed (a '\"' is missing)")
        }

        mutating func readUnicodeEscape(digits: Int) throws(ConfigError) -> Unicode.Scalar {
            var hex = ""
            for _ in 0..<digits {
                guard let h = peek, h.properties.isASCIIHexDigit else { throw error("\\u and \\U need exactly \(digits) hex digits") }
                hex.unicodeScalars.append(h)
                advance()
            }
            guard let value = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(value) else {
                throw error("\\\(digits == 4 ? "u" : "U")\(hex) is not a Unicode scalar value")
            }
            return scalar
        }

        /// 'literal': no escapes at all, as in TOML.
        mutating func readLiteralString() throws(ConfigError) -> String {
            var out = String.UnicodeScalarView()
            while let c = peek {
                advance()
                if c == "'" { return String(out) }
                if Self.isForbiddenControl(c) { throw error("control character in a string") }
                out.append(c)
            }
            throw error("string is not closed (a \"'\" is missing)")
        }
    }
}

private extension String {
    var replacingUnderscores: String { String(filter { $0 != "_" }) }
}
