#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The formats the importer reads; gzip is a wrapper around either (see `InputFile.isGzip`).
public enum InputFormat: String, Sendable, CaseIterable {
    case csv, jsonl
}

/// An input named on the command line: a path (format from its extension) or `-` for stdin.
public struct InputFile: Sendable, Equatable {
    public let path: String
    public let format: InputFormat
    public let isGzip: Bool

    /// Format from the extension (`.csv`, `.jsonl`, `.ndjson`, each optionally `.gz`) unless
    /// `format` is given. `-` is standard input: it needs an explicit format and is read as
    /// plain text (pipe compressed data through `zcat`).
    public init(path: String, format: InputFormat? = nil) throws(InputError) {
        self.path = path
        let lower = path.lowercased()
        let gzip = lower.hasSuffix(".gz")
        let stem = gzip ? String(lower.dropLast(3)) : lower
        if path == "-" {
            guard let format else { throw InputError(path: path, message: "reading standard input needs --format csv|jsonl") }
            self.format = format
            self.isGzip = false
            return
        }
        self.isGzip = gzip
        if let format {
            self.format = format
        } else if stem.hasSuffix(".csv") {
            self.format = .csv
        } else if stem.hasSuffix(".jsonl") || stem.hasSuffix(".ndjson") {
            self.format = .jsonl
        } else {
            throw InputError(path: path, message: "cannot tell the format from the extension (use .csv, .jsonl, .ndjson, optionally .gz, or --format)")
        }
    }

    /// The name used in reports: the path as given, `-` for stdin.
    public var displayName: String { path }
    public var isStandardInput: Bool { path == "-" }
}

/// A failure to read an input at all (missing file, unreadable, corrupt gzip, bad
/// configuration). One line, naming the path; bad rows are never an `InputError`.
public struct InputError: Error, Sendable, CustomStringConvertible, Equatable {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    static func system(path: String, action: String, errno code: Int32) -> InputError {
        let text = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return InputError(path: path, message: "\(action): \(text)")
    }
}
