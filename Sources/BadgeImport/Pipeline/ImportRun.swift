import Foundation
import Logging
import Synchronization
import Digest

/// What a finished (or stopped) run hands back to the command layer.
public struct ImportOutcome: Sendable {
    public var summary: RunSummary
    public var reportDirectory: String
    /// 0 all valid rows done; 1 some rows rejected, failed or invalid; 3 aborted, progress kept.
    public var exitCode: Int32
}

/// A problem that ends a run before its summary: the command layer prints this one line and
/// exits with `exitCode`: 2 for a configuration problem found before any request, 3 when the
/// ledger itself failed (damaged, unwritable) or a report could not be written after sending.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public let exitCode: Int32
    public init(_ description: String, exitCode: Int32 = 2) {
        self.description = description
        self.exitCode = exitCode
    }

    /// A lock held by another run, a newer schema or a file that is no ledger are the user's to
    /// fix (2); an SQLite failure (a corrupt page, a full disk) stops the run (3).
    init(_ error: LedgerError) {
        if case .sqlite = error.kind { self.init(error.description, exitCode: 3) } else { self.init(error.description) }
    }
}

/// One import: read every input, skip what the ledger says is done, send the rest through
/// `concurrency` workers, and leave the ledger and the report saying what became of each record.
///
/// Threads: the caller's thread reads and plans; each worker is a thread of its own holding
/// its own transport (one keep-alive connection), because a worker blocks in the network and
/// Dispatch's shared pools on Linux give only a handful of such blocking calls at once; a
/// ticker thread samples the counters for the timeline. They meet in a bounded queue (reader to
/// workers) and in `RunRecorder` (everyone to the files and the ledger).
public final class ImportRun: Sendable {
    public typealias TransportFactory = @Sendable () throws -> any Transport

    public let control = RunControl()
    private let configuration: ImportConfiguration
    private let clock: Clock
    private let random: RandomSource
    private let makeTransport: TransportFactory
    private let logger: Logger
    private let live = Mutex(LiveState())
    /// Requests on the wire now: changed twice per row by every worker, so an atomic rather
    /// than one more trip through `live`'s mutex.
    private let inFlight = Atomic<Int>(0)

    /// What progress lines need that the recorder does not count.
    private struct LiveState {
        var startedAt: Double = 0
        var recorder: RunRecorder?
        var bytesRead: Int64 = 0
        var totalBytes: Int64 = 0
        var limiter: RateLimiter?
        var timeline = TimelineRecorder()
        /// (seconds since start, rows completed) at recent ticks, for the recent rows/s.
        var recent: [(t: Double, completed: Int)] = []
        var totalRows: Int?
        var finished = false
    }

    /// - Parameter makeTransport: one call per worker (and one for the OAuth token); the
    ///   default opens a libcurl handle. Tests pass a fake or a loopback transport.
    /// - Parameter logger: where the run says what it cannot put in the summary as it happens
    ///   (an input it could not read to the end, a ledger it could not write); the library never prints.
    public init(configuration: ImportConfiguration, clock: Clock = .system, random: RandomSource = .system,
                logger: Logger = Logger(label: "badge-import", factory: { _ in SwiftLogNoOpLogHandler() }),
                makeTransport: TransportFactory? = nil) {
        self.configuration = configuration
        self.clock = clock
        self.random = random
        self.logger = logger
        let caFile = configuration.caFile
        self.makeTransport = makeTransport ?? {
            try CurlTransport(options: CurlTransport.Options(caFile: caFile))
        }
    }

    // MARK: - The run

