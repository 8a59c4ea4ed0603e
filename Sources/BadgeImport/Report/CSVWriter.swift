import Foundation

/// Writes RFC 4180 CSV through a large buffer: results files have one line per input row, so
/// the cost per line must be a memcpy, not a syscall. Fields are quoted only when they need it;
/// lines end in LF, which every CSV reader (ours included) takes. The one CSV writer of the
/// tool: run's results and failed files, validate's invalid and duplicates files.
public final class CSVWriter {
    public let path: String
    private let file: UnsafeMutablePointer<FILE>
    private var line: [UInt8] = []

    public init(path: String, header: [String]) throws(ReportError) {
        guard let file = fopen(path, "w") else {
            throw ReportError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        setvbuf(file, nil, _IOFBF, 1 << 16)
        self.path = path
        self.file = file
        write(header)
    }

    deinit { fclose(file) }

    public func write(_ fields: [String]) {
        line.removeAll(keepingCapacity: true)
        Self.encode(fields, into: &line)
        line.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, file) }
    }

    /// One record as its CSV line, line break included, for `write(encodedLine:)`.
    public static func encodedLine(_ fields: [String]) -> [UInt8] {
        var line: [UInt8] = []
        encode(fields, into: &line)
        return line
    }

    static func encode(_ fields: [String], into line: inout [UInt8]) {
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(UInt8(ascii: ",")) }
            append(field, to: &line)
        }
        line.append(UInt8(ascii: "\n"))
    }

    /// Writes a line already encoded by `encodedLine` (comma-separated, LF-terminated): lets a
    /// caller build the line before it takes the lock that guards this writer.
    public func write(encodedLine bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { _ = fwrite($0.baseAddress, 1, $0.count, file) }
    }

    public func flush() { fflush(file) }

    /// Flushes and reports whether everything reached the file (a full disk shows here).
    public func finish() throws(ReportError) {
        if fflush(file) != 0 || ferror(file) != 0 {
            throw ReportError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Appends one field, quoted when it holds a comma, quote, CR or LF, or leading/trailing
    /// spaces or tabs (which a reader would otherwise trim).
    static func append(_ field: String, to out: inout [UInt8]) {
        let utf8 = field.utf8
        let needsQuotes = utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
            || utf8.first == 0x20 || utf8.last == 0x20 || utf8.first == 0x09 || utf8.last == 0x09
        guard needsQuotes else {
            out.append(contentsOf: utf8)
            return
        }
        out.append(0x22)
        for byte in utf8 {
            if byte == 0x22 { out.append(0x22) }
            out.append(byte)
        }
        out.append(0x22)
    }
}

/// A report file could not be written; names the path.
public struct ReportError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
