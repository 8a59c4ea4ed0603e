import Foundation

extension Ledger {

    /// Whether any requestId has been recorded yet. A run that starts on a ledger without
    /// entries holds the run lock, so nothing of its input can be found there (repeats within
    /// the input are caught before the ledger): it skips the lookup per row.
    public func hasEntries() throws(LedgerError) -> Bool {
        try locked { () throws(LedgerError) -> Bool in
            guard let database else { throw LedgerError(.closed, path: path) }
            endReadSnapshot()
            let query = try database.prepare("SELECT 1 FROM entries LIMIT 1")
            return try query.step()
        }
    }

    /// Runs with their inputs, rows by status and errors by code, for `badge-import status`.
    public func status() throws(LedgerError) -> LedgerStatus {
        try locked { () throws(LedgerError) -> LedgerStatus in
            guard let database else { throw LedgerError(.closed, path: path) }
            endReadSnapshot()
            var inputs: [Int64: [LedgerStatus.Input]] = [:]
            let inputQuery = try database.prepare(
                "SELECT run_id, path, sha256, bytes, fully_processed FROM run_inputs ORDER BY run_id, position")
            while try inputQuery.step() {
                inputs[inputQuery.int64(0), default: []].append(LedgerStatus.Input(
                    path: inputQuery.string(1) ?? "", sha256: inputQuery.string(2) ?? "",
                    bytes: inputQuery.int64(3), fullyProcessed: inputQuery.int64(4) != 0))
            }
            inputQuery.finalize()

            var runs: [LedgerStatus.Run] = []
            let runQuery = try database.prepare("""
                SELECT id, started_at, ended_at, options, tool_version, counts, requests_sent, retries,
                       exit_code, abort_reason FROM runs ORDER BY id
                """)
            while try runQuery.step() {
                let id = runQuery.int64(0)
                runs.append(LedgerStatus.Run(
                    ledger: path, id: id, startedAt: runQuery.string(1) ?? "", endedAt: runQuery.string(2),
                    toolVersion: runQuery.string(4) ?? "",
                    options: Self.decode([String: String].self, runQuery.string(3)) ?? [:],
                    inputs: inputs[id] ?? [],
                    counts: Self.decode([String: Int].self, runQuery.string(5)) ?? [:],
                    requestsSent: runQuery.optionalInt64(6).map(Int.init),
                    retries: runQuery.optionalInt64(7).map(Int.init),
                    exitCode: runQuery.optionalInt64(8).map { Int32(truncatingIfNeeded: $0) },
                    abortReason: runQuery.string(9)))
            }
            runQuery.finalize()

            // One scan for both views: rows per (status, code), summed per status below.
            var byStatus: [String: Int] = [:]
            var errors: [LedgerStatus.ErrorGroup] = []
            let groupQuery = try database.prepare("""
                SELECT status, error_code, min(error_message), count(*) FROM entries
                GROUP BY status, error_code
                """)
            while try groupQuery.step() {
                let status = groupQuery.string(0) ?? ""
                let count = Int(groupQuery.int64(3))
                byStatus[status, default: 0] += count
                let isProblem = status == RowStatus.rejected.rawValue || status == RowStatus.failed.rawValue
                    || status == RowStatus.invalid.rawValue
                if isProblem {
                    errors.append(LedgerStatus.ErrorGroup(status: status, code: groupQuery.string(1),
                                                          sampleMessage: groupQuery.string(2), count: count))
                }
            }
            groupQuery.finalize()
            return LedgerStatus(ledgers: [path], rowsByStatus: byStatus, errors: errors, runs: runs)
        }
    }
}
