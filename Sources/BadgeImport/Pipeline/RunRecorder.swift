import Foundation
import Synchronization

/// Where every finished record goes, from the reader (records never sent) and from the
/// workers (records sent): one line in results.csv, one in failed.csv when it needs fixing,
/// an entry in the ledger for anything sent, and the counters behind progress and summary.
///
/// One lock (a Mutex around the state) guards the counters and the files. The lines are encoded and the ledger entry built
/// before taking it, and the entry goes to the run's `LedgerWriter` (which batches 500 to a
/// transaction) after releasing it, so the work under the lock is a few counter updates and a
/// buffered write: 32 workers finish a row each every couple of milliseconds.
final class RunRecorder: Sendable {
    /// What a rerun would still send from one input, to decide whether it is fully processed.
    struct SourceTally { var records = 0; var failed = 0; var rejected = 0 }

    /// The counters and the two report files, touched only under `state`'s lock.
    private struct State {
        var results: CSVWriter
        var failed: CSVWriter
        var counts: [RowStatus: Int] = [:]
        var requestsSent = 0
        var retries = 0
        var throttled = 0
        var errors = ErrorTally()
        var sources: [String: SourceTally] = [:]
        var latency = LatencyRecorder()
        var requests = RequestCounts()
    }
    private let state: Mutex<State>
    private let layout: ColumnUnion
    private let inputIndex: [String: Int]
    private let writer: LedgerWriter?
    /// The first ledger failure. From then on outcomes only reach the reports: the rows are sent
    /// again next run and answered 809, so nothing is lost, and the run ends with exit 3.
    private let ledgerError = Mutex<LedgerError?>(nil)
    /// Told once, on the first ledger failure, so the run stops taking rows.
    private let onLedgerFailure: @Sendable (LedgerError) -> Void
    /// The request-duration histogram, fed as results come in (nil: no metrics).
    private let metrics: RunMetrics?
    /// Outcomes of sent rows that reached the recorder after the ledger failed.
    private let unrecorded = Atomic<Int>(0)

    static let resultsHeader = ["source", "line", "requestId", "status", "httpStatus", "errorCode",
                                "errorMessage", "earnedBadgeId", "issuedId", "expiresOn", "attempts", "sentRequestId",
                                "batchRequestId"]

    /// - Parameters:
    ///   - inputs: each input's display name and columns; failed.csv has the union of the
    ///     columns, each record's cells under its own names (as validate's invalid.csv).
    init(reportDir: String, inputs: [(source: String, columns: [String])],
         ledger: Ledger?, runId: Int64, batchSize: Int = 500, clock: Clock = .system,
         metrics: RunMetrics? = nil,
         onLedgerFailure: @escaping @Sendable (LedgerError) -> Void = { _ in }) throws(ReportError) {
        self.onLedgerFailure = onLedgerFailure
        self.metrics = metrics
        layout = ColumnUnion(inputs.map(\.columns))
        inputIndex = Dictionary(inputs.enumerated().map { ($0.element.source, $0.offset) },
                                uniquingKeysWith: { first, _ in first })
        let results = try CSVWriter(path: reportDir + "/results.csv", header: Self.resultsHeader)
        let failed = try CSVWriter(path: reportDir + "/failed.csv",
                                   header: layout.columns + ["line", "errorCode", "errorMessage"])
        state = Mutex(State(results: results, failed: failed))
        writer = ledger.map { LedgerWriter(ledger: $0, runId: runId, batchSize: batchSize, clock: clock) }
    }

    /// `closing`: the single earn's intent its outcome settles (see `BatchJob.singleIntent`).
    func record(_ result: RowResult, closing intent: String? = nil) {
        let prepared = prepare(result)
        state.withLock { state in
            count(result, prepared, requests: true, into: &state)
        }
        observe(result.latencies)
        append(prepared.entry.map { [$0] } ?? [], closing: intent)
    }

    /// The members of one bulk earn, whose request counts once, and the intent they settle
    /// (nil while some member has no definitive answer): entries and closing reach the ledger
    /// in one transaction.
    func recordBatch(_ results: [RowResult], closing intent: String?, requests: SendResult) {
        let prepared = results.map(prepare)
        state.withLock { state in
            for (result, lines) in zip(results, prepared) { count(result, lines, requests: false, into: &state) }
            state.requests.add(requests, rows: results.count, bulk: true)
            countRequests(requests, into: &state)
        }
        observe(requests.latencies)
        append(prepared.compactMap(\.entry), closing: intent)
    }

