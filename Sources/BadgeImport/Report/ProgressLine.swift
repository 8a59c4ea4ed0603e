import Foundation

/// What the progress display needs at one moment; the engine fills one per redraw.
public struct ProgressSnapshot: Sendable, Equatable {
    public var rowsDone: Int
    /// Known once every input has been read (or counted); until then progress is shown in bytes.
    public var totalRows: Int?
    public var bytesRead: Int64
    public var totalBytes: Int64?
    /// Seconds since the run started.
    public var elapsed: Double
    /// Rows finished per second over a recent window (not since the start: the ETA must follow
    /// the current pace, e.g. after the rate limiter slowed down on 429s).
    public var rowsPerSecond: Double
    public var earned: Int
    public var duplicate: Int
    public var alreadyDone: Int
    public var rejected: Int
    public var failed: Int
    public var invalid: Int
    /// The rate limiter's current pace in requests per second; nil when unlimited.
    public var pace: Double?
    public var inFlight: Int

    public init(rowsDone: Int, totalRows: Int? = nil, bytesRead: Int64 = 0, totalBytes: Int64? = nil,
                elapsed: Double, rowsPerSecond: Double, earned: Int = 0, duplicate: Int = 0,
                alreadyDone: Int = 0, rejected: Int = 0, failed: Int = 0, invalid: Int = 0,
                pace: Double? = nil, inFlight: Int = 0) {
        self.rowsDone = rowsDone
        self.totalRows = totalRows
        self.bytesRead = bytesRead
        self.totalBytes = totalBytes
        self.elapsed = elapsed
        self.rowsPerSecond = rowsPerSecond
        self.earned = earned
        self.duplicate = duplicate
        self.alreadyDone = alreadyDone
        self.rejected = rejected
        self.failed = failed
        self.invalid = invalid
        self.pace = pace
        self.inFlight = inFlight
    }

    /// Fraction done (0...1): by rows when the total is known, else by bytes read; nil when neither.
    public var fractionDone: Double? {
        if let total = totalRows { return total > 0 ? min(1, Double(rowsDone) / Double(total)) : 1 }
        if let total = totalBytes { return total > 0 ? min(1, Double(bytesRead) / Double(total)) : 1 }
        return nil
    }

    /// Seconds left: remaining rows at the recent rate, or (total unknown) the byte fraction
    /// extrapolated over the elapsed time. nil when there is nothing to extrapolate from.
    public var etaSeconds: Double? {
        if let total = totalRows {
            let remaining = max(0, total - rowsDone)
            if remaining == 0 { return 0 }
            return rowsPerSecond > 0 ? Double(remaining) / rowsPerSecond : nil
        }
        if let total = totalBytes, bytesRead > 0, elapsed > 0 {
            return elapsed * Double(max(0, total - bytesRead)) / Double(bytesRead)
        }
        return nil
    }
}

/// Renders progress for people: one line redrawn in place on a terminal, or a key=value log
/// line every few seconds when stderr is a file or a pipe. Pure functions; the command layer
/// writes `redrawPrefix + terminal(...) + clearToEndOfLine` to stderr.
public enum ProgressLine {
    /// Back to column 0 before the line; clear what a longer previous line left after it.
    public static let redrawPrefix = "\r"
    public static let clearToEndOfLine = "\u{1B}[K"