    public func execute() throws(ImportError) -> ImportOutcome {
        let config = configuration
        let startedWall = clock.wallNow()
        let started = clock.now()

        // Everything that can be wrong with the configuration fails here, before any request.
        // A dry run plans against the ledger when there is one, without locking or creating it.
        let ledger: Ledger?
        do {
            if !config.dryRun {
                ledger = try Ledger(path: config.ledgerPath, clock: clock)
            } else if FileManager.default.fileExists(atPath: config.ledgerPath) {
                ledger = try Ledger.openForReading(path: config.ledgerPath)
            } else {
                ledger = nil
            }
        } catch {
            throw ImportError(error)
        }
        defer { ledger?.close() }
        var recordedOptions = config.recordedOptions
        if let ledger, let rebound = try bindTarget(of: ledger) { recordedOptions["rebind_ledger"] = rebound }

        var inputs: [PlannedInput] = []
        for file in config.inputs {
            // A stream (stdin, pipe, FIFO) is read once, by the import itself: its hash is taken
            // on the way (it cannot be skipped up front anyway). A file's stamp is taken before
            // hashing, so any change after it (a drop still being written) shows when it is read.
            let stream = file.isStream
            let stamp = stream ? nil : FileStamp.of(path: file.path)
            let hash = stream ? nil : try Self.contentHash(of: file)
            var skip = false
            if let hash, let ledger, !config.reprocess {
                do { skip = try ledger.isInputFullyProcessed(sha256: hash) }
                catch { throw ImportError(error) }
            }
            // Opening reads the header (and finds a missing column before any request). A stream
            // can be read once only, so its reader is kept for the import itself.
            let reader: EarnFileReader
            do { reader = try EarnFileReader(file: file, mapping: config.mapping, hashContent: stream) }
            catch { throw ImportError(error.description) }
            inputs.append(PlannedInput(file: file, sha256: hash ?? "", bytes: stream ? 0 : Self.size(of: file),
                                       columns: reader.columns, alreadyProcessed: skip,
                                       openReader: stream ? reader : nil, stamp: stamp))
        }

        let runId: Int64
        if let ledger, !config.dryRun {
            do {
                runId = try ledger.startRun(RunStart(
                    startedAt: startedWall,
                    inputs: inputs.map { RunInput(path: $0.file.displayName, sha256: $0.sha256, bytes: $0.bytes) },
                    options: recordedOptions, toolVersion: config.toolVersion))
            } catch { throw ImportError(error) }
        } else {
            runId = 0
        }

        // On a ledger that has never recorded a row (a first run), no row of the input can be
        // done: skip the lookup per row, a SQLite probe under the ledger's lock on the reader
        // thread that feeds all the workers. Only when this process holds the run lock, so no
        // one else can add entries meanwhile (a dry run opens without it and keeps looking).
        let planLedger: Ledger?
        if let ledger, !config.dryRun {
            do { planLedger = try ledger.hasEntries() ? ledger : nil }
            catch { throw ImportError(error) }
        } else {
            planLedger = ledger
        }

        let reportDir = (config.reportDir ?? "reports/run-{id}").replacingOccurrences(of: "{id}", with: String(runId))
        do {
            try FileManager.default.createDirectory(atPath: reportDir, withIntermediateDirectories: true)
        } catch {
            throw ImportError("cannot create report directory \(reportDir): \(error.localizedDescription)")
        }
        let recorder: RunRecorder
        do {
            recorder = try RunRecorder(
                reportDir: reportDir,
                inputs: inputs.filter { !$0.alreadyProcessed }.map { ($0.file.displayName, $0.columns) },
                ledger: config.dryRun ? nil : ledger, runId: runId, clock: clock,
                onLedgerFailure: { [control] _ in
                    // Sending on without recording would be the silent loss the ledger exists to
                    // prevent; the summary says what the ledger holds (`ledgerLossReport`).
                    control.stop(because: Self.ledgerWriteFailed)
                })
        } catch { throw ImportError(error.description) }

        let auth: EarnAuth
        do { auth = try buildAuth() } catch { throw ImportError("\(error)") }
        let limiter = RateLimiter(mode: config.rate.map { .fixed($0) } ?? .adaptive(ceiling: nil), clock: clock)
        let breaker = CircuitBreaker(window: config.breakerWindow, clock: clock)
        live.withLock {
            $0.startedAt = started
            $0.recorder = recorder
            $0.totalBytes = inputs.reduce(0) { $0 + ($1.alreadyProcessed ? 0 : $1.bytes) }
            $0.limiter = limiter
        }

        // Workers and the ticker.
        let queue = BlockingQueue<Job>(capacity: max(16, config.concurrency * 4))
        let workers = DispatchGroup()
        if !config.dryRun {
            for index in 0..<config.concurrency {
                workers.enter()
                let thread = Thread { [self] in
                    defer { workers.leave() }
                    work(queue: queue, auth: auth, limiter: limiter, breaker: breaker, recorder: recorder)
                }
                thread.name = "earn-worker-\(index)"
                thread.start()
            }
        }
        let ticker = Thread { [self] in
            while !live.withLock({ $0.finished }) {
                tick(recorder: recorder)
                // A slow run (a paced key, a struggling API) still commits what it has at least
                // once a second, so a killed process loses at most a second of outcomes.
                recorder.commitIfDue()
                clock.sleep(1)
            }
        }
        ticker.start()

        // The progress line's total, counted beside the import so the first rows go out at once.
        // The exact count replaces it when reading ends.
        let countable = inputs.filter { !$0.alreadyProcessed }.map(\.file)
        let shardCount = config.shard?.count ?? 1
        Thread { [self] in
            var total = 0
            for file in countable {
                guard let count = RecordEstimate.count(file) else { return }
                total += count
            }
            live.withLock { state in
                if state.totalRows == nil { state.totalRows = (total + shardCount - 1) / shardCount }
            }
        }.start()

        // Read and plan on this thread.
        var readProblems: [String: String] = [:]
        var detector = DuplicateDetector()
        var fullyRead: Set<String> = []
        var changedWhileRead: Set<String> = []
        for index in inputs.indices where !inputs[index].alreadyProcessed {
            let input = inputs[index]
            if control.isStopping { break }
            do throws(ReadStop) {
                let end = try read(input, into: queue, recorder: recorder, ledger: planLedger, detector: &detector)
                if let hash = end.streamHash { inputs[index].sha256 = hash; inputs[index].bytes = end.bytes }
                if let change = end.change {
                    // Not the bytes hashed: never recorded as fully processed; the next run reads it again.
                    changedWhileRead.insert(input.file.displayName)
                    readProblems[input.file.displayName] = "changed while it was read (\(change))"
                    logger.warning("input changed while it was read; not recorded as fully processed: the next run reads it again",
                                   metadata: ["input": "\(input.file.displayName)", "change": "\(change)"])
                } else if !control.isStopping {
                    fullyRead.insert(input.file.displayName)
                }
            } catch {
                switch error {
                case .input(let problem):
                    // An input that cannot be read further is reported; the others go on.
                    readProblems[input.file.displayName] = problem
                    logger.error("input not read to the end; its remaining rows were not sent",
                                 metadata: ["input": "\(input.file.displayName)", "problem": "\(problem)"])
                case .ledger(let error):
                    // Without the ledger nobody can tell which rows are done: stop rather than guess.
                    control.stop(because: "the ledger could not be read (\(error)); stopped before sending rows it could not check")
                }
            }
        }

        if !control.isStopping {
            live.withLock { state in
                state.totalRows = recorder.snapshot().counts.values.reduce(0, +) + queue.waiting
                    + inFlight.load(ordering: .relaxed)
            }
        }

        // Drain: on a stop, rows nobody took are accounted for as not sent.
        if control.isStopping {
            for job in queue.closeAndDrain() { recorder.record(Self.notSent(job)) }
        } else {
            queue.close()
        }
        workers.wait()
        live.withLock { $0.finished = true }
        tick(recorder: recorder)

        // What kept the ledger or the report files from being whole: the run counts as stopped
        // (exit 3), so the next run checks again what this one could not record.
        var ledgerProblem: String?
        do { try recorder.flush() } catch { ledgerProblem = recorder.ledgerLossReport(error) }
        do { try recorder.finishFiles() } catch { ledgerProblem = ledgerProblem ?? error.description }
        if let ledgerProblem { logger.error("\(ledgerProblem)") }

        // The outcome.
        let snapshot = recorder.snapshot()
        // A stop caused by the ledger says in the same breath what the ledger holds and what not.
        let aborted: String?
        switch (control.stopReason, ledgerProblem) {
        case (Self.ledgerWriteFailed?, let problem?): aborted = problem + "; no more rows were taken"
        case (let reason?, let problem?): aborted = "\(reason). Then \(problem)"
        case (let reason, let problem): aborted = reason ?? problem
        }
        let bad = [RowStatus.rejected, .failed, .invalid].reduce(0) { $0 + (snapshot.counts[$1] ?? 0) }
        let inputTrouble = !readProblems.isEmpty
        var exitCode: Int32 = aborted != nil ? 3 : (bad > 0 || inputTrouble ? 1 : 0)
        let finishedWall = clock.wallNow()
        let duration = clock.now() - started

        var inputSummaries: [InputSummary] = []
        for input in inputs {
            let tally = recorder.sourceTally(input.file.displayName)
            let complete = fullyRead.contains(input.file.displayName) && aborted == nil && tally.failed == 0
                && (tally.rejected == 0 || config.skipRejected)
            var marked = complete
            if complete, !config.dryRun, let ledger, !input.sha256.isEmpty {
                do {
                    try ledger.markInputFullyProcessed(
                        RunInput(path: input.file.displayName, sha256: input.sha256, bytes: input.bytes), runId: runId)
                } catch {
                    // Not a loss (its rows are done and will be skipped one by one), but the file
                    // is not remembered as a whole, so it is not archived either.
                    marked = false
                    logger.warning("could not record the input as fully processed", metadata: [
                        "input": "\(input.file.displayName)", "error": "\(error)"])
                }
            }
            inputSummaries.append(InputSummary(
                path: input.file.displayName, sha256: input.sha256, bytes: input.bytes,
                records: tally.records, skipped: input.alreadyProcessed,
                skippedReason: input.alreadyProcessed ? "already fully processed (same content hash)" : nil,
                fullyProcessed: input.alreadyProcessed || marked, problem: readProblems[input.file.displayName],
                changedWhileRead: changedWhileRead.contains(input.file.displayName)))
        }

        let records = snapshot.counts.values.reduce(0, +)
        var counts: [String: Int] = [:]
        for status in RowStatus.allCases { counts[status.rawValue] = snapshot.counts[status] ?? 0 }
        var summary = RunSummary(
            runId: runId, ledger: config.ledgerPath,
            startedAt: RunSummary.timestamp(startedWall), endedAt: RunSummary.timestamp(finishedWall),
            durationSeconds: duration, inputs: inputSummaries, records: records, counts: counts,
            requestsSent: snapshot.requestsSent, retries: snapshot.retries, throttled: snapshot.throttled,
            rowsPerSecond: duration > 0 ? Double(records) / duration : 0,
            latencyMs: recorder.latencySummary(),
            errors: recorder.errorSummaries(),
            timeline: live.withLock { $0.timeline.finishedPoints }, exitCode: exitCode,
            aborted: aborted, dryRun: config.dryRun, options: recordedOptions)

        if let ledger, !config.dryRun {
            var end = RunEnd(endedAt: finishedWall, counts: snapshot.counts, requestsSent: snapshot.requestsSent,
                             retries: snapshot.retries, exitCode: exitCode, abortReason: aborted)
            end.summaryJSON = try? String(decoding: summary.jsonData(), as: UTF8.self)
            do {
                try ledger.finishRun(runId, end)
            } catch {
                // The rows are in the ledger; only the run's own record is not. Say so, and do
                // not let the exit code claim a clean run.
                let problem = "the ledger could not record the end of run \(runId) (\(error))"
                logger.error("\(problem)")
                exitCode = 3
                summary.exitCode = 3
                summary.aborted = summary.aborted.map { "\($0). \(problem)" } ?? problem
            }
        }
        do {
            try ReportFiles.write(summary, to: reportDir)
        } catch {
            throw ImportError(error.description, exitCode: summary.dryRun ? 2 : 3)
        }
        if let archive = config.archiveDir, !config.dryRun {
            for input in inputSummaries where input.fullyProcessed && input.path != "-" {
                try? Archive.move(input.path, into: archive)
            }
        }
        return ImportOutcome(summary: summary, reportDirectory: reportDir, exitCode: exitCode)
    }

