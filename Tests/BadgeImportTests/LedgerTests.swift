@testable import BadgeImport
import CSQLite
import Foundation
import Testing

/// The ledger on real SQLite files: schema, round trips, the merge rules of `record`, batching.
@Suite struct LedgerTests {
    // MARK: helpers that write SQLite files directly, as an older or foreign program would

    private func rawExec(_ path: String, _ sql: String) {
        var db: OpaquePointer?
        #expect(sqlite3_open(path, &db) == SQLITE_OK)
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        #expect(rc == SQLITE_OK, "\(message.map { String(cString: $0) } ?? "")")
        sqlite3_free(message)
        sqlite3_close(db)
    }

    private func rawInteger(_ path: String, _ sql: String) -> Int64 {
        var db: OpaquePointer?
        sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil)
        defer { sqlite3_close(db) }
        var statement: OpaquePointer?
        sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        defer { sqlite3_finalize(statement) }
        return sqlite3_step(statement) == SQLITE_ROW ? sqlite3_column_int64(statement, 0) : -1
    }

    // MARK: schema and opening

    @Test func freshLedgerIsCreatedInWALAtTheCurrentVersion() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("new.ledger")
        let ledger = try Ledger(path: path)
        ledger.close()
        #expect(rawInteger(path, "PRAGMA user_version") == Int64(Ledger.schemaVersion))
        #expect(Ledger.schemaVersion >= 2)
        #expect(rawInteger(path, "SELECT count(*) FROM sqlite_master WHERE name = 'entries'") == 1)
        var db: OpaquePointer?
        sqlite3_open(path, &db)
        var statement: OpaquePointer?
        sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &statement, nil)
        sqlite3_step(statement)
        #expect(String(cString: sqlite3_column_text(statement, 0)) == "wal")
        sqlite3_finalize(statement)
        sqlite3_close(db)
    }

    @Test func version0FileIsMigratedStepByStep() throws {
        let dir = LedgerTestDirectory()
        // An empty file is an SQLite database at user_version 0.
        let empty = dir.file("empty.ledger")
        #expect(FileManager.default.createFile(atPath: empty, contents: Data()))
        try Ledger(path: empty).close()
        #expect(rawInteger(empty, "PRAGMA user_version") == Int64(Ledger.schemaVersion))

        // A file left at version 1 (before the input-hash index) gains only step 2.
        let v1 = dir.file("v1.ledger")
        rawExec(v1, """
            PRAGMA application_id = \(0x4249_4C47);
            CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, ended_at TEXT,
              options TEXT NOT NULL, tool_version TEXT NOT NULL, counts TEXT, requests_sent INTEGER,
              retries INTEGER, exit_code INTEGER, abort_reason TEXT);
            CREATE TABLE run_inputs (run_id INTEGER NOT NULL, position INTEGER NOT NULL, path TEXT NOT NULL,
              sha256 TEXT NOT NULL, bytes INTEGER NOT NULL, fully_processed INTEGER NOT NULL DEFAULT 0,
              PRIMARY KEY (run_id, position));
            CREATE TABLE entries (id INTEGER PRIMARY KEY, request_id TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
              attempts INTEGER NOT NULL, http_status INTEGER, error_code TEXT, error_message TEXT,
              earned_badge_id TEXT, issued_id TEXT, expires_on REAL, source TEXT NOT NULL, line INTEGER NOT NULL,
              badge_meta_id TEXT NOT NULL, customer_id INTEGER NOT NULL, run_id INTEGER NOT NULL,
              updated_at REAL NOT NULL);
            INSERT INTO entries VALUES (1, 'old-1', 'earned', 1, 200, NULL, NULL, 'e1', NULL, NULL, 'a.csv', 2, 'm', 7, 1, 0);
            PRAGMA user_version = 1;
            """)
        #expect(rawInteger(v1, "SELECT count(*) FROM sqlite_master WHERE name = 'run_inputs_done_by_hash'") == 0)
        let ledger = try Ledger(path: v1)
        #expect(try ledger.entry(requestId: "old-1")?.status == .earned)
        ledger.close()
        #expect(rawInteger(v1, "PRAGMA user_version") == Int64(Ledger.schemaVersion))
        #expect(rawInteger(v1, "SELECT count(*) FROM sqlite_master WHERE name = 'run_inputs_done_by_hash'") == 1)
    }

    @Test func hasEntriesOnlyOnceARowIsRecorded() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("entries.ledger")
        var ledger = try Ledger(path: path)
        #expect(try ledger.hasEntries() == false)
        let run = try ledger.startRun(sampleStart())
        #expect(try ledger.hasEntries() == false)  // a run alone records no row
        #expect(try ledger.entry(requestId: "r1")?.status == nil)
        try ledger.record([sampleEntry("r1", status: .failed)], runId: run)
        #expect(try ledger.hasEntries())
        ledger.close()
        ledger = try Ledger(path: path)
        #expect(try ledger.hasEntries())
        ledger.close()
    }

    @Test func currentFileReopensWithItsData() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("current.ledger")
        var ledger = try Ledger(path: path)
        let run = try ledger.startRun(sampleStart())
        try ledger.record([sampleEntry("r1")], runId: run)
        ledger.close()
        ledger = try Ledger(path: path)
        #expect(try ledger.entry(requestId: "r1")?.status == .earned)
        #expect(try ledger.startRun(sampleStart()) == run + 1)
        ledger.close()
    }

    @Test func newerSchemaIsRefusedForWritingAndReading() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("future.ledger")
        try Ledger(path: path).close()
        rawExec(path, "PRAGMA user_version = \(Ledger.schemaVersion + 5);")
        let expected = LedgerError.newerSchema(path, found: Ledger.schemaVersion + 5, supported: Ledger.schemaVersion)
        #expect(throws: expected) { try Ledger(path: path) }
        #expect(throws: expected) { try Ledger.openForReading(path: path) }
        #expect(expected.description.contains(path))
        #expect(expected.description.contains("newer"))
    }

    @Test func foreignFilesAreRefusedNotOverwritten() throws {
        let dir = LedgerTestDirectory()
        let csv = dir.file("input.csv")
        let text = String(repeating: "badgeMetaId,customerId\n66da90348bdb494a4f06576f,1\n", count: 50)
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        #expect { try Ledger(path: csv) } throws: { error in
            guard let error = error as? LedgerError, case .notALedger = error.kind else { return false }
            return error.description.contains(csv)
        }
        #expect(try String(contentsOfFile: csv, encoding: .utf8) == text)

        let other = dir.file("other.sqlite")
        rawExec(other, "CREATE TABLE notes (body TEXT);")
        #expect { try Ledger(path: other) } throws: { error in
            guard let error = error as? LedgerError, case .notALedger = error.kind else { return false }
            return true
        }
    }

    @Test func missingLedgerForReadingIsAnErrorAndNothingIsCreated() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("absent.ledger")
        #expect(throws: LedgerError(.missing, path: path)) { try Ledger.openForReading(path: path) }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(LedgerError(.missing, path: path).description == "no ledger at \(path)")
    }

    // MARK: entries

    @Test func everyFieldRoundTrips() throws {
        let dir = LedgerTestDirectory()
        let clock = LedgerTestClock(Date(timeIntervalSince1970: 1_790_000_000.25))
        let ledger = try Ledger(path: dir.file("l.ledger"), clock: clock.clock)
        let run = try ledger.startRun(sampleStart())
        let full = LedgerEntry(requestId: "req-full", status: .rejected, attempts: 3, httpStatus: 409,
                               errorCode: "811", errorMessage: "Badge issue is mandatory before earn",
                               earnedBadgeId: "66da90618bdb494a4f065774", issuedId: "66da903a8bdb494a4f065770",
                               expiresOn: 1_726_809_439.822462, source: "nightly/2026-11-27.jsonl", line: 123_456,
                               badgeMetaId: "66da90348bdb494a4f06576f", customerId: 9_007_199_254_740_993)
        let sparse = LedgerEntry(requestId: "req-sparse", status: .failed, attempts: 0, source: "b.csv", line: 1,
                                 badgeMetaId: "", customerId: -1)
        try ledger.record([full, sparse], runId: run)
        #expect(try ledger.entry(requestId: "req-full") == full)
        #expect(try ledger.entry(requestId: "req-sparse") == sparse)
        #expect(try ledger.entry(requestId: "req-unknown") == nil)
        #expect(try ledger.entry(requestId: "req-unknown")?.status == nil)
        let stored = try #require(try ledger.stored(requestId: "req-full"))
        #expect(stored.runId == run)
        #expect(stored.updatedAt == clock.now)
        ledger.close()
    }

    @Test func attemptsAddUpAndTheLatestRunTouchesTheRow() throws {
        let dir = LedgerTestDirectory()
        let clock = LedgerTestClock(Date(timeIntervalSince1970: 1_790_000_000))
        let ledger = try Ledger(path: dir.file("l.ledger"), clock: clock.clock)
        let run1 = try ledger.startRun(sampleStart())
        var failed = sampleEntry("r", status: .failed, attempts: 4)
        failed.httpStatus = 503
        failed.errorCode = "503"
        failed.errorMessage = "Service Unavailable"
        try ledger.record([failed], runId: run1)
        clock.now = Date(timeIntervalSince1970: 1_790_000_100)
        let run2 = try ledger.startRun(sampleStart())
        try ledger.record([sampleEntry("r", status: .earned, attempts: 2, line: 9)], runId: run2)
        let stored = try #require(try ledger.stored(requestId: "r"))
        #expect(stored.entry.attempts == 6)
        #expect(stored.entry.status == .earned)
        #expect(stored.entry.errorCode == nil)
        #expect(stored.entry.line == 9)
        #expect(stored.runId == run2)
        #expect(stored.updatedAt == clock.now)
        ledger.close()
    }

    @Test func doneRowsAreNeverDowngraded() throws {
        let dir = LedgerTestDirectory()
        let ledger = try Ledger(path: dir.file("l.ledger"))
        let run1 = try ledger.startRun(sampleStart())
        let earned = sampleEntry("earned", status: .earned, attempts: 1)
        try ledger.record([earned, sampleEntry("dup", status: .duplicate, attempts: 1),
                           sampleEntry("failed", status: .failed, attempts: 1)], runId: run1)
        let run2 = try ledger.startRun(sampleStart())
        var refused = sampleEntry("earned", status: .failed, attempts: 5)
        refused.errorCode = "503"
        refused.errorMessage = "retries exhausted"
        var rejected = sampleEntry("dup", status: .rejected, attempts: 1)
        rejected.errorCode = "811"
        try ledger.record([refused, rejected, sampleEntry("earned", status: .alreadyDone, attempts: 0),
                           sampleEntry("earned", status: .duplicate, attempts: 1),
                           sampleEntry("failed", status: .duplicateInInput, attempts: 0)], runId: run2)

        let kept = try #require(try ledger.entry(requestId: "earned"))
        #expect(kept.status == .earned)
        #expect(kept.earnedBadgeId == earned.earnedBadgeId)
        #expect(kept.errorCode == nil)
        #expect(kept.attempts == 7)                        // 1 + 5 + 0 + 1: every real send counts
        #expect(try ledger.entry(requestId: "dup")?.status == .duplicate)
        #expect(try ledger.entry(requestId: "dup")?.errorCode == nil)
        #expect(try ledger.entry(requestId: "failed")?.status == .failed)   // a later duplicate-in-input does not replace it

        // Upgrades still happen: duplicate (809) learns its earnedBadgeId when a later answer is earned.
        try ledger.record([sampleEntry("dup", status: .earned, attempts: 1)], runId: run2)
        #expect(try ledger.entry(requestId: "dup")?.status == .earned)
        ledger.close()
    }

    @Test func tenThousandEntriesInBatchesThroughTheWriter() throws {
        let dir = LedgerTestDirectory()
        let ledger = try Ledger(path: dir.file("l.ledger"))
        let run = try ledger.startRun(sampleStart())
        // Time stands still here, so only the batch size decides when a batch is committed.
        let writer = LedgerWriter(ledger: ledger, runId: run, batchSize: 500, clock: VirtualClock().clock)
        for index in 0..<10_000 {
            let status: RowStatus = index % 10 == 0 ? .rejected : (index % 10 == 1 ? .duplicate : .earned)
            try writer.append(sampleEntry("req-\(index)", status: status, line: index + 2))
            if index == 499 { #expect(writer.counts == (500, 0)) }
            if index == 700 { #expect(writer.counts.pending == 201) }
        }
        try writer.append(sampleEntry("req-tail", status: .failed))
        #expect(writer.counts.pending == 1)
        try writer.flush()
        #expect(writer.counts == (10_001, 0))

        let status = try ledger.status()
        #expect(status.rowsByStatus == ["earned": 8_000, "rejected": 1_000, "duplicate": 1_000, "failed": 1])
        #expect(try ledger.entry(requestId: "req-9999")?.line == 10_001)

        // Lookups with unknown and not-done ids mixed in.
        let asked = (0..<1_234).map { "req-\($0)" } + ["nope-1", "req-tail"]
        let done = try Set(asked.filter { try ledger.entry(requestId: $0)?.status.isDone == true })
        let expected = Set((0..<1_234).filter { $0 % 10 != 0 }.map { "req-\($0)" })
        #expect(done == expected)
        ledger.close()
    }

    @Test func aSlowRunCommitsAtLeastEverySecond() throws {
        // At 10 rows/s a 500-row batch would keep 50 s of outcomes in memory only: a kill then
        // loses them all. The oldest entry waits at most a second, whether more rows come or not.
        let dir = LedgerTestDirectory()
        let path = dir.file("l.ledger")
        let ledger = try Ledger(path: path)
        let run = try ledger.startRun(sampleStart())
        let time = VirtualClock()
        let writer = LedgerWriter(ledger: ledger, runId: run, batchSize: 500, clock: time.clock)
        for index in 0..<15 {
            try writer.append(sampleEntry("slow-\(index)"))
            time.advance(0.1)
        }
        // 15 appends, 0.1 s apart: the 11th found the first one 1 s old and committed 11.
        #expect(writer.counts == (11, 4))
        try writer.commitIfDue()
        #expect(writer.counts == (11, 4))
        time.advance(1)
        try writer.commitIfDue()   // no row came for a second: the timer's call commits
        #expect(writer.counts == (15, 0))
        let reader = try Ledger.openForReading(path: path)
        #expect(try reader.status().rowsByStatus == ["earned": 15])
        reader.close()
        ledger.close()
    }

    @Test func killedWriterKeepsEveryCommittedBatch() throws {
        // A ledger closed without flushing (as after SIGKILL) has all committed batches and none of the buffer.
        let dir = LedgerTestDirectory()
        let path = dir.file("l.ledger")
        let ledger = try Ledger(path: path)
        let run = try ledger.startRun(sampleStart())
        let writer = LedgerWriter(ledger: ledger, runId: run, batchSize: 100, clock: VirtualClock().clock)
        for index in 0..<250 { try writer.append(sampleEntry("k\(index)")) }
        let reader = try Ledger.openForReading(path: path)   // a second connection sees only commits
        #expect(try reader.status().rowsByStatus == ["earned": 200])
        reader.close()
        ledger.close()
    }

    // MARK: runs and inputs

    @Test func runsRecordInputsOptionsAndEnd() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("l.ledger")
        let ledger = try Ledger(path: path)
        let inputs = [RunInput(path: "a.csv", sha256: String(repeating: "ab", count: 32), bytes: 1_234),
                      RunInput(path: "b.jsonl", sha256: String(repeating: "CD", count: 32), bytes: 99)]
        let options = ["concurrency": "8", "password": "hunter2", "oauth-client-Secret": "s3",
                       "X-Token": "t", "base-url": "http://127.0.0.1:1"]
        let run = try ledger.startRun(sampleStart(inputs, options: options))
        #expect(try !ledger.isInputFullyProcessed(sha256: inputs[0].sha256))
        try ledger.markInputFullyProcessed(inputs[0], runId: run)
        #expect(try ledger.isInputFullyProcessed(sha256: inputs[0].sha256))
        #expect(try ledger.isInputFullyProcessed(sha256: inputs[0].sha256.uppercased()))
        #expect(try !ledger.isInputFullyProcessed(sha256: inputs[1].sha256))
        let extra = RunInput(path: "c.csv", sha256: String(repeating: "ef", count: 32), bytes: 5)
        try ledger.markInputFullyProcessed(extra, runId: run)
        #expect(try ledger.isInputFullyProcessed(sha256: extra.sha256))
        try ledger.finishRun(run, RunEnd(endedAt: Date(timeIntervalSince1970: 1_780_000_360),
                                         counts: [.earned: 10, .rejected: 2], requestsSent: 13, retries: 1,
                                         exitCode: 1, abortReason: nil))
        ledger.close()

        let bytes = try String(decoding: Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        #expect(!bytes.contains("hunter2"))

        let status = try Ledger.openForReading(path: path).status()
        let recorded = try #require(status.runs.first)
        #expect(recorded.id == run)
        #expect(recorded.startedAt == "2026-05-28T20:26:40.000Z")
        #expect(recorded.endedAt == "2026-05-28T20:32:40.000Z")
        #expect(recorded.counts == ["earned": 10, "rejected": 2])
        #expect(recorded.requestsSent == 13 && recorded.retries == 1 && recorded.exitCode == 1)
        #expect(recorded.toolVersion == "0.1.0-test")
        #expect(recorded.options == ["concurrency": "8", "password": "[redacted]", "oauth-client-Secret": "[redacted]",
                                     "X-Token": "[redacted]", "base-url": "http://127.0.0.1:1"])
        #expect(recorded.inputs.map(\.path) == ["a.csv", "b.jsonl", "c.csv"])
        #expect(recorded.inputs.map(\.fullyProcessed) == [true, false, true])
        #expect(recorded.inputs[1].sha256 == String(repeating: "cd", count: 32))
        #expect(recorded.inputs[0].bytes == 1_234)
    }
}

