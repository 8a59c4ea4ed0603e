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

extension InputFile {
    /// True for an input that can be read only once: standard input, a pipe (`<(zcat x)`, i.e.
    /// /dev/fd/N), a named FIFO, a character device. Such an input is opened once and read once:
    /// no content-hash pass beforehand, no header check and reopen, no record count beside.
    /// A path that cannot be stat'ed is not a stream (opening it reports why).
    public var isStream: Bool {
        if isStandardInput { return true }
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }
}

/// What tells whether a regular file changed between two moments: its device and inode (a file
/// renamed over it is another file), size and modification time (nanoseconds). Taken before an
/// input is hashed and again when its reading ends; any difference means the bytes read are not
/// the bytes hashed (a drop still being written, or rewritten meanwhile).
public struct FileStamp: Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var modifiedSeconds: Int
    public var modifiedNanoseconds: Int

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        modifiedSeconds = Int(modified.tv_sec)
        modifiedNanoseconds = Int(modified.tv_nsec)
    }

    /// The stamp of a regular file at `path`; nil for anything else or when it cannot be stat'ed.
    public static func of(path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileStamp(info)
    }

    /// The same for an open descriptor.
    static func of(descriptor: Int32) -> FileStamp? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return FileStamp(info)
    }

    /// For messages: what differs between two stamps of the same path.
    public func difference(from earlier: FileStamp) -> String {
        if device != earlier.device || inode != earlier.inode { return "replaced by another file" }
        if size != earlier.size { return "size \(earlier.size) → \(size) bytes" }
        return "modification time changed"
    }
}
