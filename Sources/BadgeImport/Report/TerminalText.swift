/// Text from outside (file names, cells, server messages) made safe to print on one line: a
/// file named `a\nrun 1 done, every valid row is on the server` must not forge a line of the
/// final screen, and an escape sequence in a cell must not drive the user's terminal.
public enum TerminalText {
    /// `text` with every control character (C0, DEL, C1), line and paragraph separator and bidi
    /// override written as a visible escape (`\n`, `\t`, `\u{1B}`); everything else unchanged.
    public static func escaped(_ text: String) -> String {
        // Almost every string is plain: one pass over the bytes, no copy.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 >= 0x80 }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x00..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0x202A...0x202E, 0x2066...0x2069:
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