    /// The terminal line, at most `width` characters (pass the terminal's columns - 1: writing
    /// into the last column makes some terminals wrap). Never wraps: when the full line is too
    /// long the counts are abbreviated, then the least useful parts are dropped (pace, in-flight,
    /// elapsed, counts, ETA, rate), and only then is the rest cut.
    public static func terminal(_ s: ProgressSnapshot, width: Int) -> String {
        guard width > 0 else { return "" }
        var progress: String
        if let total = s.totalRows {
            progress = "\(thousands(s.rowsDone))/\(thousands(total)) rows"
            if let f = s.fractionDone { progress += " \(percent(f))" }
        } else if let f = s.fractionDone {
            progress = "\(thousands(s.rowsDone)) rows, \(percent(f)) read"
        } else {
            progress = "\(thousands(s.rowsDone)) rows"
        }
        let rate = "\(decimal(s.rowsPerSecond)) rows/s"
        let eta = "ETA " + (s.etaSeconds.map(duration) ?? "--")
        let elapsed = duration(s.elapsed) + " elapsed"
        let fullCounts = [
            "earned \(thousands(s.earned))", "dup \(thousands(s.duplicate))",
            "done \(thousands(s.alreadyDone))", "rejected \(thousands(s.rejected))",
            "failed \(thousands(s.failed))", "invalid \(thousands(s.invalid))",
        ].joined(separator: " ")
        let notDone = s.rejected + s.failed + s.invalid
        let shortCounts = "ok \(thousands(s.earned + s.duplicate + s.alreadyDone)) not-ok \(thousands(notDone))"
        let pace = s.pace.map { "pace \(paceText($0))" }
        let inFlight = "in-flight \(s.inFlight)"

        // Parts in display order, each with the step at which it is dropped (higher = kept longer).
        typealias Part = (text: String, keepUntil: Int)
        func line(counts: String, dropBelow: Int) -> String {
            let parts: [Part] = [
                (progress, .max), (rate, 6), (eta, 5), (counts, 4), (elapsed, 3), (inFlight, 2),
            ] + (pace.map { [($0, 1)] } ?? [])
            return parts.filter { $0.keepUntil >= dropBelow }.map(\.text).joined(separator: " | ")
        }
        var candidates = [line(counts: fullCounts, dropBelow: 0), line(counts: shortCounts, dropBelow: 0)]
        for step in 1...7 { candidates.append(line(counts: shortCounts, dropBelow: step + 1)) }
        if let fitting = candidates.first(where: { $0.count <= width }) { return fitting }
        return truncate(candidates.last!, to: width)
    }

    /// The log line for non-terminals: `progress key=value ...`, machine-readable, no units in
    /// values (seconds, rows/s, requests/s). Unknown values are left out rather than faked.
    public static func logLine(_ s: ProgressSnapshot) -> String {
        var pairs: [(String, String)] = [("rows", "\(s.rowsDone)")]
        if let t = s.totalRows { pairs.append(("total_rows", "\(t)")) }
        pairs.append(("bytes", "\(s.bytesRead)"))
        if let t = s.totalBytes { pairs.append(("total_bytes", "\(t)")) }
        if let f = s.fractionDone { pairs.append(("percent", fixed(f * 100, 1))) }
        pairs.append(("elapsed_s", fixed(s.elapsed, 1)))
        pairs.append(("rows_per_s", fixed(s.rowsPerSecond, 2)))
        if let eta = s.etaSeconds { pairs.append(("eta_s", fixed(eta, 0))) }
        pairs += [("earned", "\(s.earned)"), ("duplicate", "\(s.duplicate)"), ("already_done", "\(s.alreadyDone)"),
                  ("rejected", "\(s.rejected)"), ("failed", "\(s.failed)"), ("invalid", "\(s.invalid)")]
        if let p = s.pace { pairs.append(("pace_per_s", fixed(p, 2))) }
        pairs.append(("in_flight", "\(s.inFlight)"))
        return "progress " + pairs.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    // MARK: formatting (ASCII only: one character = one terminal column)

    /// 1234567 → "1,234,567".
    public static func thousands(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// Compact duration: "42s", "3m05s", "1h02m", "3d04h"; "--" when not finite.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + pad2(s % 60) + "s" }
        if s < 86_400 { return "\(s / 3600)h" + pad2(s % 3600 / 60) + "m" }
        if s < 100 * 86_400 { return "\(s / 86_400)d" + pad2(s % 86_400 / 3600) + "h" }
        return ">99d"
    }

    static func percent(_ fraction: Double) -> String { fixed(fraction * 100, 1) + "%" }

    /// Small rates keep a decimal (a rate limit of 100/min is 1.7/s), large ones get separators.
    static func decimal(_ value: Double) -> String {
        guard value.isFinite else { return "--" }
        return value < 100 ? fixed(value, 1) : thousands(Int(value.rounded()))
    }

    /// Paces are configured per minute by most users ("1000/min", the API's limits are per
    /// minute), so anything below 10,000/min reads that way.
    static func paceText(_ perSecond: Double) -> String {
        perSecond * 60 < 10_000 ? "\(thousands(Int((perSecond * 60).rounded())))/min" : "\(decimal(perSecond))/s"
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return "0" }
        return String(format: "%.\(decimals)f", value)
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func truncate(_ text: String, to width: Int) -> String {
        if text.count <= width { return text }
        if width <= 3 { return String(text.prefix(width)) }
        return String(text.prefix(width - 3)) + "..."
    }
}
