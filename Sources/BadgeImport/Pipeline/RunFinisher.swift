import Foundation
import Logging

/// The closing half of a run, once the workers are done: the last ledger commits, the exit
/// status, which inputs are fully processed (remembered by content hash), the summary, the
/// run's end in the ledger, the report files, and the archive. Every failure here is said
/// (logged, and in the summary and exit status), never swallowed.
struct RunFinisher {
    var configuration: RunOptions
    var ledger: Ledger?
    var runId: Int64
    var reportDirectory: String
    var recorder: RunRecorder
    var control: RunControl
    var logger: Logger
    /// The run's options as recorded in the ledger (rebind included): never a secret.
    var recordedOptions: [String: String]
    /// The run's bulk size as it ended (halved on "too many customers").
    var bulkLimit: BulkLimit? = nil

    /// The reason a run stops when its ledger cannot be written; `abortReason` says more.
    static let ledgerWriteFailed = "the ledger could not be written"

    /// When the run started and ended (wall clock), and how long it took (monotonic).
    struct Times {
        var started: Date
        var ended: Date
        var duration: Double
    }

    func finish(inputs: [RunPlanner.Input], reading: RunPlanner.Reading, badges: [BadgeCheck]? = nil, times: Times,
                timeline: [TimelinePoint]) throws(ImportError) -> ImportOutcome {
        // What kept the ledger or the report files from being whole: the run counts as stopped,
        // so the next run checks again what this one could not record.
        var ledgerProblem: String?
        do { try recorder.flush() } catch { ledgerProblem = recorder.ledgerLossReport(error) }
        do { try recorder.finishFiles() } catch { ledgerProblem = ledgerProblem ?? error.description }
        if let ledgerProblem { logger.error("\(ledgerProblem)") }

        let snapshot = recorder.snapshot()
        let aborted = Self.abortReason(control.stopReason, ledgerProblem: ledgerProblem)
        let bad = [RowStatus.rejected, .failed, .invalid].reduce(0) { $0 + (snapshot.counts[$1] ?? 0) }
        let status: ExitStatus = aborted != nil ? .aborted : (bad > 0 || !reading.problems.isEmpty ? .rowsNeedALook : .success)
        let records = snapshot.counts.values.reduce(0, +)
        var summary = RunSummary(
            runId: runId, ledger: configuration.ledgerPath,
            startedAt: RunSummary.timestamp(times.started), endedAt: RunSummary.timestamp(times.ended),
            durationSeconds: times.duration, inputs: summarize(inputs, reading: reading, aborted: aborted != nil),
            records: records, counts: RunSummary.counts(snapshot.counts),
            requestsSent: snapshot.requestsSent, retries: snapshot.retries, throttled: snapshot.throttled,
            rowsPerSecond: times.duration > 0 ? Double(records) / times.duration : 0,
            latencyMs: recorder.latencySummary(), errors: recorder.errorSummaries(), timeline: timeline,
            exitCode: status.code, aborted: aborted, dryRun: configuration.dryRun, options: recordedOptions)
        summary.badges = badges
        summary.bulk = bulkSummary(duration: times.duration, preview: reading.bulkPreview)
        recordEnd(of: &summary, at: times.ended, counts: snapshot.counts)

        do {
            try ReportFiles.write(summary, to: reportDirectory)
        } catch {
            throw ImportError(configuration.dryRun ? .configuration : .report, error.description)
        }
        archive(summary.inputs)
        return ImportOutcome(summary: summary, reportDirectory: reportDirectory, exitCode: summary.exitCode)
    }

    /// Requests, rows per request and the time bulk earns saved; nil for a run that neither
    /// asked for bulk nor resent a batch.
    private func bulkSummary(duration: Double, preview: BulkPreview?) -> BulkSummary? {
        let requests = recorder.requestCounts()
        guard configuration.bulk || requests.bulkRequests > 0 || preview != nil else { return nil }
        return BulkSummary(requests: requests, durationSeconds: duration, bulkSize: configuration.bulkSize,
                           finalBulkSize: bulkLimit?.current ?? configuration.bulkSize,
                           halvings: bulkLimit?.notes ?? [], preview: preview)
    }

    /// Why the run stopped early, if it did. A stop caused by the ledger says in the same breath
    /// what the ledger holds and what not.
    static func abortReason(_ stopReason: String?, ledgerProblem: String?) -> String? {
        switch (stopReason, ledgerProblem) {
        case (ledgerWriteFailed?, let problem?): problem + "; no more rows were taken"
        case (let reason?, let problem?): "\(reason). Then \(problem)"
        case (let reason, let problem): reason ?? problem
        }
    }

    /// Each input's line in the summary; the ones fully processed are remembered by the ledger.
    private func summarize(_ inputs: [RunPlanner.Input], reading: RunPlanner.Reading, aborted: Bool) -> [InputSummary] {
        inputs.map { input in
            let name = input.file.displayName
            let tally = recorder.sourceTally(name)
            // Fully processed: a rerun would send nothing from it.
            let complete = reading.fullyRead.contains(name) && !aborted && tally.failed == 0
                && (tally.rejected == 0 || configuration.skipRejected)
            let remembered = complete && remember(input)
            return InputSummary(
                path: name, sha256: input.sha256, bytes: input.bytes, records: tally.records,
                skipped: input.alreadyProcessed,
                skippedReason: input.alreadyProcessed ? "already fully processed (same content hash)" : nil,
                fullyProcessed: input.alreadyProcessed || remembered, problem: reading.problems[name],
                changedWhileRead: reading.changed.contains(name))
        }
    }

    /// Records the input's content hash as fully processed; false when it could not be.
    private func remember(_ input: RunPlanner.Input) -> Bool {
        // A dry run records nothing, and nothing else can be remembered without a hash.
        guard !configuration.dryRun, let ledger, !input.sha256.isEmpty else { return true }
        do {
            try ledger.markInputFullyProcessed(
                RunInput(path: input.file.displayName, sha256: input.sha256, bytes: input.bytes), runId: runId)
            return true
        } catch {
            // Not a loss (its rows are done and are skipped one by one), but the file is not
            // remembered as a whole, so it is not archived either.
            logger.warning("could not record the input as fully processed",
                           metadata: ["input": "\(input.file.displayName)", "error": "\(error)"])
            return false
        }
    }

    /// The run's end in the ledger, with its summary (so `badge-import report` can render it again).
    private func recordEnd(of summary: inout RunSummary, at ended: Date, counts: [RowStatus: Int]) {
        guard let ledger, !configuration.dryRun else { return }
        var end = RunEnd(endedAt: ended, counts: counts, requestsSent: summary.requestsSent,
                         retries: summary.retries, exitCode: summary.exitCode, abortReason: summary.aborted)
        end.summaryJSON = try? String(decoding: summary.jsonData(), as: UTF8.self)
        do {
            try ledger.finishRun(runId, end)
        } catch {
            // The rows are in the ledger; only the run's own record is not. Say so, and do not
            // let the exit status claim a clean run.
            let problem = "the ledger could not record the end of run \(runId) (\(error))"
            logger.error("\(problem)")
            summary.exitCode = ExitStatus.aborted.code
            summary.aborted = summary.aborted.map { "\($0). \(problem)" } ?? problem
        }
    }

    private func archive(_ inputs: [InputSummary]) {
        guard let directory = configuration.archiveDir, !configuration.dryRun else { return }
        for input in inputs where input.fullyProcessed && input.path != "-" {
            do { try Archive.move(input.path, into: directory) } catch {
                logger.warning("could not archive the input", metadata: ["input": "\(input.path)", "error": "\(error)"])
            }
        }
    }
}
