import Foundation
import Logging
import Synchronization

/// The sending half of a run: `concurrency` worker threads fed through a bounded queue, each
/// with its own transport (one keep-alive connection) and retry loop, all paced by one rate
/// limiter and watched by one circuit breaker. Each finished row goes to the recorder.
///
/// One thread per worker, not Dispatch: a worker blocks in the network, and Dispatch's shared
/// pools on Linux give only a handful of such blocking calls at once (measured: 4 to 8 of 32),
/// while a thread each gives exactly N requests in flight (`concurrencyNMeansNRequestsInFlightAtOnce`).
/// The bounded queue keeps the reader from running far ahead, so memory stays flat.
final class WorkerPool: Sendable {
    typealias TransportFactory = @Sendable () throws -> any Transport

    /// What every worker needs, made once per run.
    struct Parts: Sendable {
        var configuration: RunOptions
        var auth: EarnAuth
        var limiter: RateLimiter
        var breaker: CircuitBreaker
        var recorder: RunRecorder
        var control: RunControl
        var clock: Clock
        var random: RandomSource
        var makeTransport: TransportFactory
        /// Where batch intents are committed before a bulk earn leaves; nil for a dry run.
        var ledger: Ledger? = nil
        var runId: Int64 = 0
        var bulkLimit = BulkLimit(RunOptions.defaultBulkSize)
        var logger = Logger(label: "badge-import", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    private let parts: Parts
    private let queue: BlockingQueue<Work>
    private let workers = DispatchGroup()
    /// Requests on the wire now: changed twice per row by every worker, so an atomic.
    private let onTheWire = Atomic<Int>(0)
    /// Rows handed over and not yet taken by a worker (a batch is many rows).
    private let rowsWaiting = Atomic<Int>(0)

    init(_ parts: Parts) {
        self.parts = parts
        queue = BlockingQueue(capacity: max(16, parts.configuration.concurrency * 4))
    }

    var inFlight: Int { onTheWire.load(ordering: .relaxed) }
    /// Rows handed over and not yet taken by a worker.
    var waiting: Int { rowsWaiting.load(ordering: .relaxed) }

    func start() {
        for index in 0..<parts.configuration.concurrency {
            workers.enter()
            let thread = Thread { [self] in
                defer { workers.leave() }
                work()
            }
            thread.name = "earn-worker-\(index)"
            thread.start()
        }
    }

    /// Waits for room in the queue (that is the back-pressure on the reader).
    func put(_ work: Work) {
        rowsWaiting.add(work.rowCount, ordering: .relaxed)
        queue.put(work)
    }

    private func take() -> Work? {
        guard let work = queue.take() else { return nil }
        rowsWaiting.subtract(work.rowCount, ordering: .relaxed)
        return work
    }

    /// No more jobs: the workers finish what is queued, or, when the run is stopping, what is
    /// in flight only, the rest being recorded as not sent. Returns when every worker is done.
    func finish() {
        if parts.control.isStopping {
            for work in queue.closeAndDrain() {
                for job in work.jobs { parts.recorder.record(.notSent(job)) }
            }
        } else {
            queue.close()
        }
        workers.wait()
    }

    private func work() {
        let (config, control, recorder, breaker) = (parts.configuration, parts.control, parts.recorder, parts.breaker)
        let sender: EarnSender
        do {
            let client = EarnClient(baseURL: config.baseURL, auth: parts.auth, transport: try parts.makeTransport(),
                                    wallNow: parts.clock.wallNow)
            sender = EarnSender(client: client,
                                policy: SendPolicy(maxAttempts: config.maxAttempts, timeout: config.timeout,
                                                   backoff: Backoff(base: config.backoffBase, cap: config.backoffCap)),
                                rateLimiter: parts.limiter, observer: breaker, clock: parts.clock, random: parts.random)
        } catch {
            control.stop(because: "cannot open an HTTP handle: \(error)")
            while let work = take() { for job in work.jobs { recorder.record(.notSent(job)) } }
            return
        }
        let batches = BatchDispatch(pool: self, parts: parts, sender: sender)
        while let work = take() {
            if control.isStopping {
                for job in work.jobs { recorder.record(.notSent(job)) }
                continue
            }
            switch work {
            case .single(let job): sendSingle(job, sender: sender)
            case .batch(let batch): batches.send(batch)
            }
        }
    }

    /// One row. In a `--bulk` run its intent is committed first and closed with its outcome.
    func sendSingle(_ job: Job, sender: EarnSender) {
        let (control, breaker) = (parts.control, parts.breaker)
        if control.isStopping { return parts.recorder.record(.notSent(job)) }
        let announced = parts.configuration.bulk || job.announced ? parts.ledger : nil
        if let announced, !job.announced {
            // Opened now, open already (resent) or closed before: the row's own requestId either
            // way, so the answer (809 included) is as trustworthy as ever.
            do { _ = try announced.openBatchIntent(BatchJob.singleIntent(job.row), runId: parts.runId) } catch {
                parts.recorder.ledgerFailed(error)
                return parts.recorder.record(.notSent(job))
            }
        }
        onTheWire.add(1, ordering: .relaxed)
        let result = sender.send(job.row) { control.isStopping || breaker.isOpen }
        onTheWire.subtract(1, ordering: .relaxed)
        let row = classify(result, job: job)
        let settled = row.status == .earned || row.status == .duplicate || row.status == .rejected
        parts.recorder.record(row, closing: announced != nil && settled ? job.row.sentRequestId : nil)
    }

    /// A request on the wire for the progress line, around `body`.
    func onWire<T>(_ body: () -> T) -> T {
        onTheWire.add(1, ordering: .relaxed)
        defer { onTheWire.subtract(1, ordering: .relaxed) }
        return body()
    }

    /// Turns the sender's final outcome into a row status, and lets the run react to it.
    func classify(_ result: SendResult, job: Job) -> RowResult {
        // The run stopped while this row waited for its turn: it never left.
        if result.attempts == 0 { return .notSent(job) }
        let row = job.row
        let out = RowResult(source: row.source, line: row.line, requestId: row.requestId, status: .failed,
                            httpStatus: result.lastHTTPStatus, attempts: result.attempts, original: job.original,
                            row: row, latencies: result.latencies, throttled: result.throttled, inInput: job.inInput)
        return settle(out, outcome: result.outcome)
    }

    /// `out` with the status, code and message an outcome gives it; a stop when the outcome
    /// says the run cannot go on.
    func settle(_ row: RowResult, outcome: EarnOutcome) -> RowResult {
        var out = row
        let control = parts.control
        switch outcome {
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
            if parts.breaker.isOpen {
                control.stop(because: "circuit breaker: the API kept failing for over \(Int(parts.configuration.breakerWindow)) s (last: \(message))")
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
}
