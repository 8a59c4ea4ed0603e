import Foundation
import Logging

/// How log lines look on stderr (`--log-format`).
public enum LogLineFormat: String, Sendable, CaseIterable {
    /// For people: `2026-11-27T16:25:02.123Z info badge-import: message key=value`.
    case text
    /// For log collectors: one JSON object per line with ts, level, label, message, metadata.
    case json
}

/// Turns one log event into one line. Pure and in the library so it is tested; the executable's
/// LogHandler only adds the clock and the write to stderr.
///
/// Secret scrubbing: any metadata key (at any depth) whose lower-cased name contains password,
/// secret, token, authorization, cookie or credential is written as `<redacted>`, whatever the
/// value. It is a safety net: secrets are passed around as `Secret` and never logged on purpose.
public struct LogLineFormatter: Sendable {
    public static let redacted = "<redacted>"
    static let sensitiveKeyFragments = ["password", "secret", "token", "authorization", "cookie", "credential"]

    public var format: LogLineFormat

    public init(format: LogLineFormat) { self.format = format }

    public static func isSensitive(key: String) -> Bool {
        let lower = key.lowercased()
        return sensitiveKeyFragments.contains { lower.contains($0) }
    }

    public func line(timestamp: Date, level: Logger.Level, label: String, message: String,
                     metadata: Logger.Metadata) -> String {
        let ts = RunSummary.timestamp(timestamp)
        let scrubbed = Self.scrub(metadata)
        switch format {
        case .text:
            var out = "\(ts) \(level.rawValue) \(label): \(TerminalText.escaped(message))"
            for key in scrubbed.keys.sorted() {
                out += " \(key)=\(Self.text(scrubbed[key]!))"
            }
            return out
        case .json:
            return "{\"ts\":\(Self.jsonString(ts)),\"level\":\(Self.jsonString(level.rawValue)),"
                + "\"label\":\(Self.jsonString(label)),\"message\":\(Self.jsonString(message)),"
                + "\"metadata\":\(Self.json(.dictionary(scrubbed)))}"
        }
    }

    static func scrub(_ metadata: Logger.Metadata) -> Logger.Metadata {
        var out: Logger.Metadata = [:]
        for (key, value) in metadata {
            out[key] = isSensitive(key: key) ? .string(redacted) : scrub(value)
        }
        return out
    }

    static func scrub(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .dictionary(let d): return .dictionary(scrub(d))
        case .array(let a): return .array(a.map(scrub))
        case .string, .stringConvertible: return value
        }
    }

    /// key=value text: values with spaces, quotes or `=` are quoted so the line stays parseable.
    static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let s): return quoteIfNeeded(s)
        case .stringConvertible(let c): return quoteIfNeeded(c.description)
        case .array(let a): return "[" + a.map(text).joined(separator: ",") + "]"
        case .dictionary(let d): return "{" + d.keys.sorted().map { "\($0)=\(text(d[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    static func quoteIfNeeded(_ s: String) -> String {
        let needsQuotes = s.isEmpty || s.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.value < 0x20 }
        return needsQuotes ? jsonString(s) : s
    }

    static func json(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let s): return jsonString(s)
        case .stringConvertible(let c): return jsonString(c.description)
        case .array(let a): return "[" + a.map(json).joined(separator: ",") + "]"
        case .dictionary(let d):
            return "{" + d.keys.sorted().map { "\(jsonString($0)):\(json(d[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (RFC 8259 escaping; everything else passes through as UTF-8).
    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
