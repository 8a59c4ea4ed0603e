import Foundation
import Synchronization
import Testing
@testable import BadgeImport

/// The three parts of a run in-process, each against real files and a real SQLite ledger, with
/// a scripted transport and virtual time: no binary, no network, no sleeping.
@Suite struct RunPartsTests {
    static let header = "requestId,badgeMetaId,customerId,earnEventDate,ownerType,referenceId\n"
    static func row(_ id: String, customer: Int = 62_090_013) -> String {
        "\(id),66276dc68fe258516a88ff8e,\(customer),2025-03-01T10:00:00Z,Historical_Import,ref-\(id)\n"
    }

    /// A run's configuration over `csv` written into `dir`, with a ledger and a report folder there.
    func configuration(_ dir: InputTempDir, _ csv: String) throws -> RunOptions {
        let input = try dir.write("earns.csv", csv)
        var config = RunOptions(inputs: [try InputFile(path: input)], mapping: testMapping(),
                                         baseURL: "https://api.example", auth: .none, ledgerPath: dir.path("l.ledger"))
        config.reportDir = dir.path("out")
        config.concurrency = 3
        return config
    }

    func recorder(_ dir: InputTempDir, ledger: Ledger?, runId: Int64 = 1) throws -> RunRecorder {
        try FileManager.default.createDirectory(atPath: dir.path("out"), withIntermediateDirectories: true)
        return try RunRecorder(reportDir: dir.path("out"), inputs: [(dir.path("earns.csv"), ["requestId"])],
                               ledger: ledger, runId: runId, clock: VirtualClock().clock)
    }

    // MARK: planner

    @Test func thePlannerDecidesEachRowBeforeAnyRequest() throws {
        let dir = try InputTempDir()
        var config = try configuration(dir, Self.header + Self.row("done") + Self.row("refused") + Self.row("new")
                                       + Self.row("new", customer: 1) + "x,not-hex,abc,,Nobody,\n")
        config.skipRejected = true
        let ledger = try Ledger(path: config.ledgerPath)
        defer { ledger.close() }
        let run = try ledger.startRun(sampleStart())
        try ledger.record([sampleEntry("done"), sampleEntry("refused", status: .rejected)], runId: run)

        let planner = try RunPlanner(configuration: config, ledger: ledger)
        let recorder = try recorder(dir, ledger: nil)
        var jobs: [Job] = []
        let reading = planner.feed(recorder: recorder, ledger: ledger, control: RunControl(), logger: .init(label: "t"),
                                   progress: { _ in }, send: { jobs += $0.jobs })

        #expect(jobs.map(\.row.requestId) == ["new"], "only the new row goes to the workers")
        let counts = recorder.snapshot().counts
        #expect(counts == [.alreadyDone: 1, .rejected: 1, .duplicateInInput: 1, .invalid: 1])
        #expect(reading.fullyRead == [dir.path("earns.csv")] && reading.problems.isEmpty)
        #expect(planner.inputs.first?.sha256.count == 64)
    }

    @Test func aFileTheLedgerHasAsFullyProcessedIsNotReadAgain() throws {
        let dir = try InputTempDir()
        let config = try configuration(dir, Self.header + Self.row("a"))
        let ledger = try Ledger(path: config.ledgerPath)
        defer { ledger.close() }
        let first = try RunPlanner(configuration: config, ledger: ledger)
        #expect(first.inputs.first?.sha256 == "", "no file of its size was ever finished: not hashed before reading")
        _ = first.feed(recorder: try recorder(dir, ledger: nil), ledger: nil, control: RunControl(), logger: .init(label: "t"),
                       progress: { _ in }, send: { _ in })
        let input = try #require(first.inputs.first)
        #expect(input.sha256 == (try RunPlanner.contentHash(of: input.file)), "the hash taken on the way is the file's")
        try ledger.markInputFullyProcessed(RunInput(path: "elsewhere.csv", sha256: input.sha256, bytes: input.bytes),
                                           runId: try ledger.startRun(sampleStart()))

        let again = try RunPlanner(configuration: config, ledger: ledger)
        #expect(again.inputs.first?.alreadyProcessed == true && again.toRead.isEmpty)
        var reprocess = config
        reprocess.reprocess = true
        #expect(try RunPlanner(configuration: reprocess, ledger: ledger).toRead.count == 1)
    }