    /// Requests that settled no row (a batch refused as too large, whose rows go again).
    func noteRequests(_ requests: SendResult) {
        state.withLock { state in
            state.requests.add(requests, rows: 0, bulk: true)
            countRequests(requests, into: &state)
        }
        observe(requests.latencies)
    }

    /// Request durations for the metrics' histogram (outside the state's lock: it has its own).
    private func observe(_ latencies: [Double]) {
        if let metrics { for seconds in latencies { metrics.recordRequest(seconds: seconds) } }
    }

    /// A ledger failure met outside the recorder (a batch intent that could not be committed).
    func ledgerFailed(_ error: LedgerError) { note(error) }

    private struct Prepared {
        var resultLine: [UInt8]?
        var failedLine: [UInt8]?
        var entry: LedgerEntry?
    }

    private func prepare(_ result: RowResult) -> Prepared {
        let needsFixing = result.status == .failed || result.status == .rejected || result.status == .invalid
        var prepared = Prepared()
        if result.inInput {
            prepared.resultLine = Self.resultLine(result)
            prepared.failedLine = needsFixing ? failedLine(result) : nil
        }
        // Sent rows, and rows the preflight kept back (rejected without a request).
        if let row = result.row, result.attempts > 0 || result.status == .rejected {
            prepared.entry = LedgerEntry(
                requestId: result.requestId, status: result.status, attempts: result.attempts,
                httpStatus: result.httpStatus, errorCode: result.errorCode, errorMessage: result.errorMessage,
                earnedBadgeId: result.receipt?.earnedBadgeId, issuedId: result.receipt?.issuedId,
                expiresOn: result.receipt?.expiresOn, source: row.source, line: row.line,
                badgeMetaId: row.badgeMetaId, customerId: row.customerId, generation: row.generation)
        }
        return prepared
    }

    /// Counters and report lines; `requests` false when the row's request is counted apart (a batch).
    private func count(_ result: RowResult, _ prepared: Prepared, requests: Bool, into state: inout State) {
        if result.attempts > 0 { state.requests.rowsSent += 1 }
        if requests {
            if result.attempts > 0 { state.requests.singleRequests += result.attempts }
            state.requestsSent += result.attempts
            state.retries += max(0, result.attempts - 1)
            state.throttled += result.throttled
            for seconds in result.latencies { state.latency.record(seconds: seconds) }
        }
        // A member of a resent batch that another input holds is that input's record.
        guard result.inInput else { return }
        state.counts[result.status, default: 0] += 1
        var tally = state.sources[result.source, default: SourceTally()]
        tally.records += 1
        if result.status == .failed { tally.failed += 1 }
        if result.status == .rejected { tally.rejected += 1 }
        state.sources[result.source] = tally

        if let line = prepared.resultLine { state.results.write(encodedLine: line) }
        if let failedLine = prepared.failedLine {
            state.failed.write(encodedLine: failedLine)
            state.errors.add(status: result.status, code: result.errorCode ?? "", message: result.errorMessage ?? "",
                             example: "\(result.source):\(result.line)")
        }
    }

    private func countRequests(_ requests: SendResult, into state: inout State) {
        state.requestsSent += requests.attempts
        state.retries += max(0, requests.attempts - 1)
        state.throttled += requests.throttled
        for seconds in requests.latencies { state.latency.record(seconds: seconds) }
    }

    private func append(_ entries: [LedgerEntry], closing intent: String?) {
        guard let writer, !entries.isEmpty || intent != nil else { return }
        if ledgerError.withLock({ $0 == nil }) {
            do { try writer.append(entries, closing: intent) } catch { note(error) }
        } else {
            unrecorded.add(entries.count, ordering: .relaxed)
        }
    }

    /// Commits buffered ledger entries whose oldest has waited a second; called by a timer.
    func commitIfDue() {
        guard let writer, ledgerError.withLock({ $0 == nil }) else { return }
        do { try writer.commitIfDue() } catch { note(error) }
    }

