/// How the importer authenticates to the earn API.
public enum AuthKind: String, Sendable, CaseIterable, Codable {
    /// `Authorization: Basic base64(username:md5(password))`.
    case basic
    /// Key and secret exchanged for a token (`X-CAP-API-OAUTH-TOKEN`).
    case oauth
    /// No credentials (the local mock, a proxy that adds them).
    case none
}

/// One layer of settings, every field optional: what the flags said, or what a profile said.
/// ResolvedSettings.resolve merges layers (flags, then environment, then profile, then defaults).
/// Secrets never appear here as values, only as where to find them (an environment variable's
/// name or a file's path): flags would show in process listings, config files get committed.
public struct RunSettingsInput: Sendable, Equatable {
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
    public var ledger: String?
    /// Parent directory of the per-run report directories (`<reportDir>/<run-id>/`).
    public var reportDir: String?

    /// Where this layer came from, for messages: "--flags", "profile 'eu-prod' (/etc/x.toml)".
    public var origin: String
    /// The line each field was set on, keyed by the config file's key name (profiles only).
    public var lines: [String: Int]

    public init(baseURL: String? = nil, authKind: AuthKind? = nil, username: String? = nil,
                passwordEnv: String? = nil, passwordFile: String? = nil,
                clientKey: String? = nil, clientKeyEnv: String? = nil, clientKeyFile: String? = nil,
                clientSecretEnv: String? = nil, clientSecretFile: String? = nil,
                rate: String? = nil, concurrency: Int? = nil, ledger: String? = nil, reportDir: String? = nil,
                origin: String = "flags", lines: [String: Int] = [:]) {
        self.baseURL = baseURL
        self.authKind = authKind
        self.username = username
        self.passwordEnv = passwordEnv
        self.passwordFile = passwordFile
        self.clientKey = clientKey
        self.clientKeyEnv = clientKeyEnv
        self.clientKeyFile = clientKeyFile
        self.clientSecretEnv = clientSecretEnv
        self.clientSecretFile = clientSecretFile
        self.rate = rate
        self.concurrency = concurrency
        self.ledger = ledger
        self.reportDir = reportDir
        self.origin = origin
        self.lines = lines
    }

    /// "profile 'eu-prod' (/etc/badge-import.toml:7)" when the line is known, else the origin.
    func origin(of key: String) -> String {
        guard let line = lines[key] else { return origin }
        if origin.hasSuffix(")") {
            return String(origin.dropLast()) + ":\(line))"
        }
        return "\(origin):\(line)"
    }
}
