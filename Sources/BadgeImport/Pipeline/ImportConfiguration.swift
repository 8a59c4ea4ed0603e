/// Everything one `run` needs, resolved and checked by the command layer (flags, environment,
/// profile, defaults). Holds no secrets in readable form: those sit in `EarnAuthSettings`.
public struct ImportConfiguration: Sendable {
    public var inputs: [InputFile]
    public var mapping: MappingOptions
    /// `https://eu.api.capillarytech.com` or the mock's loopback address.
    public var baseURL: String
    public var auth: EarnAuthSettings
    /// Extra CA bundle for a private CA; TLS is always verified.
    public var caFile: String?
    public var concurrency: Int = 8
    /// Fixed pace for all workers together; nil lets the pace adapt to the server's 429s.
    public var rate: RateSpec?
    public var maxAttempts: Int = 6
    /// Per-request timeout, seconds.
    public var timeout: Double = 30
    /// Full-jitter backoff: attempt n waits random(0, min(cap, base * 2^n)) seconds.
    public var backoffBase: Double = 0.5
    public var backoffCap: Double = 30
    /// Stop the run when the service has failed for this long with no good answer (0 = never).
    public var breakerWindow: Double = 60
    public var ledgerPath: String
    /// What the ledger must be bound to; from `baseURL` and `auth` unless set (the embedded mock).
    public var ledgerTarget: LedgerTarget
    /// Take over a ledger bound to another target (recorded with the run) instead of stopping.
    public var rebindLedger: Bool = false
    /// nil: `reports/run-<id>` under the working directory. `{id}` in the path is replaced
    /// by the run's id, so a profile can name a parent folder for all runs.
    public var reportDir: String?
    public var skipRejected: Bool = false
    /// Read inputs even when the ledger has their exact content as fully processed (rows it
    /// has as done are still not sent).
    public var reprocess: Bool = false
    public var dryRun: Bool = false
    public var shard: Shard?
    /// Move each fully processed input here after the report is written.
    public var archiveDir: String?
    /// Options as recorded in the ledger and summary; the caller leaves secrets out.
    public var recordedOptions: [String: String] = [:]
    public var toolVersion: String = BadgeImportVersion.current

    public init(inputs: [InputFile], mapping: MappingOptions, baseURL: String, auth: EarnAuthSettings,
                ledgerPath: String) {
        self.inputs = inputs
        self.mapping = mapping
        self.baseURL = baseURL
        self.auth = auth
        self.ledgerPath = ledgerPath
        self.ledgerTarget = LedgerTarget(baseURL: baseURL, auth: auth)
    }
}

/// How the run proves who it is. Secrets are held here only long enough to build headers;
/// `description` never shows them.
public enum EarnAuthSettings: Sendable, CustomStringConvertible {
    case none
    case basic(username: String, password: String)
    case oauth(clientKey: String, clientSecret: String)

    public var description: String {
        switch self {
        case .none: "none"
        case .basic(let username, _): "basic(\(username))"
        case .oauth: "oauth"
        }
    }
}

public enum BadgeImportVersion {
    public static let current = "0.1.0"
}