    // MARK: - Reading and planning

    private struct PlannedInput {
        var file: InputFile
        var sha256: String
        var bytes: Int64
        var columns: [String]
        var alreadyProcessed: Bool
        /// A stream's reader, opened while planning; files are opened again when read, so
        /// a folder of many drops does not hold them all open.
        var openReader: EarnFileReader?
        /// A regular file as it was before it was hashed.
        var stamp: FileStamp?
    }

    /// Why reading an input stopped before its end: the input itself (the others go on), or the
    /// ledger (the run stops).
    private enum ReadStop: Error {
        case input(String)
        case ledger(LedgerError)
    }

    /// How the reading of one input ended.
    private struct ReadEnd {
        /// A stream's SHA-256, when it was read to its end (nil for files, hashed beforehand).
        var streamHash: String?
        var bytes: Int64 = 0
        /// What changed in the file since it was hashed, when it did.
        var change: String?
    }

    @discardableResult
    private func read(_ input: PlannedInput, into queue: BlockingQueue<Job>, recorder: RunRecorder,
                      ledger: Ledger?, detector: inout DuplicateDetector) throws(ReadStop) -> ReadEnd {
        let config = configuration
        let reader: EarnFileReader
        if let open = input.openReader {
            reader = open
        } else {
            do { reader = try EarnFileReader(file: input.file, mapping: config.mapping) }
            catch { throw .input("cannot open it again: \(error.message)") }
        }
        var readSoFar: Int64 = 0
        var counter = 0
        var lastLine = 0
        while !control.isStopping {
            let next: MappedRecord?
            do { next = try reader.next() } catch {
                throw .input(lastLine == 0 ? error.message : "stopped after line \(lastLine): \(error.message)")
            }
            guard let record = next else { break }
            counter += 1
            if reader.lastRecordUnterminated, let change = Self.change(of: input, reader: reader) {
                // The end of a file still being written: maybe a record cut short ("REF-00" of
                // "REF-0000149"). Not sent, and not done: the next run reads it whole.
                if let held = Self.heldBack(record, shard: config.shard, change: change) { recorder.record(held) }
                continue
            }
            if counter & 31 == 0 {
                let now = reader.bytesRead
                live.withLock { $0.bytesRead += now - readSoFar }
                readSoFar = now
            }
            switch record {
            case .invalid(let invalid):
                lastLine = invalid.line
                // With shards, one shard (index 0) reports the invalid records, so the
                // shards' reports add up to the whole file.
                if let shard = config.shard, shard.index != 0 { continue }
                recorder.record(RowResult(
                    source: invalid.source, line: invalid.line, requestId: "", status: .invalid,
                    errorCode: Self.joinedKeys(invalid.errors), errorMessage: Self.joinedReasons(invalid.errors),
                    original: invalid.original))
            case .valid(let row, let original):
                lastLine = row.line
                if let shard = config.shard, !shard.contains(requestId: row.requestId) { continue }
                if let first = detector.firstOccurrence(of: row.requestId, source: row.source, line: row.line) {
                    recorder.record(RowResult(
                        source: row.source, line: row.line, requestId: row.requestId, status: .duplicateInInput,
                        errorMessage: "same requestId as \(first.source):\(first.line)", original: original))
                    continue
                }
                let planned: RowResult?
                do { planned = try plan(row, original: original, ledger: ledger) } catch { throw .ledger(error) }
                if let planned {
                    recorder.record(planned)
                    continue
                }
                queue.put(Job(row: row, original: original))
            }
        }
        let now = reader.bytesRead
        live.withLock { $0.bytesRead += now - readSoFar }
        return ReadEnd(streamHash: reader.contentHash, bytes: reader.bytesRead, change: Self.change(of: input, reader: reader))
    }