    /// No counting pass: until reading ends the total is the rows done scaled by the bytes read;
    /// the exact count replaces it.
    @Test func theProgressTotalIsProjectedFromTheBytesReadUntilItIsKnown() throws {
        let dir = try InputTempDir()
        let time = VirtualClock()
        let recorder = try recorder(dir, ledger: nil)
        let progress = RunProgress(clock: time.clock)
        progress.begin(at: time.clock.now(), sources: RunProgress.Sources(
            recorder: recorder, limiter: RateLimiter(mode: .adaptive(ceiling: nil), clock: time.clock), inFlight: { 0 }),
                       totalBytes: 4_000)
        #expect(progress.snapshot().totalRows == nil, "nothing read yet: no total")
        progress.addBytesRead(1_000)
        for line in 1...25 { recorder.record(RowResult(source: "a.csv", line: line, requestId: "r\(line)", status: .invalid, original: [])) }
        #expect(progress.snapshot().totalRows == 100)
        progress.setTotalRows(97)
        #expect(progress.snapshot().totalRows == 97)
    }

    /// Only a file of the size of one the ledger has finished is hashed before it is read; one of
    /// the same size but other bytes is hashed, found new, and read.
    @Test func onlyAFileOfAFinishedSizeIsHashedBeforeItIsRead() throws {
        let dir = try InputTempDir()
        let config = try configuration(dir, Self.header + Self.row("a"))
        let ledger = try Ledger(path: config.ledgerPath)
        defer { ledger.close() }
        let size = try #require(FileStamp.of(path: config.inputs[0].path)?.size)
        let runId = try ledger.startRun(sampleStart())
        try ledger.markInputFullyProcessed(RunInput(path: "other.csv", sha256: String(repeating: "0", count: 64), bytes: size + 1), runId: runId)
        #expect(try RunPlanner(configuration: config, ledger: ledger).inputs.first?.sha256 == "")

        try ledger.markInputFullyProcessed(RunInput(path: "same-size.csv", sha256: String(repeating: "1", count: 64), bytes: size), runId: runId)
        let planner = try RunPlanner(configuration: config, ledger: ledger)
        #expect(planner.inputs.first?.sha256 == (try RunPlanner.contentHash(of: config.inputs[0])))
        #expect(planner.toRead.count == 1)
    }

    @Test func aLedgerThatCannotBeReadStopsTheFeed() throws {
        let dir = try InputTempDir()
        let config = try configuration(dir, Self.header + Self.row("a") + Self.row("b"))
        let ledger = try Ledger(path: config.ledgerPath)
        let planner = try RunPlanner(configuration: config, ledger: ledger)
        ledger.close()   // every lookup now fails
        var jobs: [Job] = []
        let reading = planner.feed(recorder: try recorder(dir, ledger: nil), ledger: ledger, control: RunControl(),
                                   logger: .init(label: "t"), progress: { _ in }, send: { jobs += $0.jobs })
        #expect(reading.ledgerFailure?.kind == .closed)
        #expect(jobs.isEmpty, "nothing is sent that the ledger could not check")
        #expect(reading.fullyRead.isEmpty)
    }

    // MARK: worker pool

    func pool(_ config: RunOptions, recorder: RunRecorder, control: RunControl,
              transport: @escaping @Sendable () -> ScriptedTransport) -> WorkerPool {
        let clock = VirtualClock().clock
        return WorkerPool(WorkerPool.Parts(
            configuration: config, auth: .none, limiter: RateLimiter(mode: .adaptive(ceiling: nil), clock: clock),
            breaker: CircuitBreaker(window: 60, clock: clock), recorder: recorder, control: control,
            clock: clock, random: fixedRandom([0]), makeTransport: transport))
    }

