/// The one-screen summary a person reads on stdout when a run ends.
public enum SummaryText {
    public static func render(_ summary: RunSummary, reportDirectory: String) -> String {
        var lines: [String] = []
        let verdict: String
        switch summary.exitCode {
        case 0: verdict = "done: every valid row is earned"
        case 1: verdict = "finished with rows to look at"
        case 3: verdict = "STOPPED: \(summary.aborted ?? "aborted"); progress is kept, run again to continue"
        default: verdict = "exit \(summary.exitCode)"
        }
        lines.append(summary.dryRun ? "dry run (nothing sent): \(verdict)" : "run \(summary.runId) \(verdict)")
        for input in summary.inputs {
            let note = input.skipped ? "  skipped: \(input.skippedReason ?? "already processed")" : ""
            lines.append("  input  \(input.path)  \(input.records) records\(note)")
        }
        let order: [RowStatus] = [.earned, .duplicate, .alreadyDone, .duplicateInInput, .rejected, .failed, .invalid]
            + (summary.dryRun ? [.wouldSend] : [])
        let width = order.map(\.rawValue.count).max() ?? 0
        for status in order {
            let count = summary.counts[status.rawValue] ?? 0
            lines.append("  " + status.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
                         + "  " + String(count))
        }
        let latency = summary.latencyMs
        lines.append("  requests \(summary.requestsSent) (retries \(summary.retries), 429s \(summary.throttled))"
                     + " in \(fixed(summary.durationSeconds, 1)) s, \(fixed(summary.rowsPerSecond, 0)) rows/s")
        if latency.count > 0 {
            lines.append("  latency ms p50 \(fixed(latency.p50, 1))  p95 \(fixed(latency.p95, 1))"
                         + "  p99 \(fixed(latency.p99, 1))  max \(fixed(latency.max, 1))")
        }
        for error in summary.errors.prefix(5) {
            let examples = error.examples.prefix(2).joined(separator: ", ")
            lines.append("  \(error.status) \(error.code.isEmpty ? "-" : error.code) x\(error.count): "
                         + "\(error.message.prefix(100)) (e.g. \(examples))")
        }
        if summary.errors.count > 5 { lines.append("  ... \(summary.errors.count - 5) more error kinds in the report") }
        lines.append("report: \(reportDirectory)/report.html (results.csv, failed.csv, summary.json beside it)")
        return lines.joined(separator: "\n")
    }

    private static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "-" }
        var factor = 1.0
        for _ in 0..<digits { factor *= 10 }
        let rounded = (value * factor).rounded() / factor
        return digits == 0 ? String(Int(rounded)) : String(rounded)
    }
}