/// Lookups share a read snapshot on the writing connection; it must never hide our own writes.
@Suite struct LedgerSnapshotTests {
    @Test func lookupsSeeWritesMadeBetweenThem() throws {
        let dir = LedgerTestDirectory()
        let ledger = try Ledger(path: dir.file("l.ledger"))
        let run = try ledger.startRun(sampleStart())
        for index in 0..<25_000 {   // crosses several snapshot renewals
            #expect(try ledger.entry(requestId: "s\(index)")?.status == nil)
            if index % 5_000 == 0 {
                try ledger.record([sampleEntry("s\(index)")], runId: run)
                #expect(try ledger.entry(requestId: "s\(index)")?.status == .earned)
            }
        }
        ledger.close()
    }

    @Test func alreadyDoneWithoutAttemptsChangesNothing() throws {
        let dir = LedgerTestDirectory()
        let ledger = try Ledger(path: dir.file("l.ledger"))
        let run1 = try ledger.startRun(sampleStart())
        try ledger.record([sampleEntry("a")], runId: run1)
        let before = try #require(try ledger.stored(requestId: "a"))
        let run2 = try ledger.startRun(sampleStart())
        try ledger.record([sampleEntry("a", status: .alreadyDone, attempts: 0)], runId: run2)
        #expect(try ledger.stored(requestId: "a") == before)
        ledger.close()
    }
}

