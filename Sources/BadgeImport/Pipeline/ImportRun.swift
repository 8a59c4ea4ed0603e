import Foundation
import Logging
import Prometheus
import Synchronization

/// What a finished (or stopped) run hands back to the command layer.
public struct ImportOutcome: Sendable {
    public var summary: RunSummary
    public var reportDirectory: String
    /// See `ExitStatus`: 0, 1 or 3.
    public var exitCode: Int32
}

/// One import: read every input, skip what the ledger says is done, send the rest through
/// `concurrency` workers, and leave the ledger and the report saying what became of each record.
///
/// Three parts, each in its own type: `RunPlanner` reads and decides on the caller's thread,
/// `WorkerPool` sends on threads of its own, `RunFinisher` closes the books. They meet in the
/// pool's bounded queue (planner to workers) and in `RunRecorder` (everyone to the results
/// files and the ledger). `RunProgress` samples them for the progress line and the timeline.
public final class ImportRun: Sendable {
    public typealias TransportFactory = @Sendable () throws -> any Transport

    public let control = RunControl()
    private let configuration: RunOptions
    private let clock: Clock
    private let random: RandomSource
    private let makeTransport: TransportFactory
    private let logger: Logger
    private let tracker: RunProgress
    private let monitor: RunMonitor

    /// - Parameter makeTransport: one call per worker (and one for the OAuth token); the
    ///   default opens a libcurl handle. Tests pass a fake or a loopback transport.
    /// - Parameter logger: where the run says what it cannot put in the summary as it happens
    ///   (an input it could not read to the end, a ledger it could not write); the library never prints.
    /// - Parameter metrics: where the run's metrics live (a fresh registry per run by default:
    ///   no global state); a caller that reads them in-process passes its own.
    /// - Parameter makeMonitoringTransport: for the Pushgateway and the webhook; libcurl by default.
    public init(configuration: RunOptions, clock: Clock = .system, random: RandomSource = .system,
                logger: Logger = Logger(label: "badge-import", factory: { _ in SwiftLogNoOpLogHandler() }),
                metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                makeTransport: TransportFactory? = nil, makeMonitoringTransport: TransportFactory? = nil) {
        self.configuration = configuration
        self.clock = clock
        self.random = random
        self.logger = logger
        self.tracker = RunProgress(clock: clock)
        let caFile = configuration.caFile
        let curl: TransportFactory = { try CurlTransport(options: CurlTransport.Options(caFile: caFile)) }
        self.makeTransport = makeTransport ?? curl
        self.monitor = RunMonitor(options: configuration, registry: metrics, clock: clock, logger: logger,
                                  makeTransport: makeMonitoringTransport ?? curl)
    }

    /// Where the run is now, for the progress line; cheap enough to call a few times a second.
    public func progress() -> ProgressSnapshot { tracker.snapshot() }

    /// Runs the import. Everything that can be wrong with the configuration throws before any
    /// request (`ImportError.Kind.configuration`); after that, problems end up in the outcome.
    /// Either way the metrics go out one last time and the webhook hears of it (`RunMonitor`).
    public func execute() throws(ImportError) -> ImportOutcome {
        do {
            try monitor.open()
            let outcome = try perform()
            monitor.finish(exitCode: outcome.exitCode,
                           notification: RunNotification(summary: outcome.summary, reportDirectory: outcome.reportDirectory,
                                                         runName: runName))
            return outcome
        } catch {
            monitor.finish(exitCode: error.status.code, notification: RunNotification(error: error, runName: runName))
            throw error
        }
    }

    /// "badge-import (profile eu-prod, shard 2/8, host x)": which of several jobs a message is about.
    private var runName: String {
        var parts: [String] = []
        if let profile = configuration.profileName { parts.append("profile \(profile)") }
        if let shard = configuration.shard { parts.append("shard \(shard)") }
        parts.append("host \(ProcessInfo.processInfo.hostName)")
        return "badge-import (\(parts.joined(separator: ", ")))"
    }

