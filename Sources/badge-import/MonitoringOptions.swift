import ArgumentParser
import BadgeImport

/// `run`'s monitoring flags: metrics out three ways and a webhook at the end. Each is also a
/// profile key and a BADGE_IMPORT_* variable (README, Monitoring).
struct MonitoringOptions: ParsableArguments {
    @Option(name: .customLong("metrics-file"),
            help: "Write Prometheus metrics here every progress interval and at exit, atomically (node_exporter's textfile collector).",
            completion: .file(extensions: ["prom"]))
    var metricsFile: String?

    @Option(help: "Pushgateway base URL: metrics are PUT to URL/metrics/job/badge_import/instance/<instance> every progress interval and at exit.")
    var pushgateway: String?

    @Option(name: .customLong("metrics-instance"),
            help: "The Pushgateway's instance label (default: the shard index, else the host name).")
    var metricsInstance: String?

    @Option(name: .customLong("metrics-listen"), help: "Serve /metrics on HOST:PORT while the run lasts, e.g. 0.0.0.0:9464.")
    var metricsListen: String?

    @Option(name: .customLong("notify-url"),
            help: "Incoming-webhook URL (Slack, Teams, ...) to POST the run's outcome to (better: BADGE_IMPORT_NOTIFY_URL, it holds a token).")
    var notifyURL: String?

    @Option(name: .customLong("notify-on"), help: "When to call --notify-url: always or failure (default failure: any exit but 0).")
    var notifyOn: String?

    func apply(to flags: inout RunOptionsLayer) {
        flags.metricsFile = metricsFile
        flags.pushgateway = pushgateway
        flags.metricsInstance = metricsInstance
        flags.metricsListen = metricsListen
        flags.notifyURL = notifyURL
        flags.notifyOn = notifyOn
    }
}