    /// What changed in a regular input since it was stamped before hashing; nil if nothing did.
    private static func change(of input: PlannedInput, reader: EarnFileReader) -> String? {
        guard let before = input.stamp ?? reader.openedStamp else { return nil }
        guard let now = reader.currentStamp() else { return "cannot stat it any more" }
        return now == before ? nil : now.difference(from: before)
    }

    /// The result for an unterminated last record of a changed file: failed, not sent (so the
    /// next run, reading the finished file, sends it); nil when another shard owns it.
    private static func heldBack(_ record: MappedRecord, shard: Shard?, change: String) -> RowResult? {
        let message = "not sent: the file changed while it was read (\(change)) and its last record had no line end, so it may be cut short; the next run reads it again"
        switch record {
        case .invalid(let invalid):
            if let shard, shard.index != 0 { return nil }
            return RowResult(source: invalid.source, line: invalid.line, requestId: "", status: .failed,
                             errorCode: "not-sent", errorMessage: message, original: invalid.original)
        case .valid(let row, let original):
            if let shard, !shard.contains(requestId: row.requestId) { return nil }
            return RowResult(source: row.source, line: row.line, requestId: row.requestId, status: .failed,
                             errorCode: "not-sent", errorMessage: message, original: original)
        }
    }

    /// The result for a row that is not to be sent, or nil when it must be sent.
    private func plan(_ row: EarnRow, original: [String], ledger: Ledger?) throws(LedgerError) -> RowResult? {
        if let ledger {
            if let stored = try ledger.entry(requestId: row.requestId) {
                if stored.status.isDone {
                    return RowResult(source: row.source, line: row.line, requestId: row.requestId,
                                     status: .alreadyDone, httpStatus: stored.httpStatus,
                                     errorCode: stored.errorCode, errorMessage: nil,
                                     receipt: EarnReceipt(earnedBadgeId: stored.earnedBadgeId, issuedId: stored.issuedId,
                                                          expiresOn: stored.expiresOn, warnings: []),
                                     original: original)
                }
                if stored.status == .rejected && configuration.skipRejected {
                    return RowResult(source: row.source, line: row.line, requestId: row.requestId,
                                     status: .rejected, httpStatus: stored.httpStatus, errorCode: stored.errorCode,
                                     errorMessage: (stored.errorMessage ?? "") + " (rejected in an earlier run; not sent: --skip-rejected)",
                                     original: original)
                }
            }
        }
        if configuration.dryRun {
            return RowResult(source: row.source, line: row.line, requestId: row.requestId, status: .wouldSend,
                             original: original)
        }
        return nil
    }

