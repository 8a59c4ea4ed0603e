#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered CSV file writer (RFC 4180 quoting, LF endings) for the validation reports.
final class ValidationCSVWriter {
    private let path: String
    private let file: UnsafeMutablePointer<FILE>

    init(path: String) throws(InputError) {
        guard let f = fopen(path, "w") else { throw InputError.system(path: path, action: "cannot write", errno: errno) }
        self.path = path
        file = f
        setvbuf(f, nil, _IOFBF, 1 << 16)
    }

    deinit { fclose(file) }

    func writeRow(_ cells: [String]) throws(InputError) {
        var line = ""
        for (i, cell) in cells.enumerated() {
            if i > 0 { line += "," }
            line += ValidationCSVWriter.escape(cell)
        }
        line += "\n"
        try write(line)
    }

    func write(_ text: String) throws(InputError) {
        var text = text
        let ok = text.withUTF8 { fwrite($0.baseAddress, 1, $0.count, file) == $0.count }
        if !ok { throw InputError.system(path: path, action: "write failed", errno: errno) }
    }

    func close() throws(InputError) {
        if fflush(file) != 0 { throw InputError.system(path: path, action: "write failed", errno: errno) }
    }

    /// Quotes a cell when it holds a comma, quote, line break, or surrounding spaces (which a
    /// reader would otherwise trim).
    static func escape(_ cell: String) -> String {
        var needs = false
        for c in cell.utf8 where c == 0x2C || c == 0x22 || c == 0x0A || c == 0x0D { needs = true; break }
        if let f = cell.utf8.first, f == 0x20 || f == 0x09 { needs = true }
        if let l = cell.utf8.last, l == 0x20 || l == 0x09 { needs = true }
        guard needs else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
