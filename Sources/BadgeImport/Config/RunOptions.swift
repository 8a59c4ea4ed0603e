import Foundation

/// Everything one `run` uses, resolved and checked: the one settings type of the tool.
///
/// Every setting is resolved field by field from, highest first, the command-line flags, the
/// environment (`BADGE_IMPORT_<KEY>`, or the CAP_* names for the API and credentials), the
/// selected profile of the config file, and the defaults below (`RunOptionsResolver`). Each
/// default is written here once; each check once, in RunOptions+Checks.swift.
/// Holds no secret in readable form: those sit in `auth` as `Secret`s.
public struct RunOptions: Sendable {
    public static let defaultConcurrency = 8
    public static let maxConcurrency = 256
    public static let defaultMaxAttempts = 6
    public static let defaultTimeout: Double = 30
    public static let defaultBackoffBase: Double = 0.5
    public static let defaultBackoffCap: Double = 30
    public static let defaultBreakerSeconds: Double = 60
    public static let defaultSettle: Double = 30
    public static let defaultProgressInterval: Double = 10
    public static let defaultBulkSize = 100
    public static let maxBulkSize = 1_000
    /// MiB for the in-input duplicate check's table and filter (see `DuplicateDetector`).
    public static let defaultDuplicateMemory = DuplicateDetector.defaultMemoryBudget >> 20
    public static let defaultLedger = "badge-import.ledger"
    /// The embedded mock's "earned" rows exist nowhere else: its default ledger is its own.
    public static let defaultMockLedger = "badge-import.mock.ledger"
    /// Parent of the per-run report directories when neither a flag, the environment nor a
    /// profile names one.
    public static let defaultReportRoot = "reports"
    /// Stands for the run's id in `reportDir` until the ledger hands out the id.
    public static let runIdPlaceholder = "{id}"
    public static let defaultNotifyOn = NotifyPolicy.failure
    /// Seconds one webhook POST or Pushgateway push may take: a slow chat tool or gateway must
    /// not hold up a finished run for long.
    public static let defaultMonitoringTimeout: Double = 10
    /// Tries for the closing webhook POST (the pushes repeat every interval anyway).
    public static let defaultNotifyAttempts = 3

    public var inputs: [InputFile]
    public var mapping: MappingOptions
    /// `https://eu.api.capillarytech.com` or the mock's loopback address.
    public var baseURL: String
    public var auth: EarnAuthSettings
    /// Extra CA bundle for a private CA; TLS is always verified.
    public var caFile: String?
    public var concurrency: Int = defaultConcurrency
    /// Fixed pace for all workers together; nil lets the pace adapt to the server's 429s.
    public var rate: RateSpec?
    public var maxAttempts: Int = defaultMaxAttempts
    /// Per-request timeout, seconds.
    public var timeout: Double = defaultTimeout
    /// Full-jitter backoff: attempt n waits random(0, min(cap, base * 2^n)) seconds.
    public var backoffBase: Double = defaultBackoffBase
    public var backoffCap: Double = defaultBackoffCap
    /// Stop the run when the service has failed for this long with no good answer (0 = never).
    public var breakerWindow: Double = defaultBreakerSeconds
    public var ledgerPath: String
    /// What the ledger must be bound to; from `baseURL` and `auth` unless set (the embedded mock).
    public var ledgerTarget: LedgerTarget
    /// Take over a ledger bound to another target (recorded with the run) instead of stopping.
    public var rebindLedger: Bool = false
    /// The run's report directory; `{id}` in it is replaced by the run's id, so a profile can
    /// name a parent folder for all runs.
    public var reportDir: String = reportDirectory(root: defaultReportRoot)
    public var skipRejected: Bool = false
    /// Read inputs even when the ledger has their exact content as fully processed (rows it
    /// has as done are still not sent).
    public var reprocess: Bool = false
    public var dryRun: Bool = false
    /// Read each badge's definition before its first row and keep back the rows it shows
    /// would be refused (see `Preflight`); `--no-preflight` turns it off.
    public var preflight: Bool = true
    public var shard: Shard?
    /// Move each fully processed input here after the report is written.
    public var archiveDir: String?
    /// Options as recorded in the ledger and summary: never a secret.
    public var recordedOptions: [String: String] = [:]
    public var toolVersion: String = BadgeImportVersion.current
    /// Seconds a file found in a folder or by a glob must have gone unmodified before it is read.
    public var settle: Double = defaultSettle
    /// Seconds between progress log lines when stderr is not a terminal.
    public var progressInterval: Double = defaultProgressInterval
    /// The selected profile's name: a label of every metric, so dashboards can tell profiles apart.
    public var profileName: String?
    /// The Prometheus exposition, rewritten atomically every progress interval and at exit
    /// (node_exporter's textfile collector).
    public var metricsFile: String?
    /// A Pushgateway's base URL: the exposition is PUT there every progress interval and at exit.
    public var pushgateway: String?
    /// The Pushgateway's `instance`; else the shard index, else the host name (`metricsInstanceName`).
    public var metricsInstance: String?
    /// `HOST:PORT` to serve `/metrics` on while the run lasts.
    public var metricsListen: String?
    /// An incoming-webhook URL (Slack, Teams, ...). Often holds a token: never logged or recorded.
    public var notifyURL: String?
    public var notifyOn: NotifyPolicy = defaultNotifyOn
    /// Send rows that share badge, owner, reference and date through earnBulk.
    public var bulk: Bool = false
    /// Customers per bulk earn at most (halved for the rest of a run on "too many customers").
    public var bulkSize: Int = defaultBulkSize
    /// MiB the in-input duplicate check keeps in memory whatever the input's size; beyond it,
    /// it spills to scratch files next to the ledger.
    public var duplicateMemory: Int = defaultDuplicateMemory

    public init(inputs: [InputFile], mapping: MappingOptions, baseURL: String, auth: EarnAuthSettings,
                ledgerPath: String) {
        self.inputs = inputs
        self.mapping = mapping
        self.baseURL = baseURL
        self.auth = auth
        self.ledgerPath = ledgerPath
        self.ledgerTarget = LedgerTarget(baseURL: baseURL, auth: auth)
    }

    /// `<root>/run-{id}`: each run of a profile gets its own folder under the profile's one.
    public static func reportDirectory(root: String) -> String {
        (root.hasSuffix("/") ? String(root.dropLast()) : root) + "/run-" + runIdPlaceholder
    }

    /// The Pushgateway grouping's `instance`: as set, else the shard index (a Kubernetes Indexed
    /// Job's completion index), else this host's name.
    public var metricsInstanceName: String {
        metricsInstance ?? shard.map { String($0.index) } ?? ProcessInfo.processInfo.hostName
    }

    /// A past run's directory under `root`, by the same scheme (for `report`).
    public static func reportDirectory(root: String, runId: Int64) -> String {
        reportDirectory(root: root).replacingOccurrences(of: runIdPlaceholder, with: String(runId))
    }

    /// Basic credentials (user name and password hash) or an OAuth secret over plain http://
    /// to another machine can be read by anyone on the path. Loopback (a local mock, a tunnel
    /// or sidecar proxy on this host) is fine; so is no auth at all.
    public var plaintextCredentialsWarning: String? {
        if case .none = auth { return nil }
        guard let url = URL(string: baseURL), url.scheme?.lowercased() == "http", let host = url.host,
              !Loopback.includes(host: host) else { return nil }
        return "http://\(host) sends your credentials unencrypted; use https://"
    }
}