    /// Refuses a ledger written for another API (its "done" means nothing there) unless the run
    /// was told to rebind it; binds a new or older, unbound ledger to this run's target.
    /// Returns what a rebind replaced, for the run's recorded options.
    private func bindTarget(of ledger: Ledger) throws(ImportError) -> String? {
        let config = configuration
        let target = config.ledgerTarget
        let bound: LedgerTarget?
        do { bound = try ledger.boundTarget() } catch { throw ImportError(error) }
        if bound == target { return nil }
        if let bound, !config.rebindLedger {
            throw ImportError("""
                ledger \(config.ledgerPath) was written for \(bound), but this run sends to \(target): \
                the rows it has as done are done there, not here. Use another --ledger for this target, \
                or --rebind-ledger if both are one service
                """)
        }
        guard !config.dryRun else { return nil }
        do { try ledger.bind(to: target) } catch { throw ImportError(error) }
        if let bound {
            logger.warning("ledger rebound to another target (--rebind-ledger)",
                           metadata: ["from": "\(bound)", "to": "\(target)"])
        }
        return bound.map { "from \($0) to \(target)" }
    }

    // MARK: - Workers

    private func work(queue: BlockingQueue<Job>, auth: EarnAuth, limiter: RateLimiter,
                      breaker: CircuitBreaker, recorder: RunRecorder) {
        let sender: EarnSender
        do {
            let client = EarnClient(baseURL: configuration.baseURL, auth: auth, transport: try makeTransport(),
                                    wallNow: clock.wallNow)
            sender = EarnSender(client: client,
                                policy: SendPolicy(maxAttempts: configuration.maxAttempts, timeout: configuration.timeout,
                                                   backoff: Backoff(base: configuration.backoffBase, cap: configuration.backoffCap)),
                                rateLimiter: limiter, observer: breaker, clock: clock, random: random)
        } catch {
            control.stop(because: "cannot open an HTTP handle: \(error)")
            while let job = queue.take() { recorder.record(Self.notSent(job)) }
            return
        }
        while let job = queue.take() {
            if control.isStopping {
                recorder.record(Self.notSent(job))
                continue
            }
            inFlight.add(1, ordering: .relaxed)
            let result = sender.send(job.row) { [control] in control.isStopping || breaker.isOpen }
            inFlight.subtract(1, ordering: .relaxed)
            recorder.record(classify(result, job: job, breaker: breaker))
        }
    }