    @Test func everyJobEndsAsExactlyOneRecordedRow() throws {
        let dir = try InputTempDir()
        let config = try configuration(dir, Self.header)
        let recorder = try recorder(dir, ledger: nil)
        let transports = Mutex<[ScriptedTransport]>([])
        let workers = pool(config, recorder: recorder, control: RunControl()) {
            let transport = ScriptedTransport([ScriptedTransport.json(200, earnedBody)])
            transports.withLock { $0.append(transport) }
            return transport
        }
        workers.start()
        for index in 0..<40 { workers.put(.single(Job(row: sampleRow(requestId: "job-\(index)"), original: []))) }
        workers.finish()

        #expect(recorder.snapshot().counts == [.earned: 40])
        #expect(recorder.snapshot().requestsSent == 40)
        let sent = transports.withLock { $0.map(\.requests.count) }
        #expect(sent.count == 3 && sent.reduce(0, +) == 40, "three workers, one transport each")
        #expect(workers.inFlight == 0 && workers.waiting == 0)
    }

    @Test func refusedCredentialsStopThePoolAndTheRestIsRecordedNotSent() throws {
        let dir = try InputTempDir()
        var config = try configuration(dir, Self.header)
        config.concurrency = 1
        let recorder = try recorder(dir, ledger: nil)
        let control = RunControl()
        let workers = pool(config, recorder: recorder, control: control) {
            ScriptedTransport([ScriptedTransport.json(401, errorBody(401, "Invalid credentials"))])
        }
        workers.start()
        workers.put(.single(Job(row: sampleRow(requestId: "first"), original: [])))
        while !control.isStopping { usleep(1_000) }
        for index in 0..<5 { workers.put(.single(Job(row: sampleRow(requestId: "later-\(index)"), original: []))) }
        workers.finish()

        #expect(control.stopReason?.contains("HTTP 401") == true)
        #expect(recorder.snapshot().requestsSent == 1)
        #expect(recorder.snapshot().counts[.failed] == 6)
        #expect(recorder.errorSummaries().contains { $0.code == "not-sent" && $0.count == 5 })
    }

    @Test func failuresAreGroupedByAPICodeHTTPStatusOrNetwork() throws {
        let dir = try InputTempDir()
        let config = try configuration(dir, Self.header)
        let workers = pool(config, recorder: try recorder(dir, ledger: nil), control: RunControl()) { ScriptedTransport([]) }
        let job = Job(row: sampleRow(), original: [])
        func code(_ outcome: EarnOutcome) -> String? {
            workers.classify(SendResult(outcome: outcome, attempts: 6, lastHTTPStatus: nil, latencies: [], throttled: 0),
                             job: job).errorCode
        }
        #expect(code(.retryable(httpStatus: 503, code: nil, message: "busy", retryAfter: nil)) == "http-503")
        #expect(code(.retryable(httpStatus: 500, code: "500", message: "x", retryAfter: nil)) == "500")
        #expect(code(.retryable(httpStatus: nil, code: nil, message: "timeout", retryAfter: nil)) == "network")
        let unsent = workers.classify(SendResult(outcome: .earned(EarnReceipt(earnedBadgeId: nil, issuedId: nil, expiresOn: nil, warnings: [])),
                                                 attempts: 0, lastHTTPStatus: nil, latencies: [], throttled: 0), job: job)
        #expect(unsent.status == .failed && unsent.errorCode == "not-sent", "a row that never left is not earned")
    }

    // MARK: finisher

    func finish(_ dir: InputTempDir, _ config: RunOptions, ledger: Ledger?, runId: Int64, recorder: RunRecorder,
                control: RunControl = RunControl(), reading: RunPlanner.Reading) throws -> ImportOutcome {
        let planner = try RunPlanner(configuration: config, ledger: nil)
        // Read as a run reads it: the content hash is taken on the way.
        _ = planner.feed(recorder: recorder, ledger: nil, control: RunControl(), logger: .init(label: "t"),
                         progress: { _ in }, send: { _ in })
        let finisher = RunFinisher(configuration: config, ledger: ledger, runId: runId, reportDirectory: dir.path("out"),
                                   recorder: recorder, control: control, logger: .init(label: "t"), recordedOptions: [:])
        let times = RunFinisher.Times(started: Date(timeIntervalSince1970: 1_700_000_000),
                                      ended: Date(timeIntervalSince1970: 1_700_000_010), duration: 10)
        return try finisher.finish(inputs: planner.inputs, reading: reading, times: times, timeline: [])
    }

