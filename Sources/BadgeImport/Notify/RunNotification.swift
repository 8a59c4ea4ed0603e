import Foundation

/// What `--notify-url` is sent: `text`, one sentence a person in a chat channel reads (what
/// ran, how it ended, the counts, where the report is), and `summary`, the run's summary.json
/// for bots. Slack, Teams' workflows and most chat tools show `text` and ignore the rest.
/// Built only from the summary and the run's labels, which hold no secret (the summary's
/// options are the recorded ones; the webhook's own URL is never recorded).
public struct RunNotification: Sendable {
    public var text: String
    public var summary: RunSummary?

    /// A run that got as far as its report.
    public init(summary: RunSummary, reportDirectory: String, runName: String) {
        let counts = [RowStatus.earned, .duplicate, .alreadyDone, .rejected, .failed, .invalid]
            .map { "\(summary.count($0)) \($0.rawValue)" }.joined(separator: ", ")
        let outcome = summary.exitCode == 0 ? "succeeded" : "ended with exit \(summary.exitCode) (\(Self.meaning(summary)))"
        let duration = Self.duration(summary.durationSeconds)
        text = "\(runName) run \(summary.runId)\(summary.dryRun ? " (dry run)" : "") \(outcome): "
            + "\(summary.records) rows in \(duration), \(counts). Report: \(reportDirectory)"
        self.summary = summary
    }

    /// A run that stopped before it had a report (its ledger could not be opened, say).
    public init(error: ImportError, runName: String) {
        text = "\(runName) run failed before finishing (exit \(error.status.code)): \(error.description)"
        summary = nil
    }

    /// The POST body.
    public func jsonData() throws -> Data {
        struct Body: Encodable { var text: String; var summary: RunSummary? }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(Body(text: text, summary: summary?.finite()))
    }

    private static func meaning(_ summary: RunSummary) -> String {
        if let aborted = summary.aborted { return "stopped: \(aborted)" }
        return summary.exitCode == 1 ? "rows need a look" : RunSummary.exitMeaning(summary.exitCode)
    }

    private static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.isFinite ? seconds.rounded() : 0)
        if whole < 60 { return "\(whole) s" }
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        return "\(whole / 3600) h \(whole % 3600 / 60) min"
    }
}
