import EarnAPI
import Foundation
import Synchronization
import Testing
@testable import BadgeImport

/// Bulk earns in-process: the batch requestId rule, the grouping buffer, the ledger's intents,
/// and a worker's reading of bulk answers, against a real SQLite ledger and scripted transports.
@Suite struct BulkPartsTests {
    static let worked = "f08f0ea0eecc453d2c964ba7d266d4f70cb18f6c4d5a648c6879aad7b5a05e9b"

    static func row(_ id: String, customer: Int64, ref: String = "r", date: String? = "2025-03-01T10:00:00.000Z",
                    line: Int = 2) -> EarnRow {
        EarnRow(source: "in.csv", line: line, requestId: id, badgeMetaId: "66276dc68fe258516a88ff8e", customerId: customer,
                earnEventDate: date, ownerType: .historicalImport, referenceId: ref)
    }

    @Test func batchRequestIdDependsOnTheMembersOnly() {
        #expect(BatchRequestID.keyMaterial(members: ["b", "a"]) == "bulk-v1\n1:a\n1:b\n")
        #expect(BatchRequestID.derive(members: ["b", "a"]) == Self.worked)
        #expect(BatchRequestID.derive(members: ["a", "b", "a"]) == Self.worked)
        #expect(BatchRequestID.derive(members: ["a", "c"]) != Self.worked)
        // Length prefixes: "ab" alone is not "a" and "b".
        #expect(BatchRequestID.derive(members: ["ab"]) != BatchRequestID.derive(members: ["a", "b"]))
    }