    private func perform() throws(ImportError) -> ImportOutcome {
        let config = configuration
        let startedWall = clock.wallNow()
        let started = clock.now()

        let ledger = try RunLedger.open(config, clock: clock)
        defer { ledger?.close() }
        monitor.rememberLastSuccess(from: ledger)
        var recordedOptions = config.recordedOptions
        if let ledger, let rebound = try RunLedger.bind(ledger, config, logger: logger) {
            recordedOptions["rebind_ledger"] = rebound
        }
        let bulkLimit = BulkLimit(config.bulkSize)
        let planner = try RunPlanner(configuration: config, ledger: ledger, bulkLimit: bulkLimit)
        let runId = try startRun(ledger, inputs: planner.inputs, options: recordedOptions, at: startedWall)
        let planLedger = try lookupLedger(ledger)
        let reportDirectory = try makeReportDirectory(runId: runId)
        let recorder = try makeRecorder(reportDirectory: reportDirectory, inputs: planner.toRead, ledger: ledger, runId: runId)

        let auth: EarnAuth
        do { auth = try buildAuth() } catch { throw ImportError(.configuration, "\(error)") }
        let limiter = RateLimiter(mode: config.rate.map { .fixed($0) } ?? .adaptive(ceiling: nil), clock: clock)
        let pool = WorkerPool(WorkerPool.Parts(
            configuration: config, auth: auth, limiter: limiter,
            breaker: CircuitBreaker(window: config.breakerWindow, clock: clock), recorder: recorder,
            control: control, clock: clock, random: random, makeTransport: makeTransport,
            ledger: config.dryRun ? nil : ledger, runId: runId, bulkLimit: bulkLimit, logger: logger))
        if config.preflight {
            planner.preflight = try makePreflight(auth: auth, limiter: limiter)
        }
        let sources = RunProgress.Sources(recorder: recorder, limiter: limiter, inFlight: { pool.inFlight })
        tracker.begin(at: started, sources: sources, totalBytes: planner.toRead.reduce(0) { $0 + $1.bytes })
        monitor.begin(at: startedWall) { sources.metricsReading() }
        if !config.dryRun { pool.start() }
        // A slow run (a paced key, a struggling API) still commits what it has at least once a
        // second, so a killed process loses at most a second of outcomes.
        tracker.startTicking { recorder.commitIfDue() }

        let reading = planner.feed(recorder: recorder, ledger: planLedger, control: control, logger: logger,
                                   progress: { tracker.addBytesRead($0) }, send: { pool.put($0) })
        if let failure = reading.ledgerFailure {
            // Without the ledger nobody can tell which rows are done: stop rather than guess.
            control.stop(because: "the ledger could not be read (\(failure)); stopped before sending rows it could not check")
        }
        if !control.isStopping {
            // Counted by the planner: rows held for batches and requests of many rows make any
            // count of the pool's queue and requests in flight a guess.
            tracker.setTotalRows(reading.records)
        }
        pool.finish()
        tracker.stop()

        let finisher = RunFinisher(configuration: config, ledger: ledger, runId: runId, reportDirectory: reportDirectory,
                                   recorder: recorder, control: control, logger: logger, recordedOptions: recordedOptions,
                                   bulkLimit: bulkLimit)
        let outcome = try finisher.finish(inputs: planner.inputs, reading: reading, badges: planner.preflight?.checks,
                                          times: RunFinisher.Times(started: startedWall, ended: clock.wallNow(),
                                                                   duration: clock.now() - started),
                                          timeline: tracker.timeline)
        monitor.rememberLastSuccess(from: ledger)
        return outcome
    }

    // MARK: - Steps

    /// The run's id in the ledger; 0 for a dry run, which records nothing.
    private func startRun(_ ledger: Ledger?, inputs: [RunPlanner.Input], options: [String: String],
                          at started: Date) throws(ImportError) -> Int64 {
        guard let ledger, !configuration.dryRun else { return 0 }
        do {
            return try ledger.startRun(RunStart(
                startedAt: started,
                inputs: inputs.map { RunInput(path: $0.file.displayName, sha256: $0.sha256, bytes: $0.bytes) },
                options: options, toolVersion: configuration.toolVersion))
        } catch { throw ImportError(error) }
    }

    /// The ledger to look rows up in. On a ledger that has never recorded a row (a first run), no
    /// row of the input can be done: skip the lookup per row, a SQLite probe on the reader thread
    /// that feeds all the workers. Only when this process holds the run lock, so no one else can
    /// add entries meanwhile (a dry run opens without it and keeps looking).
    private func lookupLedger(_ ledger: Ledger?) throws(ImportError) -> Ledger? {
        guard let ledger, !configuration.dryRun else { return ledger }
        do { return try ledger.hasEntries() ? ledger : nil } catch { throw ImportError(error) }
    }

    private func makeReportDirectory(runId: Int64) throws(ImportError) -> String {
        let directory = configuration.reportDir.replacingOccurrences(of: RunOptions.runIdPlaceholder, with: String(runId))
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ImportError(.configuration, "cannot create report directory \(directory): \(error.localizedDescription)")
        }
        return directory
    }

    private func makeRecorder(reportDirectory: String, inputs: [RunPlanner.Input], ledger: Ledger?,
                              runId: Int64) throws(ImportError) -> RunRecorder {
        do {
            return try RunRecorder(
                reportDir: reportDirectory, inputs: inputs.map { ($0.file.displayName, $0.columns) },
                ledger: configuration.dryRun ? nil : ledger, runId: runId, clock: clock, metrics: monitor.metrics,
                onLedgerFailure: { [control] _ in
                    // Sending on without recording would be the silent loss the ledger exists to
                    // prevent; the summary says what the ledger holds (`ledgerLossReport`).
                    control.stop(because: RunFinisher.ledgerWriteFailed)
                })
        } catch { throw ImportError(.configuration, error.description) }
    }

    /// The preflight's reader: a transport of its own on the planner's thread, the run's auth,
    /// limiter and retry policy.
    private func makePreflight(auth: EarnAuth, limiter: RateLimiter) throws(ImportError) -> Preflight {
        let transport: any Transport
        do { transport = try makeTransport() } catch { throw ImportError(.configuration, "\(error)") }
        let config = configuration
        let reader = BadgeReader(baseURL: config.baseURL, auth: auth, transport: transport,
                                 policy: SendPolicy(maxAttempts: config.maxAttempts, timeout: config.timeout,
                                                    backoff: Backoff(base: config.backoffBase, cap: config.backoffCap)),
                                 limiter: limiter, clock: clock, random: random)
        return Preflight(reader: reader, control: control, logger: logger)
    }

    private func buildAuth() throws -> EarnAuth {
        try EarnAuth.from(configuration.auth, baseURL: configuration.baseURL, clock: clock, makeTransport: makeTransport)
    }
}