@Suite struct LedgerWriterConcurrencyTests {
    @Test func appendsFromSeveralThreadsAllLand() throws {
        let dir = LedgerTestDirectory()
        let ledger = try Ledger(path: dir.file("l.ledger"))
        let run = try ledger.startRun(sampleStart())
        let writer = LedgerWriter(ledger: ledger, runId: run, batchSize: 100)
        let failures = LedgerTestCounter()
        // Writers append while a reader thread keeps looking up: the ledger serialises them.
        DispatchQueue.concurrentPerform(iterations: 5) { worker in
            for index in 0..<1_000 {
                do {
                    if worker == 4 {
                        _ = try ledger.entry(requestId: "w0-\(index)")?.status
                    } else {
                        try writer.append(sampleEntry("w\(worker)-\(index)"))
                    }
                } catch { failures.add() }
            }
        }
        try writer.flush()
        #expect(failures.value == 0)
        #expect(try ledger.status().rowsByStatus == ["earned": 4_000])
        ledger.close()
    }

    @Test func aVersion0FileIsNotALedgerForReading() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("empty.ledger")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        #expect { try Ledger.openForReading(path: path) } throws: { error in
            guard let error = error as? LedgerError, case .notALedger = error.kind else { return false }
            return error.description.contains(path)
        }
    }

    @Test func aMissingDirectoryIsAClearError() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("no/such/dir/l.ledger")
        #expect { try Ledger(path: path) } throws: { error in
            guard let error = error as? LedgerError, case .io = error.kind else { return false }
            return error.description.contains(path)
        }
    }
}

final class LedgerTestCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
