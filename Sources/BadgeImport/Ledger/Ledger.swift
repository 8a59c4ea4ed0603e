import CSQLite
import Foundation

/// The source of truth for what is done: one SQLite file recording runs (inputs, options,
/// counts) and the latest state of every requestId.
///
/// Opened for writing (`init`) it holds the run lock for its lifetime, so a second process on
/// the same ledger fails at once. Opened for reading (`openForReading`) it takes no lock,
/// creates nothing, and sees every committed batch of a run in progress (WAL).
///
/// Thread safety: every method takes an internal lock, so lookups from a reader thread and
/// writes from a writer thread may interleave; they are serialised, not parallel.
/// Durability: WAL with synchronous=NORMAL survives a killed process (every committed batch
/// stays); only a power loss can drop the last few commits, which are re-sent and answered 809.
public final class Ledger: @unchecked Sendable {
    /// `status` and `report` look where `run` writes by default (RunOptions owns the default).
    public static let defaultPath = RunOptions.defaultLedger
    /// `run --mock`'s default, so a demo never leaves a ledger that a real run would trust.
    public static let defaultMockPath = RunOptions.defaultMockLedger
    /// The schema version this binary writes and understands.
    public static let schemaVersion: Int32 = LedgerSchema.currentVersion

    public let path: String
    public let isReadOnly: Bool
    /// The file has schema step 6 (generations); false only for an older file opened read-only.
    let hasGenerations: Bool

    private let lock = NSLock()
    let clock: Clock
    /// nil once closed. Internal for the extensions in Ledger+*.swift; use under `locked`.
    private(set) var database: SQLiteDatabase?
    private var runLock: RunLock?
    private var statements: [LedgerQuery: SQLiteStatement] = [:]