    /// Turns the sender's final outcome into a row status, and lets the run react to it.
    private func classify(_ result: SendResult, job: Job, breaker: CircuitBreaker) -> RowResult {
        // The run stopped while this row waited for its turn: it never left.
        if result.attempts == 0 { return Self.notSent(job) }
        let row = job.row
        var out = RowResult(source: row.source, line: row.line, requestId: row.requestId, status: .failed,
                            httpStatus: result.lastHTTPStatus, attempts: result.attempts, original: job.original,
                            row: row, latencies: result.latencies, throttled: result.throttled)
        switch result.outcome {
        // The breaker has heard of every attempt from the sender already; here the run only
        // reacts to it being open.
        case .earned(let receipt):
            out.status = .earned
            out.receipt = receipt
        case .duplicate(let message):
            out.status = .duplicate
            out.errorCode = "809"
            out.errorMessage = message
        case .rejected(_, let code, let message):
            out.status = .rejected
            out.errorCode = code
            out.errorMessage = message
        case .retryable(let status, let code, let message, _):
            // A code to group failures by in the report: the API's, else the HTTP status, else
            // the network (timeouts and dropped connections carry their detail in the message).
            out.errorCode = code ?? status.map { "http-\($0)" } ?? "network"
            out.errorMessage = message
            if breaker.isOpen {
                control.stop(because: "circuit breaker: the API kept failing for over \(Int(configuration.breakerWindow)) s (last: \(message))")
            }
        case .authExpired(let status):
            out.errorCode = String(status)
            out.errorMessage = "the API kept refusing a freshly renewed token"
            control.stop(because: "authentication failed: HTTP \(status) after renewing the token")
        case .fatal(let status, let message):
            out.errorCode = String(status)
            out.errorMessage = message
            // Status 0: no HTTP answer at all, the request could not be sent as configured.
            control.stop(because: status == 0 ? "cannot send requests: \(message)"
                                              : "the API refused the request with HTTP \(status): \(message)")
        }
        return out
    }

