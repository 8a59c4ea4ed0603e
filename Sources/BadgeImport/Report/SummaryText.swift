/// The one-screen summary a person reads on stdout when a run ends: what happened, what to
/// look at, and where the full report is. Every text that came from outside (paths, messages)
/// is escaped, so it stays on its line.
public enum SummaryText {
    public static func render(_ summary: RunSummary, reportDirectory: String) -> String {
        let esc = TerminalText.escaped
        var lines: [String] = []
        let verdict: String
        switch summary.exitCode {
        case 0: verdict = "done, every valid row is on the server"
        case 1: verdict = "finished, some rows need a look (exit 1)"
        case 3: verdict = "STOPPED: \(esc(summary.aborted ?? "aborted")). Progress is kept: run the same command again to continue (exit 3)"
        default: verdict = "exit \(summary.exitCode)"
        }
        lines.append(summary.dryRun ? "dry run, nothing sent: \(verdict)" : "run \(summary.runId) \(verdict)")
        for input in summary.inputs {
            var note = input.skipped ? " (skipped: \(esc(input.skippedReason ?? "already processed")))" : ""
            if input.changedWhileRead {
                note = " (CHANGED while read: still being written? not recorded as fully processed; the next run reads it again)"
            }
            lines.append("  \(esc(input.path)): \(input.records) records\(note)")
            if let problem = input.problem, !input.changedWhileRead {
                lines.append("    NOT READ TO THE END: \(esc(problem)); the rest was not sent, a rerun reads it again")
            } else if let problem = input.problem {
                lines.append("    \(esc(problem))")
            }
        }
        let order: [RowStatus] = [.earned, .duplicate, .alreadyDone, .duplicateInInput, .rejected, .failed, .invalid]
            + (summary.dryRun ? [.wouldSend] : [])
        let width = order.map(\.rawValue.count).max() ?? 0
        for status in order {
            let count = summary.counts[status.rawValue] ?? 0
            lines.append("  " + status.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
                         + "  " + String(count))
        }
        lines.append("  \(summary.requestsSent) requests (\(summary.retries) retries, \(summary.throttled) answered 429)"
                     + " in \(fixed(summary.durationSeconds, 1)) s, \(fixed(summary.rowsPerSecond, 0)) rows/s")
        if let bulk = summary.bulk {
            if let preview = bulk.preview { lines.append("  would send " + preview.sentence) }
            if bulk.requests > 0 || !summary.dryRun { lines.append("  " + bulk.sentence) }
        }
        let latency = summary.latencyMs
        if latency.count > 0 {
            lines.append("  latency p50 \(fixed(latency.p50, 1)) ms, p95 \(fixed(latency.p95, 1)) ms,"
                         + " p99 \(fixed(latency.p99, 1)) ms")
        }
        if !summary.errors.isEmpty {
            lines.append("rows to look at (status, code, count, first lines, a sample message):")
            for error in summary.errors.prefix(8) {
                let examples = esc(error.examples.prefix(3).joined(separator: " "))
                let code = error.code.isEmpty ? "-" : esc(error.code)
                lines.append("  \(error.status) \(code) x\(error.count)  \(examples)")
                lines.append("      \(shortened(esc(error.message), to: 110))")
            }
            if summary.errors.count > 8 { lines.append("  and \(summary.errors.count - 8) more kinds in the report") }
        }
        lines.append("report: \(esc(reportDirectory))/report.html")
        lines.append("        (results.csv: every row; failed.csv: rows to fix and feed back; summary.json)")
        return lines.joined(separator: "\n")
    }

    private static func shortened(_ text: String, to length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    private static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "-" }
        var factor = 1.0
        for _ in 0..<digits { factor *= 10 }
        let rounded = (value * factor).rounded() / factor
        return digits == 0 ? String(Int(rounded)) : String(rounded)
    }
}
