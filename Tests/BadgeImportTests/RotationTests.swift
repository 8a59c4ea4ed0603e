import CSQLite
import Foundation
import Testing
@testable import BadgeImport

/// Generations: the sent requestId's rule, the planner's decision from the ledger's last word on
/// a row, and the ledger's record of it (an older file migrates; a done row keeps its sent id).
@Suite struct RotationTests {
    static let id = "7bb62866cb40e4b3a5ecbfbeb67c1871cefd465906e2d341c457ee9cf339abde"

    // MARK: the rule

    @Test func theSentRequestIdIsTheIdentityUntilARejectionThenSuffixed() {
        #expect(RequestID.sent(Self.id, generation: 0) == Self.id)
        #expect(RequestID.sent(Self.id, generation: 1) == Self.id + "-g1")
        #expect(RequestID.sent("given-42", generation: 12) == "given-42-g12")
        var row = earnRow("r")
        #expect(row.sentRequestId == "r")
        row.generation = 2
        #expect(row.sentRequestId == "r-g2" && row.requestId == "r")
        #expect(EarnClient.body(for: row).containsString(#""requestId":"r-g2""#))
    }

    // MARK: the planner

    private func planner(_ dir: InputTempDir, skipRejected: Bool = false) throws -> RunPlanner {
        let input = try dir.write("earns.csv", RunPartsTests.header + RunPartsTests.row("r"))
        var config = RunOptions(inputs: [try InputFile(path: input)], mapping: testMapping(),
                                baseURL: "https://api.example", auth: .none, ledgerPath: dir.path("l.ledger"))
        config.skipRejected = skipRejected
        return try RunPlanner(configuration: config, ledger: nil)
    }

    private func stored(_ status: RowStatus, http: Int?, generation: Int = 0) -> LedgerEntry {
        var entry = sampleEntry("r", status: status)
        entry.httpStatus = http
        entry.generation = generation
        return entry
    }

    /// The generation of the send the planner hands over, or nil when it records the row instead.
    private func sentGeneration(_ planner: RunPlanner, after entry: LedgerEntry?) -> Int? {
        if case .send(let row, _) = planner.plan(earnRow("r"), original: [], stored: entry) { return row.generation }
        return nil
    }

    @Test func onlyARejectionWithAnHTTPAnswerMovesToTheNextGeneration() throws {
        let dir = try InputTempDir()
        let planner = try planner(dir)
        #expect(sentGeneration(planner, after: nil) == 0)
        #expect(sentGeneration(planner, after: stored(.rejected, http: 400)) == 1)
        #expect(sentGeneration(planner, after: stored(.rejected, http: 200, generation: 1)) == 2, "a bulk item's refusal")
        // Kept back by the preflight: never sent, so its generation was never used.
        #expect(sentGeneration(planner, after: stored(.rejected, http: nil, generation: 1)) == 1)
        // A timeout, a 5xx, a dropped connection: that request may have been applied.
        #expect(sentGeneration(planner, after: stored(.failed, http: 503, generation: 1)) == 1)
        #expect(sentGeneration(planner, after: stored(.failed, http: nil)) == 0)
        // Done: not sent, and reported under the id the server holds it by.
        for status in [RowStatus.earned, .duplicate, .alreadyDone] {
            guard case .record(let result) = planner.plan(earnRow("r"), original: [],
                                                          stored: stored(status, http: 200, generation: 3)) else {
                Issue.record("a done row was sent"); continue
            }
            #expect(result.status == .alreadyDone && result.sentRequestId == "r-g3")
        }
    }

    @Test func skipRejectedStillLeavesRejectedRowsOut() throws {
        let dir = try InputTempDir()
        let planner = try planner(dir, skipRejected: true)
        guard case .record(let result) = planner.plan(earnRow("r"), original: [], stored: stored(.rejected, http: 400)) else {
            Issue.record("sent despite --skip-rejected"); return
        }
        #expect(result.status == .rejected && result.sentRequestId == "r" && result.row == nil)
    }

    @Test func aPreflightRefusalKeepsTheGenerationItWouldHaveBeenSentWith() throws {
        let dir = try InputTempDir()
        let planner = try planner(dir)
        planner.preflight = Preflight(logger: .init(label: "t")) { _ in .unknown(code: "1054", message: "no such badge") }
        guard case .record(let result) = planner.plan(earnRow("r"), original: [], stored: stored(.rejected, http: 400)) else {
            Issue.record("sent despite the preflight"); return
        }
        #expect(result.status == .rejected && result.row?.generation == 1 && result.httpStatus == nil)
    }

    // MARK: batches