    /// Opens (creating if needed) and migrates the ledger, taking the run lock first.
    public init(path: String, clock: Clock = .system) throws(LedgerError) {
        self.path = path
        self.clock = clock
        self.isReadOnly = false
        self.hasGenerations = true
        let runLock = try RunLock(ledgerPath: path)
        let database = try SQLiteDatabase(path: path, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        try Self.recognising(path) { () throws(LedgerError) in
            try Self.configure(database, readOnly: false)
            try Self.migrate(database)
        }
        self.runLock = runLock
        self.database = database
    }

    private init(readingPath path: String, database: SQLiteDatabase, version: Int32) {
        self.path = path
        self.hasGenerations = version >= LedgerSchema.generationsVersion
        self.clock = .system
        self.isReadOnly = true
        self.database = database
    }

    /// Opens an existing ledger read-only: no lock (works while a run is going), no file created,
    /// no migration. A missing file, a non-ledger or a newer schema is an error naming the path.
    public static func openForReading(path: String) throws(LedgerError) -> Ledger {
        var info = stat()
        guard stat(path, &info) == 0 else { throw LedgerError(.missing, path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw LedgerError(.notALedger("not a regular file"), path: path) }
        let database = try SQLiteDatabase(path: path, flags: SQLITE_OPEN_READONLY)
        let version = try recognising(path) { () throws(LedgerError) -> Int32 in
            try configure(database, readOnly: true)
            return try checkedVersion(database)
        }
        guard version >= 1 else { throw LedgerError(.notALedger("it has no ledger tables (schema version 0)"), path: path) }
        return Ledger(readingPath: path, database: database, version: version)
    }

    deinit { close() }

    /// Finalises statements, closes the file (SQLite checkpoints the WAL) and releases the lock.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        endReadSnapshot()
        statements.removeAll()   // finalised in deinit, before the connection closes
        database?.close()
        database = nil
        runLock?.release()
        runLock = nil
    }

    // MARK: Setup

    private static func configure(_ database: SQLiteDatabase, readOnly: Bool) throws(LedgerError) {
        // A reader may meet a checkpoint in progress; wait rather than fail.
        sqlite3_busy_timeout(database.handle, 5_000)
        if readOnly {
            try database.exec("PRAGMA query_only = ON;")
            return
        }
        let mode = try database.text("PRAGMA journal_mode = WAL;")
        guard mode?.lowercased() == "wal" else {
            throw LedgerError(.io("cannot switch to WAL journal mode (got \(mode ?? "nothing"))"), path: database.path)
        }
        // 16 MB of page cache keeps the index's interior pages in memory at 1M rows (a lookup
        // then reads one leaf); 32 MB put a 1M-row run at 108 MB peak, over its 100 MB budget
        // (bench/rerun-1m.sh: 90 MB with 16 MB, same throughput); a 40 MB WAL between checkpoints cuts
        // the fsyncs and page copies of random-key batches; the WAL is cut back to 64 MB after.
        try database.exec("""
            PRAGMA synchronous = NORMAL;
            PRAGMA cache_size = -16384;
            PRAGMA wal_autocheckpoint = 10000;
            PRAGMA journal_size_limit = 67108864;
            """)
    }

    /// Turns SQLite's "file is not a database" (a CSV passed as --ledger, say) into a clear error.
    private static func recognising<T>(_ path: String, _ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        do {
            return try body()
        } catch {
            if case .sqlite(let code, _) = error.kind, code & 0xff == SQLITE_NOTADB {
                throw LedgerError(.notALedger("not an SQLite database"), path: path)
            }
            throw error
        }
    }

    /// Reads `user_version`, refusing newer schemas and files that are SQLite but not ours.
    private static func checkedVersion(_ database: SQLiteDatabase) throws(LedgerError) -> Int32 {
        let version = Int32(truncatingIfNeeded: try database.integer("PRAGMA user_version;"))
        let applicationID = Int32(truncatingIfNeeded: try database.integer("PRAGMA application_id;"))
        if version > 0 && applicationID != LedgerSchema.applicationID {
            throw LedgerError(.notALedger("an SQLite database of another application"), path: database.path)
        }
        if version > LedgerSchema.currentVersion {
            throw .newerSchema(database.path, found: version, supported: LedgerSchema.currentVersion)
        }
        return version
    }

    private static func migrate(_ database: SQLiteDatabase) throws(LedgerError) {
        let version = try checkedVersion(database)
        if version == 0 {
            let tables = try database.integer("SELECT count(*) FROM sqlite_master;")
            if tables > 0 {
                throw LedgerError(.notALedger("an SQLite database with foreign tables"), path: database.path)
            }
        }
        for step in Int(version)..<LedgerSchema.migrations.count {
            // One transaction per step: a crash mid-migration leaves the previous version intact.
            try database.exec("BEGIN IMMEDIATE;")
            do {
                try database.exec(LedgerSchema.migrations[step])
                try database.exec("PRAGMA user_version = \(step + 1);")
                try database.exec("COMMIT;")
            } catch {
                try? database.exec("ROLLBACK;")
                throw error
            }
        }
    }

    // MARK: Statements

    /// Runs `body` under the lock with the statement for `query`, prepared once and reused.
    func with<T>(_ query: LedgerQuery, _ body: (SQLiteStatement) throws(LedgerError) -> T) throws(LedgerError) -> T {
        guard let database else { throw LedgerError(.closed, path: path) }
        let statement: SQLiteStatement
        if let cached = statements[query] {
            statement = cached
        } else {
            statement = try database.prepare(query.sql)
            statements[query] = statement
        }
        defer { statement.reset() }
        return try body(statement)
    }

    func locked<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// On the writing connection, lookups share one read transaction (a WAL snapshot) for up
    /// to `lookupsPerSnapshot` calls instead of taking and dropping SQLite's WAL read lock on
    /// every lookup (several syscalls each; measured nearly half the cost of a lookup). The
    /// snapshot cannot be stale: this connection is the only writer (run lock) and ends the
    /// snapshot before each write. Read-only connections do not use it, so they see new commits.
    private var readSnapshotOpen = false
    private var lookupsInSnapshot = 0
    static let lookupsPerSnapshot = 10_000

    private func useReadSnapshot() throws(LedgerError) {
        guard !isReadOnly else { return }
        if readSnapshotOpen {
            lookupsInSnapshot += 1
            if lookupsInSnapshot < Self.lookupsPerSnapshot { return }
            endReadSnapshot()
        }
        try with(.beginRead) { statement throws(LedgerError) in try statement.run() }
        readSnapshotOpen = true
        lookupsInSnapshot = 0
    }

    func endReadSnapshot() {
        guard readSnapshotOpen else { return }
        readSnapshotOpen = false
        try? with(.commit) { statement throws(LedgerError) in try statement.run() }
    }

    /// Runs `body` in one write transaction, rolled back if it throws.
    func transaction<T>(_ body: () throws(LedgerError) -> T) throws(LedgerError) -> T {
        endReadSnapshot()
        try with(.begin) { statement throws(LedgerError) in try statement.run() }
        do {
            let result = try body()
            try with(.commit) { statement throws(LedgerError) in try statement.run() }
            return result
        } catch {
            try? with(.rollback) { statement throws(LedgerError) in try statement.run() }
            throw error
        }
    }

    func requireWritable() throws(LedgerError) {
        if isReadOnly { throw LedgerError(.io("opened read-only"), path: path) }
    }

    // MARK: Runs

    /// Records the start of a run with its inputs; returns the run id.
    public func startRun(_ start: RunStart) throws(LedgerError) -> Int64 {
        try requireWritable()
        let options = Self.json(RunStart.scrubbed(start.options))
        return try locked { () throws(LedgerError) -> Int64 in
            try transaction { () throws(LedgerError) -> Int64 in
                try with(.insertRun) { statement throws(LedgerError) in
                    statement.bind(1, Self.iso(start.startedAt))
                    statement.bind(2, options)
                    statement.bind(3, start.toolVersion)
                    try statement.run()
                }
                let runId = database!.lastInsertRowID
                for (position, input) in start.inputs.enumerated() {
                    try insertInput(input, runId: runId, position: position, fullyProcessed: false)
                }
                return runId
            }
        }
    }

    private func insertInput(_ input: RunInput, runId: Int64, position: Int, fullyProcessed: Bool) throws(LedgerError) {
        try with(.insertInput) { statement throws(LedgerError) in
            statement.bind(1, runId)
            statement.bind(2, position)
            statement.bind(3, input.path)
            statement.bind(4, input.sha256.lowercased())
            statement.bind(5, input.bytes)
            statement.bind(6, fullyProcessed ? 1 : 0)
            try statement.run()
        }
    }

    /// Records how a run ended: counts, requests, retries, exit code and abort reason.
    public func finishRun(_ runId: Int64, _ end: RunEnd) throws(LedgerError) {
        try requireWritable()
        var counts: [String: Int] = [:]
        for (status, count) in end.counts { counts[status.rawValue] = count }
        let countsJSON = Self.json(counts)
        try locked { () throws(LedgerError) in
            try with(.finishRun) { statement throws(LedgerError) in
                statement.bind(1, runId)
                statement.bind(2, Self.iso(end.endedAt))
                statement.bind(3, countsJSON)
                statement.bind(4, end.requestsSent)
                statement.bind(5, end.retries)
                statement.bind(6, Int64(end.exitCode))
                statement.bind(7, end.abortReason)
                statement.bind(8, end.summaryJSON)
                try statement.run()
            }
        }
    }

    /// The stored summary.json of a run (the latest finished one when `runId` is nil).
    public func runSummaryJSON(runId: Int64?) throws(LedgerError) -> (runId: Int64, json: String)? {
        try locked { () throws(LedgerError) -> (runId: Int64, json: String)? in
            try with(.summary) { s throws(LedgerError) -> (runId: Int64, json: String)? in
                s.bind(1, runId)
                guard try s.step(), let json = s.string(1) else { return nil }
                return (s.int64(0), json)
            }
        }
    }

    /// When the latest run that exited 0 ended (dry runs are not recorded, so never one of them):
    /// what `badge_import_last_success_timestamp_seconds` says, also after a failed night.
    public func lastSuccessfulRunEnd() throws(LedgerError) -> Date? {
        try locked { () throws(LedgerError) -> Date? in
            try with(.lastSuccess) { s throws(LedgerError) -> Date? in
                guard try s.step(), let text = s.string(0) else { return nil }
                return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
            }
        }
    }

    // MARK: Inputs (nightly drops)

    /// True when some run fully processed a file with exactly these bytes.
    public func isInputFullyProcessed(sha256: String) throws(LedgerError) -> Bool {
        try locked { () throws(LedgerError) -> Bool in
            try useReadSnapshot()
            return try with(.inputDone) { statement throws(LedgerError) -> Bool in
                statement.bind(1, sha256.lowercased())
                return try statement.step()
            }
        }
    }

    /// True when some run fully processed an input of exactly `bytes` bytes: the only inputs
    /// that can have a fully processed hash, so the only ones worth hashing before reading.
    public func hasFullyProcessedInput(bytes: Int64) throws(LedgerError) -> Bool {
        try locked { () throws(LedgerError) -> Bool in
            try useReadSnapshot()
            return try with(.inputDoneOfSize) { statement throws(LedgerError) -> Bool in
                statement.bind(1, bytes)
                return try statement.step()
            }
        }
    }

    /// Marks an input of `runId` as fully processed (adding it to the run if it was not listed).
    public func markInputFullyProcessed(_ input: RunInput, runId: Int64) throws(LedgerError) {
        try requireWritable()
        try locked { () throws(LedgerError) in
            try transaction { () throws(LedgerError) in
                try with(.markInput) { statement throws(LedgerError) in
                    statement.bind(1, runId)
                    statement.bind(2, input.path)
                    statement.bind(3, input.sha256.lowercased())
                    statement.bind(4, input.bytes)
                    try statement.run()
                }
                guard database!.changes == 0 else { return }
                let position = try with(.nextInputPosition) { statement throws(LedgerError) -> Int in
                    statement.bind(1, runId)
                    return try statement.step() ? Int(statement.int64(0)) : 0
                }
                try insertInput(input, runId: runId, position: position, fullyProcessed: true)
            }
        }
    }

    // MARK: Entries

    /// The stored entry (attempts summed over all runs), or nil.
    public func entry(requestId: String) throws(LedgerError) -> LedgerEntry? {
        try stored(requestId: requestId)?.entry
    }

    /// The stored entry with the run that last touched it and when.
    public func stored(requestId: String) throws(LedgerError) -> StoredLedgerEntry? {
        try locked { () throws(LedgerError) -> StoredLedgerEntry? in
            try useReadSnapshot()
            return try with(hasGenerations ? .entry : .entryBeforeGenerations) { s throws(LedgerError) -> StoredLedgerEntry? in
                s.bind(1, requestId)
                guard try s.step() else { return nil }
                guard let status = s.rowStatus(1) else {
                    throw LedgerError(.notALedger("unknown status '\(s.string(1) ?? "")' for requestId \(requestId)"), path: path)
                }
                let entry = LedgerEntry(
                    requestId: s.string(0) ?? requestId, status: status, attempts: Int(s.int64(2)),
                    httpStatus: s.optionalInt64(3).map(Int.init), errorCode: s.string(4), errorMessage: s.string(5),
                    earnedBadgeId: s.string(6), issuedId: s.string(7), expiresOn: s.optionalDouble(8),
                    source: s.string(9) ?? "", line: Int(s.int64(10)), badgeMetaId: s.string(11) ?? "",
                    customerId: s.int64(12), generation: Int(s.int64(15)))
                return StoredLedgerEntry(entry: entry, runId: s.int64(13),
                                         updatedAt: Date(timeIntervalSince1970: s.double(14)))
            }
        }
    }

    /// Upserts `entries` in one transaction. Attempts add up across runs; a done row
    /// (earned/duplicate/already-done) is never downgraded. Call with hundreds of entries at a
    /// time (see `LedgerWriter`), never one per transaction.
    ///
    /// Entries with status already-done and no attempts are skipped: they would change nothing
    /// (the stored done row is kept as it is), and a rerun of a finished million-row file must
    /// not rewrite a million rows.
    /// `closing`: batch intents whose members all have a definitive answer in `entries` (or
    /// before): closed in the same transaction, so an intent is never closed without its rows.
    public func record(_ entries: [LedgerEntry], closing: [String] = [], runId: Int64) throws(LedgerError) {
        try requireWritable()
        let entries = entries.filter { !($0.status == .alreadyDone && $0.attempts == 0) }
        guard !entries.isEmpty || !closing.isEmpty else { return }
        let now = clock.wallNow().timeIntervalSince1970
        try locked { () throws(LedgerError) in
            try transaction { () throws(LedgerError) in
                try with(.upsert) { s throws(LedgerError) in
                    for entry in entries {
                        s.bind(1, entry.requestId)
                        s.bind(2, entry.status.rawValue)
                        s.bind(3, entry.attempts)
                        s.bind(4, entry.httpStatus)
                        s.bind(5, entry.errorCode)
                        s.bind(6, entry.errorMessage)
                        s.bind(7, entry.earnedBadgeId)
                        s.bind(8, entry.issuedId)
                        s.bind(9, entry.expiresOn)
                        s.bind(10, entry.source)
                        s.bind(11, entry.line)
                        s.bind(12, entry.badgeMetaId)
                        s.bind(13, entry.customerId)
                        s.bind(14, runId)
                        s.bind(15, now)
                        s.bind(16, entry.generation)
                        s.bind(17, entry.generation == 0 ? nil : entry.sentRequestId)
                        try s.run()
                    }
                }
                try closeBatchIntents(closing, state: "done", at: now)
            }
        }
    }

    // MARK: Encoding helpers

    static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    private static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Dictionaries of strings and ints always encode.
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        guard let text else { return nil }
        return try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