    /// What the ledger holds of this run and what it does not, after `error` stopped it: the
    /// line a person needs to judge the damage (none: the rows not recorded are resent by the
    /// next run and answered 809 where they were earned).
    func ledgerLossReport(_ error: LedgerError) -> String {
        let (committed, pending) = writer?.counts ?? (0, 0)
        let lost = pending + unrecorded.load(ordering: .relaxed)
        return "the ledger could not be written (\(error)): it holds \(committed) outcomes of this run; "
            + "\(lost) outcomes of rows that were sent are not in it (they are in results.csv, and the "
            + "next run sends them again: the API answers 809 for those already earned)"
    }

    /// Commits what the ledger has not seen yet and pushes the report files to disk.
    /// Throws the first ledger failure of the run.
    func flush() throws(LedgerError) {
        state.withLock { state in
            state.results.flush()
            state.failed.flush()
        }
        if let writer, ledgerError.withLock({ $0 == nil }) {
            do { try writer.flush() } catch { note(error) }
        }
        if let error = ledgerError.withLock({ $0 }) { throw error }
    }

    private func note(_ error: LedgerError) {
        let first = ledgerError.withLock { stored -> Bool in
            guard stored == nil else { return false }
            stored = error
            return true
        }
        if first { onLedgerFailure(error) }
    }

    /// Whether results.csv and failed.csv reached the disk whole (a full disk shows here).
    func finishFiles() throws(ReportError) {
        try state.withLock { state throws(ReportError) in
            try state.results.finish()
            try state.failed.finish()
        }
    }

    func latencySummary() -> LatencySummary { state.withLock { $0.latency.summary } }

    func errorSummaries() -> [ErrorSummary] { state.withLock { $0.errors.summaries } }

    func sourceTally(_ source: String) -> SourceTally { state.withLock { $0.sources[source] ?? SourceTally() } }

    func requestCounts() -> RequestCounts { state.withLock { $0.requests } }

    /// A consistent copy of the counters, for progress lines and the timeline.
    func snapshot() -> (counts: [RowStatus: Int], requestsSent: Int, retries: Int, throttled: Int) {
        state.withLock { ($0.counts, $0.requestsSent, $0.retries, $0.throttled) }
    }

    /// The results.csv line, encoded field by field (no array of strings per row).
    private static func resultLine(_ result: RowResult) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(192)
        let comma = UInt8(ascii: ",")
        CSVWriter.append(result.source, to: &line); line.append(comma)
        line.append(contentsOf: String(result.line).utf8); line.append(comma)
        CSVWriter.append(result.requestId, to: &line); line.append(comma)
        CSVWriter.append(result.status.rawValue, to: &line); line.append(comma)
        if let status = result.httpStatus { line.append(contentsOf: String(status).utf8) }
        line.append(comma)
        CSVWriter.append(result.errorCode ?? "", to: &line); line.append(comma)
        CSVWriter.append(result.errorMessage ?? "", to: &line); line.append(comma)
        CSVWriter.append(result.receipt?.earnedBadgeId ?? "", to: &line); line.append(comma)
        CSVWriter.append(result.receipt?.issuedId ?? "", to: &line); line.append(comma)
        if let expiresOn = result.receipt?.expiresOn { CSVWriter.append(String(expiresOn), to: &line) }
        line.append(comma)
        line.append(contentsOf: String(result.attempts).utf8)
        line.append(comma)
        CSVWriter.append(result.sentRequestId ?? result.row?.sentRequestId ?? "", to: &line)
        line.append(comma)
        CSVWriter.append(result.batchRequestId ?? "", to: &line)
        line.append(UInt8(ascii: "\n"))
        return line
    }

    private func failedLine(_ result: RowResult) -> [UInt8] {
        var fields = inputIndex[result.source].map { layout.place(result.original, from: $0) } ?? result.original
        // A record with more cells than its header keeps them after the error columns, so
        // nothing is silently dropped.
        let width = layout.columns.count
        fields.insert(contentsOf: [String(result.line), result.errorCode ?? "", result.errorMessage ?? ""],
                      at: min(width, fields.count))
        return CSVWriter.encodedLine(fields)
    }
}
