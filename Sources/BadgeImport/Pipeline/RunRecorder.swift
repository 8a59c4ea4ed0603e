import Foundation
import Synchronization

/// Where every finished record goes, from the reader (records never sent) and from the
/// workers (records sent): one line in results.csv, one in failed.csv when it needs fixing,
/// an entry in the ledger for anything sent, and the counters behind progress and summary.
///
/// One lock guards it all. The work under it is a buffered write and an array append; the
/// ledger commit happens once per `batchSize` sent rows, so contention stays small next to
/// a network round trip.
final class RunRecorder: @unchecked Sendable {
    /// What a rerun would still send from one input, to decide whether it is fully processed.
    struct SourceTally { var records = 0; var failed = 0; var rejected = 0 }

    private let lock = NSLock()
    private let results: CSVWriter
    private let failed: CSVWriter
    private let failedColumns: [String: [Int]]
    private let failedWidth: Int
    private let ledger: Ledger?
    private let runId: Int64
    private let batchSize: Int
    private var pending: [LedgerEntry] = []
    private var ledgerError: LedgerError?

    private(set) var counts: [RowStatus: Int] = [:]
    private(set) var requestsSent = 0
    private(set) var retries = 0
    private(set) var throttled = 0
    private var errors = ErrorTally()
    private var sources: [String: SourceTally] = [:]
    private var latency = LatencyRecorder()

    static let resultsHeader = ["source", "line", "requestId", "status", "httpStatus", "errorCode",
                                "errorMessage", "earnedBadgeId", "issuedId", "expiresOn", "attempts"]

    /// - Parameters:
    ///   - failedHeader: the union of the inputs' columns, in order of first appearance.
    ///   - columnsBySource: each input's columns, to place its records under `failedHeader`.
    init(reportDir: String, failedHeader: [String], columnsBySource: [String: [String]],
         ledger: Ledger?, runId: Int64, batchSize: Int = 500) throws(ReportError) {
        results = try CSVWriter(path: reportDir + "/results.csv", header: Self.resultsHeader)
        failed = try CSVWriter(path: reportDir + "/failed.csv",
                               header: failedHeader + ["line", "errorCode", "errorMessage"])
        var positions: [String: Int] = [:]
        for (index, column) in failedHeader.enumerated() { positions[column.lowercased()] = index }
        failedColumns = columnsBySource.mapValues { columns in
            columns.map { positions[$0.lowercased()] ?? -1 }
        }
        failedWidth = failedHeader.count
        self.ledger = ledger
        self.runId = runId
        self.batchSize = batchSize
    }

    func record(_ result: RowResult) {
        lock.lock()
        defer { lock.unlock() }
        counts[result.status, default: 0] += 1
        requestsSent += result.attempts
        retries += max(0, result.attempts - 1)
        throttled += result.throttled
        for seconds in result.latencies { latency.record(seconds: seconds) }
        var tally = sources[result.source, default: SourceTally()]
        tally.records += 1
        if result.status == .failed { tally.failed += 1 }
        if result.status == .rejected { tally.rejected += 1 }
        sources[result.source] = tally

        writeResultLine(result)
        if result.status == .failed || result.status == .rejected || result.status == .invalid {
            writeFailedLine(result)
            noteError(result)
        }
        if let row = result.row, result.attempts > 0 {
            pending.append(LedgerEntry(
                requestId: result.requestId, status: result.status, attempts: result.attempts,
                httpStatus: result.httpStatus, errorCode: result.errorCode, errorMessage: result.errorMessage,
                earnedBadgeId: result.receipt?.earnedBadgeId, issuedId: result.receipt?.issuedId,
                expiresOn: result.receipt?.expiresOn, source: row.source, line: row.line,
                badgeMetaId: row.badgeMetaId, customerId: row.customerId))
            if pending.count >= batchSize { commitPending() }
        }
    }

    /// Commits what the ledger has not seen yet and pushes the report files to disk.
    /// Throws the first ledger failure met since the last flush.
    func flush() throws(LedgerError) {
        lock.lock()
        defer { lock.unlock() }
        commitPending()
        results.flush()
        failed.flush()
        if let error = ledgerError { ledgerError = nil; throw error }
    }

    func latencySummary() -> LatencySummary {
        lock.lock()
        defer { lock.unlock() }
        return latency.summary
    }

    func errorSummaries() -> [ErrorSummary] {
        lock.lock()
        defer { lock.unlock() }
        return errors.summaries
    }

    func sourceTally(_ source: String) -> SourceTally {
        lock.lock()
        defer { lock.unlock() }
        return sources[source] ?? SourceTally()
    }

    /// A consistent copy of the counters, for progress lines and the timeline.
    func snapshot() -> (counts: [RowStatus: Int], requestsSent: Int, retries: Int, throttled: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (counts, requestsSent, retries, throttled)
    }

    private func commitPending() {
        guard !pending.isEmpty, let ledger else { pending.removeAll(); return }
        do {
            try ledger.record(pending, runId: runId)
        } catch {
            // Keep going: rows whose outcome did not reach the ledger are sent again next
            // run and answered 809, so nothing is lost; the run still reports the failure.
            if ledgerError == nil { ledgerError = error }
        }
        pending.removeAll(keepingCapacity: true)
    }

    private func writeResultLine(_ result: RowResult) {
        results.write([
            result.source, String(result.line), result.requestId, result.status.rawValue,
            result.httpStatus.map(String.init) ?? "", result.errorCode ?? "", result.errorMessage ?? "",
            result.receipt?.earnedBadgeId ?? "", result.receipt?.issuedId ?? "",
            result.receipt?.expiresOn.map { String($0) } ?? "", String(result.attempts),
        ])
    }

    private func writeFailedLine(_ result: RowResult) {
        var fields = Array(repeating: "", count: failedWidth)
        let positions = failedColumns[result.source] ?? []
        var extra: [String] = []
        for (index, value) in result.original.enumerated() {
            if index < positions.count, positions[index] >= 0 { fields[positions[index]] = value }
            else { extra.append(value) }
        }
        // A record with more cells than its header keeps them, so nothing is silently dropped.
        fields.append(contentsOf: extra)
        fields.insert(contentsOf: [String(result.line), result.errorCode ?? "", result.errorMessage ?? ""],
                      at: failedWidth)
        failed.write(fields)
    }

    private func noteError(_ result: RowResult) {
        errors.add(status: result.status, code: result.errorCode ?? "", message: result.errorMessage ?? "",
                   example: "\(result.source):\(result.line)")
    }
}