    @Test func theFinisherRemembersOnlyAnInputARerunWouldSendNothingFrom() throws {
        let dir = try InputTempDir()
        let config = try configuration(dir, Self.header + Self.row("a"))
        let ledger = try Ledger(path: config.ledgerPath)
        defer { ledger.close() }
        let runId = try ledger.startRun(sampleStart())
        let name = dir.path("earns.csv")
        let hash = try RunPlanner.contentHash(of: InputFile(path: name))

        // A rejected row keeps the input open: the next run sends it again.
        let rejected = try recorder(dir, ledger: ledger, runId: runId)
        rejected.record(RowResult(source: name, line: 2, requestId: "a", status: .rejected, errorCode: "811", original: []))
        let first = try finish(dir, config, ledger: ledger, runId: runId, recorder: rejected,
                               reading: RunPlanner.Reading(fullyRead: [name]))
        #expect(first.exitCode == ExitStatus.rowsNeedALook.code)
        #expect(try !ledger.isInputFullyProcessed(sha256: hash))

        let earned = try recorder(dir, ledger: ledger, runId: runId)
        earned.record(RowResult(source: name, line: 2, requestId: "a", status: .earned, attempts: 1, original: [],
                                row: sampleRow(requestId: "a")))
        let second = try finish(dir, config, ledger: ledger, runId: runId, recorder: earned,
                                reading: RunPlanner.Reading(fullyRead: [name]))
        #expect(second.exitCode == ExitStatus.success.code)
        #expect(second.summary.inputs.first?.fullyProcessed == true)
        #expect(try ledger.isInputFullyProcessed(sha256: hash))
        #expect(try ledger.entry(requestId: "a")?.status == .earned, "the last outcomes were committed")
        let written = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: URL(fileURLWithPath: dir.path("out/summary.json"))))
        #expect(written == second.summary)
    }

    @Test func anInputNotReadWholeOrAStoppedRunIsNeverRemembered() throws {
        let dir = try InputTempDir()
        let config = try configuration(dir, Self.header + Self.row("a"))
        let name = dir.path("earns.csv")
        let problem = try finish(dir, config, ledger: nil, runId: 0, recorder: try recorder(dir, ledger: nil),
                                 reading: RunPlanner.Reading(problems: [name: "stopped after line 1: truncated"]))
        #expect(problem.exitCode == ExitStatus.rowsNeedALook.code)
        #expect(problem.summary.inputs.first?.fullyProcessed == false)
        #expect(problem.summary.inputs.first?.problem == "stopped after line 1: truncated")

        let control = RunControl()
        control.stop(because: "interrupted by SIGTERM")
        let stopped = try finish(dir, config, ledger: nil, runId: 0, recorder: try recorder(dir, ledger: nil),
                                 control: control, reading: RunPlanner.Reading(fullyRead: [name]))
        #expect(stopped.exitCode == ExitStatus.aborted.code && stopped.summary.aborted == "interrupted by SIGTERM")
        #expect(stopped.summary.inputs.first?.fullyProcessed == false)
    }

    @Test func anAbortSaysWhatTheLedgerHolds() {
        let holds = "the ledger could not be written (full): it holds 2 outcomes"
        #expect(RunFinisher.abortReason(RunFinisher.ledgerWriteFailed, ledgerProblem: holds) == holds + "; no more rows were taken")
        #expect(RunFinisher.abortReason("interrupted by SIGINT", ledgerProblem: holds) == "interrupted by SIGINT. Then " + holds)
        #expect(RunFinisher.abortReason(nil, ledgerProblem: nil) == nil)
        #expect(RunFinisher.abortReason("circuit breaker", ledgerProblem: nil) == "circuit breaker")
    }
}