    private func buildAuth() throws -> EarnAuth {
        switch configuration.auth {
        case .none:
            return .none
        case .basic(let username, let password):
            return .basic(BasicCredentials(username: username, password: password))
        case .oauth(let key, let secret):
            return .oauth(OAuthTokenProvider(baseURL: configuration.baseURL,
                                             credentials: OAuthCredentials(key: key, secret: secret),
                                             transport: try makeTransport(), clock: clock))
        }
    }

    // MARK: - Progress

    private func tick(recorder: RunRecorder) {
        let snapshot = recorder.snapshot()
        let counts = snapshot.counts
        let counters = TimelineRecorder.Counters(
            completed: counts.values.reduce(0, +), earned: counts[.earned] ?? 0,
            duplicate: counts[.duplicate] ?? 0, rejected: counts[.rejected] ?? 0, failed: counts[.failed] ?? 0,
            requests: snapshot.requestsSent, retries: snapshot.retries, throttled: snapshot.throttled,
            inFlight: 0)
        let now = clock.now()
        let onTheWire = inFlight.load(ordering: .relaxed)
        live.withLock { state in
            var sample = counters
            sample.inFlight = onTheWire
            state.timeline.tick(at: now - state.startedAt, sample)
            state.recent.append((now - state.startedAt, sample.completed))
            if state.recent.count > 11 { state.recent.removeFirst() }
        }
    }

