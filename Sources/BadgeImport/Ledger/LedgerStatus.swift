import Foundation

/// What `badge-import status` shows: the runs of one or more ledgers with their inputs, times
/// and counts, and the ledgers' rows by status and by error code. Codable for `--json`.
public struct LedgerStatus: Sendable, Codable, Equatable {
    public struct Input: Sendable, Codable, Equatable {
        public var path: String
        public var sha256: String
        public var bytes: Int64
        public var fullyProcessed: Bool
    }

    public struct Run: Sendable, Codable, Equatable {
        /// The ledger file the run is recorded in (several ledgers can be merged).
        public var ledger: String
        public var id: Int64
        public var startedAt: String
        /// Nil while the run is going, or when it died without finishing.
        public var endedAt: String?
        public var toolVersion: String
        public var options: [String: String]
        public var inputs: [Input]
        /// RowStatus raw value -> rows.
        public var counts: [String: Int]
        public var requestsSent: Int?
        public var retries: Int?
        public var exitCode: Int32?
        public var abortReason: String?
    }

    /// Rows with one status and error code, with one of their messages as a sample.
    public struct ErrorGroup: Sendable, Codable, Equatable {
        public var status: String
        public var code: String?
        public var sampleMessage: String?
        public var count: Int
    }

    public var ledgers: [String]
    /// RowStatus raw value -> rows, over all requestIds in the ledgers.
    public var rowsByStatus: [String: Int]
    /// Rejected, failed and invalid rows by status and code, largest group first.
    public var errors: [ErrorGroup]
    public var runs: [Run]

    public init(ledgers: [String], rowsByStatus: [String: Int], errors: [ErrorGroup], runs: [Run]) {
        self.ledgers = ledgers
        self.rowsByStatus = rowsByStatus
        self.errors = errors.sorted(by: Self.errorOrder)
        self.runs = runs
    }

    public var totalRows: Int { rowsByStatus.values.reduce(0, +) }

    /// Several ledgers as one: counts summed, error groups with the same status and code
    /// summed (the first sample message kept), runs of each listed with their ledger's name.
    public static func merged(_ parts: [LedgerStatus]) -> LedgerStatus {
        var rows: [String: Int] = [:]
        var groups: [String: ErrorGroup] = [:]
        var groupOrder: [String] = []
        for part in parts {
            for (status, count) in part.rowsByStatus { rows[status, default: 0] += count }
            for group in part.errors {
                let key = group.status + "\u{0}" + (group.code ?? "")
                if groups[key] == nil {
                    groups[key] = group
                    groupOrder.append(key)
                } else {
                    groups[key]!.count += group.count
                }
            }
        }
        return LedgerStatus(ledgers: parts.flatMap(\.ledgers), rowsByStatus: rows,
                            errors: groupOrder.compactMap { groups[$0] }, runs: parts.flatMap(\.runs))
    }

    private static func errorOrder(_ a: ErrorGroup, _ b: ErrorGroup) -> Bool {
        if a.count != b.count { return a.count > b.count }
        if a.status != b.status { return a.status < b.status }
        return (a.code ?? "") < (b.code ?? "")
    }

    /// Statuses in the vocabulary's order, then any unknown ones a newer writer may have used.
    private static func orderedStatuses(_ keys: some Sequence<String>) -> [String] {
        let known = RowStatus.allCases.map(\.rawValue)
        let present = Set(keys)
        return known.filter(present.contains) + present.subtracting(known).sorted()
    }

    /// Pretty, key-sorted JSON for `--json`.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Plain strings, numbers and dictionaries: encoding cannot fail.
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// The human-readable report.
    public func render() -> String {
        let esc = TerminalText.escaped
        var out: [String] = []
        let names = esc(ledgers.count == 1 ? "Ledger \(ledgers[0])" : "Ledgers \(ledgers.joined(separator: ", "))")
        out.append("\(names): \(Self.number(totalRows)) rows, \(runs.count) run\(runs.count == 1 ? "" : "s")")

        out.append("")
        out.append("Rows by status")
        if rowsByStatus.isEmpty { out.append("  (none)") }
        let statuses = Self.orderedStatuses(rowsByStatus.keys)
        let width = statuses.map(\.count).max() ?? 0
        for status in statuses {
            out.append("  " + Self.pad(status, width) + "  " + Self.number(rowsByStatus[status] ?? 0))
        }

        out.append("")
        out.append("Errors by code")
        if errors.isEmpty { out.append("  (none)") }
        let statusWidth = errors.map(\.status.count).max() ?? 0
        let codeWidth = errors.map { ($0.code ?? "-").count }.max() ?? 0
        for group in errors {
            let count = Self.number(group.count)
            out.append("  " + Self.pad(group.status, statusWidth) + "  " + Self.pad(group.code ?? "-", codeWidth)
                       + "  " + count + (group.sampleMessage.map { "  e.g. \(esc($0))" } ?? ""))
        }

        out.append("")
        out.append("Runs")
        if runs.isEmpty { out.append("  (none)") }
        for run in runs {
            let label = ledgers.count > 1 ? "\(esc(run.ledger)) #\(run.id)" : "#\(run.id)"
            let end: String
            if let endedAt = run.endedAt {
                end = "to \(endedAt), exit \(run.exitCode.map(String.init) ?? "?")"
            } else {
                end = "not finished (running, or stopped without a record)"
            }
            out.append("  \(label)  \(run.startedAt) \(end)  (badge-import \(run.toolVersion))")
            for input in run.inputs {
                let hash = String(input.sha256.prefix(12))
                out.append("    input \(esc(input.path))  \(Self.number(Int(input.bytes))) bytes  sha256 \(hash)…"
                           + (input.fullyProcessed ? "  fully processed" : ""))
            }
            if run.endedAt != nil {
                let counts = Self.orderedStatuses(run.counts.keys).map { "\($0) \(Self.number(run.counts[$0] ?? 0))" }
                var line = "    " + (counts.isEmpty ? "no rows" : counts.joined(separator: ", "))
                if let sent = run.requestsSent { line += "; \(Self.number(sent)) requests" }
                if let retries = run.retries { line += ", \(Self.number(retries)) retries" }
                out.append(line)
            }
            if let reason = run.abortReason { out.append("    aborted: \(esc(reason))") }
            if !run.options.isEmpty {
                let options = run.options.keys.sorted().map { "\($0)=\(esc(run.options[$0]!))" }
                out.append("    options: " + options.joined(separator: " "))
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// 1234567 -> "1,234,567": locale-independent so output is the same everywhere.
    static func number(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }
}