    @Test func aBatchIsDerivedFromItsMembersSentIdsAndKeepsTheirIdentities() {
        var rotated = earnRow("a")
        rotated.generation = 1
        let batch = BatchJob(rows: [Job(row: rotated, original: []), Job(row: earnRow("b", customer: 2), original: [])])
        #expect(batch.intent.requestId == BatchRequestID.derive(members: ["a-g1", "b"]))
        #expect(batch.intent.requestId != BatchRequestID.derive(members: ["a", "b"]))
        #expect(batch.intent.members.map(\.requestId) == ["a", "b"] && batch.intent.members.map(\.generation) == [1, 0])
        let single = BatchJob.singleIntent(rotated)
        #expect(single.requestId == "a-g1" && single.isSingle && single.members[0].requestId == "a")
        // Resent from the ledger, a member takes the generation it was committed with.
        let resent = BatchJob(resending: batch.intent, read: ["b": Job(row: earnRow("b", customer: 2), original: ["x"])])
        #expect(resent.members.map(\.row.sentRequestId) == ["a-g1", "b"] && resent.members.map(\.inInput) == [false, true])
    }

    // MARK: the ledger

    @Test func aLedgerBeforeGenerationsMigratesWithEveryRowAtGenerationZero() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("v5.ledger")
        var db: OpaquePointer?
        #expect(sqlite3_open(path, &db) == SQLITE_OK)
        let v5 = LedgerSchema.migrations[0..<5].joined(separator: "\n") + """
            INSERT INTO entries (request_id, status, attempts, http_status, source, line, badge_meta_id, customer_id,
                                 run_id, updated_at)
            VALUES ('old', 'rejected', 1, 400, 'a.csv', 2, 'm', 7, 1, 0), ('done', 'earned', 1, 200, 'a.csv', 3, 'm', 8, 1, 0);
            INSERT INTO batch_intents VALUES ('b1', 'open', 'm', 'Historical_Import', 'ref', NULL, 1, 0, NULL);
            INSERT INTO batch_members VALUES ('b1', 'old', 7, 'a.csv', 2);
            PRAGMA user_version = 5;
            """
        #expect(sqlite3_exec(db, v5, nil, nil, nil) == SQLITE_OK)
        sqlite3_close(db)

        // Read-only (status, report, verify, a dry run): read as generation 0, nothing written.
        let reader = try Ledger.openForReading(path: path)
        #expect(try reader.entry(requestId: "old")?.generation == 0)
        #expect(try reader.doneRows().map(\.sentRequestId) == ["done"])
        #expect(try reader.openBatchIntents().first?.members.first?.generation == 0)
        reader.close()

        let ledger = try Ledger(path: path)
        defer { ledger.close() }
        let old = try #require(try ledger.entry(requestId: "old"))
        #expect(old.generation == 0 && old.sentRequestId == "old" && old.httpStatus == 400)
        #expect(try ledger.openBatchIntents().first?.members.first?.generation == 0)

        // Resent after the rejection and earned: the new generation and its id are recorded.
        var earned = sampleEntry("old")
        earned.generation = 1
        let run = try ledger.startRun(sampleStart())
        try ledger.record([earned], runId: run)
        #expect(try ledger.entry(requestId: "old")?.generation == 1)
        #expect(try ledger.doneRows().map(\.sentRequestId) == ["old-g1", "done"])
        // A later outcome that is no upgrade keeps the done row, its generation and its sent id.
        var later = sampleEntry("old", status: .failed)
        later.generation = 2
        try ledger.record([later], runId: run)
        let kept = try #require(try ledger.entry(requestId: "old"))
        #expect(kept.status == .earned && kept.generation == 1 && kept.attempts == 3)
        #expect(try ledger.doneRows().map(\.sentRequestId) == ["old-g1", "done"])
    }

    @Test func aBatchMembersGenerationSurvivesTheLedger() throws {
        let dir = LedgerTestDirectory()
        let ledger = try Ledger(path: dir.file("l.ledger"))
        defer { ledger.close() }
        var rotated = earnRow("a")
        rotated.generation = 2
        let batch = BatchJob(rows: [Job(row: rotated, original: []), Job(row: earnRow("b", customer: 2), original: [])])
        let run = try ledger.startRun(sampleStart())
        #expect(try ledger.openBatchIntent(batch.intent, runId: run) == .opened)
        #expect(try ledger.openBatchIntents() == [batch.intent])
    }
}

private func earnRow(_ id: String, customer: Int64 = 1) -> EarnRow {
    EarnRow(source: "earns.csv", line: 2, requestId: id, badgeMetaId: "66276dc68fe258516a88ff8e", customerId: customer,
            earnEventDate: "2025-03-01T10:00:00.000Z", ownerType: .historicalImport, referenceId: "ref")
}

private extension Array where Element == UInt8 {
    func containsString(_ text: String) -> Bool { String(decoding: self, as: UTF8.self).contains(text) }
}