    /// Where the run is now, for the progress line; cheap enough to call a few times a second.
    public func progress() -> ProgressSnapshot {
        let now = clock.now()
        let onTheWire = inFlight.load(ordering: .relaxed)
        let state = live.withLock { state in
            (state.startedAt, state.recorder, state.bytesRead, state.totalBytes, onTheWire,
             state.limiter, state.recent, state.totalRows)
        }
        let (startedAt, recorder, bytesRead, totalBytes, inFlight, limiter, recent, estimate) = state
        let counts = recorder?.snapshot().counts ?? [:]
        let done = counts.values.reduce(0, +)
        // An estimate already passed (lone-CR line ends, say) says nothing: fall back to bytes.
        let totalRows = estimate.flatMap { $0 >= done ? $0 : nil }
        let elapsed = startedAt > 0 ? now - startedAt : 0
        var rate = elapsed > 0 ? Double(done) / elapsed : 0
        if let first = recent.first, let last = recent.last, last.t - first.t >= 2 {
            rate = Double(last.completed - first.completed) / (last.t - first.t)
        }
        return ProgressSnapshot(
            rowsDone: done, totalRows: totalRows, bytesRead: bytesRead,
            totalBytes: totalBytes > 0 ? totalBytes : nil, elapsed: elapsed, rowsPerSecond: rate,
            earned: counts[.earned] ?? 0, duplicate: counts[.duplicate] ?? 0,
            alreadyDone: counts[.alreadyDone] ?? 0, rejected: counts[.rejected] ?? 0,
            failed: counts[.failed] ?? 0, invalid: counts[.invalid] ?? 0,
            pace: limiter?.statistics.pace, inFlight: inFlight)
    }

    // MARK: - Helpers

    /// A row on its way to a worker, with what the failed file needs if it does not go well.
    struct Job: Sendable {
        var row: EarnRow
        var original: [String]
    }

    private static let ledgerWriteFailed = "the ledger could not be written"

    private static func notSent(_ job: Job) -> RowResult {
        RowResult(source: job.row.source, line: job.row.line, requestId: job.row.requestId, status: .failed,
                  errorCode: "not-sent", errorMessage: "not sent: the run stopped first", original: job.original)
    }

    static func joinedKeys(_ errors: [RowError]) -> String { errors.map(\.key).joined(separator: ";") }
    static func joinedReasons(_ errors: [RowError]) -> String {
        errors.map { "\($0.field): \($0.reason)" }.joined(separator: "; ")
    }

    /// SHA-256 of the input's bytes as stored (compressed stays compressed): what makes a
    /// nightly drop recognisable when it comes again under another name. nil for stdin.
    static func contentHash(of file: InputFile) throws(ImportError) -> String? {
        guard file.path != "-" else { return nil }
        guard let handle = fopen(file.path, "rb") else {
            throw ImportError("cannot read \(file.path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(handle) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return SHA256.hex(hasher.finalize())
    }

    static func size(of file: InputFile) -> Int64 {
        guard file.path != "-",
              let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
              let size = attributes[.size] as? NSNumber else { return 0 }
        return size.int64Value
    }
}