    @Test func groupsFillToTheBulkSizeSingletonsGoAloneAndTheBufferIsBounded() {
        let grouper = BatchGrouper(limit: BulkLimit(3), maxGroups: 2, maxRows: 100)
        var out: [Work] = []
        for customer in 1...7 { grouper.add(Job(row: Self.row("a\(customer)", customer: Int64(customer)), original: [])) { out.append($0) } }
        #expect(out.count == 2 && out.allSatisfy { if case .batch(let b) = $0 { b.members.count == 3 } else { false } })
        // Another group, then a third: the buffer holds two groups, so the oldest goes.
        grouper.add(Job(row: Self.row("b1", customer: 1, ref: "other"), original: [])) { out.append($0) }
        grouper.add(Job(row: Self.row("c1", customer: 1, date: nil), original: [])) { out.append($0) }
        #expect(out.count == 3)
        if case .single(let job) = out[2] { #expect(job.row.requestId == "a7") } else { Issue.record("a group of one is a single earn") }
        // The same customer twice in one group (a requestId column): the second goes alone.
        grouper.add(Job(row: Self.row("b1-again", customer: 1, ref: "other"), original: [])) { out.append($0) }
        if case .single(let job)? = out.last { #expect(job.row.requestId == "b1-again") } else { Issue.record("same customer twice") }
        grouper.flushAll { out.append($0) }
        #expect(out.flatMap(\.jobs).count == 10 && grouper.heldRows == 0)
    }

    @Test func aShrunkenBulkSizeSplitsWhatIsHeld() {
        let limit = BulkLimit(10)
        let grouper = BatchGrouper(limit: limit)
        for customer in 1...7 { grouper.add(Job(row: Self.row("a\(customer)", customer: Int64(customer)), original: [])) { _ in } }
        #expect(limit.halve(below: 10, because: "818").size == 5)
        #expect(limit.halve(below: 10, because: "818 again").note == nil, "a batch formed before the halving halves nothing")
        var sizes: [Int] = []
        grouper.flushAll { sizes.append($0.rowCount) }
        #expect(sizes == [5, 2])
        #expect(limit.notes == ["10 -> 5: 818"])
    }

    @Test func intentsOpenOnceCloseWithTheirRowsAndAreReplacedAtomically() throws {
        let dir = LedgerTestDirectory()
        let ledger = try Ledger(path: dir.file("l.ledger"))
        defer { ledger.close() }
        let run = try ledger.startRun(sampleStart())
        let batch = BatchJob(rows: [Job(row: Self.row("x", customer: 1), original: []), Job(row: Self.row("y", customer: 2), original: [])])
        #expect(try ledger.openBatchIntent(batch.intent, runId: run) == .opened)
        #expect(try ledger.openBatchIntent(batch.intent, runId: run) == .alreadyOpen)
        #expect(try ledger.openBatchIntents() == [batch.intent])

        // Closed only together with its rows' entries.
        try ledger.record([sampleEntry("x"), sampleEntry("y")], closing: [batch.intent.requestId], runId: run)
        #expect(try ledger.batchIntentState(batch.intent.requestId) == "done")
        #expect(try ledger.openBatchIntents().isEmpty)
        #expect(try ledger.openBatchIntent(batch.intent, runId: run) == .closedBefore(state: "done"))

        let big = BatchJob(rows: (1...4).map { Job(row: Self.row("m\($0)", customer: Int64($0)), original: []) })
        _ = try ledger.openBatchIntent(big.intent, runId: run)
        let halves = [BatchJob(part: Array(big.members[0..<2])), BatchJob(part: Array(big.members[2..<4]))]
        let opened = try ledger.replaceBatchIntent(big.intent.requestId, with: halves.map(\.intent), runId: run)
        #expect(opened.map(\.requestId) == halves.map(\.intent.requestId))
        #expect(try ledger.batchIntentState(big.intent.requestId) == "refused")
        #expect(Set(try ledger.openBatchIntents().map(\.requestId)) == Set(halves.map(\.intent.requestId)))
    }

    // MARK: a worker's reading of bulk answers

    final class Sent: Sendable {
        let requests = Mutex<[HTTPRequest]>([])
        func withLock<T>(_ body: ([HTTPRequest]) -> T) -> T { requests.withLock { body($0) } }
    }

    private func pool(_ dir: InputTempDir, ledger: Ledger, runId: Int64, bulk: Bool = true,
                      reply: @escaping @Sendable () -> ScriptedTransport) throws -> (WorkerPool, RunRecorder, Sent) {
        var config = RunOptions(inputs: [], mapping: testMapping(), baseURL: "https://api.example", auth: .none,
                                ledgerPath: ledger.path)
        config.concurrency = 1
        config.maxAttempts = 2
        config.bulk = bulk
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: true)
        let recorder = try RunRecorder(reportDir: dir.path("out"), inputs: [("in.csv", ["requestId"])], ledger: ledger,
                                       runId: runId, clock: VirtualClock().clock)
        let clock = VirtualClock().clock
        let sent = Sent()
        let workers = WorkerPool(WorkerPool.Parts(
            configuration: config, auth: .none, limiter: RateLimiter(mode: .adaptive(ceiling: nil), clock: clock),
            breaker: CircuitBreaker(window: 60, clock: clock), recorder: recorder, control: RunControl(),
            clock: clock, random: fixedRandom([0]), makeTransport: {
                let transport = reply()
                transport.onSend = { request in sent.requests.withLock { $0.append(request) } }
                return transport
            }, ledger: ledger, runId: runId, bulkLimit: BulkLimit(4)))
        return (workers, recorder, sent)
    }

    @Test func eachCustomersItemIsItsRowsFateAndAMissingOneKeepsTheIntentOpen() throws {
        let dir = try InputTempDir()
        let ledger = try Ledger(path: dir.path("l.ledger"))
        defer { ledger.close() }
        let run = try ledger.startRun(sampleStart())
        let answer = BulkEarnAnswer(items: [
            .init(customerId: 1, result: .earned(earnedBadgeId: "e1", issuedId: nil, expiresOn: 1.5, status: "LIVE")),
            .init(customerId: 2, result: .failed(code: 809, message: "again")),
            .init(customerId: 3, result: .failed(code: 811, message: "issue first")),
        ])
        let body = String(decoding: answer.encoded(), as: UTF8.self)
        let (workers, recorder, sent) = try pool(dir, ledger: ledger, runId: run) { ScriptedTransport([ScriptedTransport.json(200, body)]) }
        let batch = BatchJob(rows: (1...4).map { Job(row: Self.row("r\($0)", customer: Int64($0), line: $0 + 1), original: []) })
        workers.start()
        workers.put(.batch(batch))
        workers.finish()
        try recorder.flush()

        let request = try #require(sent.withLock { $0.first })
        #expect(request.url.hasSuffix("/api_gateway/v1/badges/customer/earnBulk"))
        let decoded = request.body.withUnsafeBytes { EarnBulkRequestBody.decode($0) }
        #expect(decoded?.requestId == batch.intent.requestId && decoded?.customerIds?.count == 4)
        #expect(try ledger.entry(requestId: "r1")?.status == .earned)
        #expect(try ledger.entry(requestId: "r2")?.status == .duplicate)
        #expect(try ledger.entry(requestId: "r3")?.status == .rejected)
        #expect(try ledger.entry(requestId: "r4")?.status == .failed, "never counted as earned")
        #expect(try ledger.batchIntentState(batch.intent.requestId) == "open", "resent next run, same requestId and members")
        #expect(recorder.snapshot().requestsSent == 1)
        let results = try String(contentsOfFile: dir.path("out/results.csv"), encoding: .utf8)
        #expect(results.split(separator: "\n").dropFirst().allSatisfy { $0.hasSuffix("," + batch.intent.requestId) })
    }

    @Test(arguments: [
        (500, #"{"data":{"issuedBadges":[{"customerId":1"#),            // truncated
        (200, "<html>proxy</html>"),                                      // garbage under 200
    ])
    func garbageIsRetriedAndNothingIsDone(status: Int, body: String) throws {
        let dir = try InputTempDir()
        let ledger = try Ledger(path: dir.path("l.ledger"))
        defer { ledger.close() }
        let run = try ledger.startRun(sampleStart())
        let (workers, recorder, sent) = try pool(dir, ledger: ledger, runId: run) { ScriptedTransport([ScriptedTransport.json(status, body)]) }
        let batch = BatchJob(rows: (1...2).map { Job(row: Self.row("g\($0)", customer: Int64($0)), original: []) })
        workers.start()
        workers.put(.batch(batch))
        workers.finish()
        try recorder.flush()
        #expect(sent.withLock { $0.count } == 2, "retried up to --max-attempts")
        #expect(try ledger.entry(requestId: "g1")?.status == .failed)
        #expect(try ledger.batchIntentState(batch.intent.requestId) == "open")
    }

    @Test func tooManyCustomersHalvesAndResendsUnderNewRequestIds() throws {
        let dir = try InputTempDir()
        let ledger = try Ledger(path: dir.path("l.ledger"))
        defer { ledger.close() }
        let run = try ledger.startRun(sampleStart())
        let ok = String(decoding: BulkEarnAnswer(items: (1...4).map {
            .init(customerId: Int64($0), result: .earned(earnedBadgeId: "e\($0)", issuedId: nil, expiresOn: nil, status: "LIVE"))
        }).encoded(), as: UTF8.self)
        let (workers, recorder, sent) = try pool(dir, ledger: ledger, runId: run) {
            ScriptedTransport([ScriptedTransport.json(400, errorBody(818, "too many customers in one request")),
                               ScriptedTransport.json(200, ok)])
        }
        let batch = BatchJob(rows: (1...4).map { Job(row: Self.row("t\($0)", customer: Int64($0)), original: []) })
        workers.start()
        workers.put(.batch(batch))
        workers.finish()
        try recorder.flush()
        let ids = sent.withLock { $0 }.compactMap { request in request.body.withUnsafeBytes { EarnBulkRequestBody.decode($0) } }
        #expect(ids.map { $0.customerIds?.count ?? 0 } == [4, 2, 2])
        #expect(Set(ids.map(\.requestId)).count == 3, "new batches, new requestIds")
        #expect(try ledger.batchIntentState(batch.intent.requestId) == "refused")
        #expect(try (1...4).allSatisfy { try ledger.entry(requestId: "t\($0)")?.status == .earned })
        #expect(recorder.requestCounts().bulkRequests == 3)
    }
}
