import Foundation
import Logging
import Prometheus
import Synchronization

/// The run as seen from outside while nobody reads a terminal: `RunMetrics` kept current from
/// the run's tallies and sent out every progress interval and at exit (to `--metrics-file`, a
/// Pushgateway, `/metrics` on `--metrics-listen`), and the webhook when the run ends. Nothing
/// here can fail a run once it has started: a push or a webhook that does not go through is a
/// warning. What cannot work at all (the port is taken, the file's folder is missing) is found
/// by `start`, before any request, as a configuration error.
final class RunMonitor: Sendable {
    typealias TransportFactory = @Sendable () throws -> any Transport

    let metrics: RunMetrics
    private let registry: PrometheusCollectorRegistry
    private let options: RunOptions
    private let clock: Clock
    private let logger: Logger
    private let makeTransport: TransportFactory
    private let file: MetricsFileWriter?
    /// Held while the exposition goes out, so the ticker and the closing publish never
    /// interleave (an older exposition written over the final one); `finished` ends the ticker.
    private let publishing = Mutex((finished: false, reading: (@Sendable () -> RunMetrics.Reading)?.none))
    private let listener = Mutex<MetricsListener?>(nil)
    private let lastSuccess = Mutex<Date?>(nil)

    init(options: RunOptions, registry: PrometheusCollectorRegistry, clock: Clock, logger: Logger,
         makeTransport: @escaping TransportFactory) {
        self.options = options
        self.registry = registry
        self.clock = clock
        self.logger = logger
        self.makeTransport = makeTransport
        var labels: [(String, String)] = []
        if let shard = options.shard { labels.append(("shard", String(shard.index))) }
        if let profile = options.profileName { labels.append(("profile", profile)) }
        metrics = RunMetrics(registry: registry, labels: labels)
        file = options.metricsFile.map(MetricsFileWriter.init(path:))
    }

    var sendsMetrics: Bool { options.metricsFile != nil || options.pushgateway != nil || options.metricsListen != nil }

    /// The exposition as it stands: what the file, the push and `/metrics` carry.
    func exposition() -> String { registry.emitToString() }

    /// Opens the listener and writes a first exposition, before the ledger is touched: an output
    /// that cannot work is a configuration error, found before any request.
    func open() throws(ImportError) {
        if let text = options.metricsListen, let address = ListenAddress(parsing: text) {
            do {
                let opened = try MetricsListener(address) { [registry] in registry.emitToString() }
                listener.withLock { $0 = opened }
                logger.info("serving metrics", metadata: ["url": "http://\(opened.address)/metrics"])
            } catch {
                throw ImportError(.configuration, "--metrics-listen \(address): cannot listen (\(error))")
            }
        }
        if let file {
            do { try file.write(exposition()) } catch {
                throw ImportError(.configuration, "--metrics-file \(file.path): cannot write (\(error.localizedDescription))")
            }
        }
    }

    /// The run is under way: what to read its tallies from, and the ticker that sends them.
    func begin(at started: Date, reading: @escaping @Sendable () -> RunMetrics.Reading) {
        metrics.runStarted(at: started)
        publishing.withLock { $0.reading = reading }
        if sendsMetrics { startTicking() }
    }

    /// The ledger's latest run that exited 0; asked when the ledger opens (so even a run that
    /// fails later says it) and again once this run's end is recorded.
    func rememberLastSuccess(from ledger: Ledger?) {
        guard let ledger, let found = try? ledger.lastSuccessfulRunEnd() else { return }
        lastSuccess.withLock { $0 = found }
    }

    /// The run's end: last readings, the exit code, the final exposition out, the listener
    /// closed, and the webhook if the policy says so.
    func finish(exitCode: Int32, notification: @autoclosure () -> RunNotification?) {
        let lastSuccess = lastSuccess.withLock { $0 }
        publish(final: true) {
            metrics.runEnded(exitCode: exitCode, lastSuccess: lastSuccess)
        }
        listener.withLock { listener in
            listener?.stop()
            listener = nil
        }
        if let url = options.notifyURL, options.notifyOn.shouldNotify(exitCode: exitCode), let notification = notification() {
            notify(notification, url: url)
        }
    }

    private func startTicking() {
        let interval = max(0.5, options.progressInterval)
        Thread { [self] in
            while true {
                clock.sleep(interval)
                if publishing.withLock({ $0.finished }) { return }
                publish(final: false) {}
            }
        }.start()
    }

    /// Brings the metrics up to date and sends the exposition to every output. `closing` runs
    /// under the same lock, after the last reading and before the exposition is taken.
    private func publish(final: Bool, closing: () -> Void) {
        publishing.withLock { state in
            guard !state.finished else { return }
            if let reading = state.reading { metrics.observe(reading()) }
            closing()
            if final { state.finished = true }
            guard file != nil || options.pushgateway != nil else { return }
            let text = exposition()
            if let file {
                do { try file.write(text) } catch {
                    logger.warning("could not write the metrics file", metadata: ["path": "\(file.path)", "error": "\(error.localizedDescription)"])
                }
            }
            if let gateway = options.pushgateway { push(text, to: gateway) }
        }
    }

    private func push(_ text: String, to gateway: String) {
        do {
            let client = PushgatewayClient(baseURL: gateway, instance: options.metricsInstanceName,
                                           transport: try makeTransport(), timeout: RunOptions.defaultMonitoringTimeout)
            try client.push(text)
        } catch {
            // Never the URL: it may carry the gateway's credentials.
            logger.warning("could not push metrics to the Pushgateway; the run goes on",
                           metadata: ["instance": "\(options.metricsInstanceName)", "error": "\(error)"])
        }
    }

    private func notify(_ notification: RunNotification, url: String) {
        let problem: String?
        do {
            problem = WebhookNotifier(url: url, transport: try makeTransport(), clock: clock).send(notification)
        } catch {
            problem = "the webhook (--notify-url) was not reached: cannot open a connection (\(error))"
        }
        if let problem { logger.warning("\(problem)") } else { logger.info("run outcome sent to the webhook") }
    }
}
