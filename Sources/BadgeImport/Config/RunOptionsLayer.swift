import Foundation

/// One layer of `run` settings, every field optional: what the flags said, or what a profile
/// said (the environment is read by name, see `RunOptionsResolver`). `RunOptionsResolver`
/// merges layers field by field.
/// Secrets never appear here as values, only as where to find them (an environment variable's
/// name or a file's path): flags would show in process listings, config files get committed.
public struct RunOptionsLayer: Sendable, Equatable {
    public var baseURL: String?
    public var authKind: AuthKind?
    public var username: String?
    /// Name of the environment variable holding the password.
    public var passwordEnv: String?
    /// Path of a file holding the password (e.g. a mounted Kubernetes Secret); one trailing newline is ignored.
    public var passwordFile: String?
    /// The OAuth client key is an identifier (like a username), so it may be given directly.
    public var clientKey: String?
    public var clientKeyEnv: String?
    public var clientKeyFile: String?
    public var clientSecretEnv: String?
    public var clientSecretFile: String?
    /// e.g. "1000/min", or "unlimited" to let the pace adapt (see RateSpec.parseSetting).
    public var rate: String?
    public var concurrency: Int?
    /// MiB for the in-input duplicate check.
    public var duplicateMemory: Int?
    public var ledger: String?
    /// From flags: the run's report directory. From the environment or a profile: the parent
    /// of the per-run directories (`<reportDir>/run-<id>/`). Two meanings, as the tool has
    /// always had: `--report-dir` names one run's output, a profile names where all runs go.
    public var reportDir: String?
    public var maxAttempts: Int?
    public var timeout: Double?
    public var backoffBase: Double?
    public var backoffCap: Double?
    public var breakerSeconds: Double?
    public var caFile: String?
    public var skipRejected: Bool?
    public var reprocess: Bool?
    public var archiveDir: String?
    public var settle: Double?
    public var progressInterval: Double?
    public var rebindLedger: Bool?
    /// From flags only ever false (`--no-preflight`): on is the default.
    public var preflight: Bool?
    /// Send rows sharing badge, owner, reference and date through earnBulk.
    public var bulk: Bool?
    /// Customers per bulk earn at most, 1 to 1000.
    public var bulkSize: Int?
    /// `I/N`.
    public var shard: String?
    /// N, with I from JOB_COMPLETION_INDEX.
    public var shards: Int?
    public var metricsFile: String?
    public var pushgateway: String?
    public var metricsInstance: String?
    public var metricsListen: String?
    /// The webhook URL itself (it is the secret for most chat tools: keep it out of shared files).
    public var notifyURL: String?
    /// "always" or "failure".
    public var notifyOn: String?
    /// Profiles only: the profile's name, a label on the run's metrics.
    public var profileName: String?
    /// Flags only: send to the embedded mock started by the command.
    public var mock: Bool?
    /// Flags only, on purpose: a dry run is asked for on the command line, each time. A profile
    /// or an exported variable that turned every run into a dry run would make a nightly job
    /// send nothing while exiting 0; one that turned it off would make a rehearsal send.
    public var dryRun: Bool?

    /// Where this layer came from, for messages: "flags", "profile 'eu-prod' (/etc/x.toml)".
    public var origin: String
    /// The line each field was set on, keyed by the config file's key name (profiles only).
    public var lines: [String: Int]

    public init(origin: String = RunOptionsLayer.flagsOrigin, lines: [String: Int] = [:]) {
        self.origin = origin
        self.lines = lines
    }

    public static let flagsOrigin = "flags"

    /// "profile 'eu-prod' (/etc/badge-import.toml:7)" when the line is known; the flag
    /// ("--max-attempts") for the flags layer, since "flags" alone would not say which one;
    /// else the origin.
    func origin(of key: String) -> String {
        if origin == Self.flagsOrigin, !key.isEmpty { return "--" + key.replacingOccurrences(of: "_", with: "-") }
        guard let line = lines[key] else { return origin }
        if origin.hasSuffix(")") {
            return String(origin.dropLast()) + ":\(line))"
        }
        return "\(origin):\(line)"
    }
}
