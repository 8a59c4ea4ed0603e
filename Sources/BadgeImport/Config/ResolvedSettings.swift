import Foundation

/// The credentials a run uses, read from wherever the settings pointed.
public enum ResolvedAuth: Sendable, Equatable {
    case none
    case basic(username: String, password: Secret)
    case oauth(clientKey: Secret, clientSecret: Secret)

    public var kind: AuthKind {
        switch self {
        case .none: return .none
        case .basic: return .basic
        case .oauth: return .oauth
        }
    }
}

/// The settings a run uses, after merging every layer. Precedence, highest first, field by field:
///
/// 1. flags (`RunSettingsInput` built by the command from its options);
/// 2. environment: CAP_BASE_URL, CAP_USERNAME, CAP_PASSWORD, CAP_PASSWORD_FILE, CAP_CLIENT_KEY,
///    CAP_CLIENT_SECRET, CAP_CLIENT_SECRET_FILE, BADGE_IMPORT_RATE, BADGE_IMPORT_CONCURRENCY,
///    BADGE_IMPORT_LEDGER, BADGE_IMPORT_REPORT_DIR (empty values count as unset;
///    BADGE_IMPORT_PROFILE picks the profile, see ConfigFile.selectedProfileName);
/// 3. the selected profile of the config file;
/// 4. defaults: concurrency 8, ledger `badge-import.ledger`, reports under `reports/run-<id>/`,
///    no rate limit, no base URL (the command requires one unless it runs against the mock).
///
/// A secret is one setting however it is given: the highest layer that gives the password in any
/// form (a variable, a variable's name, a file) wins, and lower layers' sources are not even read,
/// so a profile's `password_file` that does not exist on this machine does not matter when
/// CAP_PASSWORD is set. Two forms in the same layer are a conflict, not a guess.
/// The auth kind is `auth` from flags or profile; else oauth when a client key or secret is given
/// somewhere, basic when a username or password is, none otherwise.
public struct ResolvedSettings: Sendable, Equatable {
    public static let defaultConcurrency = 8
    public static let maxConcurrency = 256
    public static let defaultLedger = "badge-import.ledger"
    public static let defaultReportRoot = "reports"

    public var baseURL: String?
    public var auth: ResolvedAuth
    /// nil: not paced.
    public var rate: RateSpec?
    public var concurrency: Int
    public var ledger: String
    /// Parent of the per-run report directories.
    public var reportRoot: String
    /// Where each setting came from ("flags", "environment CAP_BASE_URL", "profile 'x' (file:3)",
    /// "default"), keyed like the config file's keys; for `--show-config`-style output and summary.json.
    public var origins: [String: String]

    public init(baseURL: String?, auth: ResolvedAuth, rate: RateSpec?, concurrency: Int, ledger: String,
                reportRoot: String, origins: [String: String]) {
        self.baseURL = baseURL
        self.auth = auth
        self.rate = rate
        self.concurrency = concurrency
        self.ledger = ledger
        self.reportRoot = reportRoot
        self.origins = origins
    }

    /// This run's report directory: `<reportRoot>/run-<id>`.
    public func reportDirectory(runId: Int64) -> String {
        (reportRoot.hasSuffix("/") ? String(reportRoot.dropLast()) : reportRoot) + "/run-\(runId)"
    }

    /// The same, with the id left as `{id}` for the engine to fill in once the ledger gives it.
    public var reportDirectoryTemplate: String { reportDirectory(runId: 0).dropLast() + "{id}" }

    /// For summary.json's options: values and where they came from, never a secret.
    public var scrubbedOptions: [String: String] {
        var options: [String: String] = [
            "auth": auth.kind.rawValue,
            "concurrency": String(concurrency),
            "ledger": ledger,
            "report_root": reportRoot,
            "rate": rate?.description ?? "unlimited",
        ]
        if let baseURL { options["base_url"] = baseURL }
        if case .basic(let username, _) = auth { options["username"] = username }
        for (key, origin) in origins { options["source." + key] = origin }
        return options
    }

    public static func resolve(flags: RunSettingsInput, environment: [String: String], profile: RunSettingsInput?,
                               readFile: (String) throws -> String) throws(ConfigError) -> ResolvedSettings {
        let env = environment.filter { !$0.value.isEmpty }
        var origins: [String: String] = [:]
        let profileLayer = profile

        // Plain values: the first layer that has one.
        func pick<T>(_ key: String, flag: T?, envName: String?, parse: (String) throws(ConfigError) -> T,
                     profile: T?) throws(ConfigError) -> T? {
            if let v = flag { origins[key] = flags.origin; return v }
            if let name = envName, let raw = env[name] { origins[key] = "environment \(name)"; return try parse(raw) }
            if let v = profile, let p = profileLayer { origins[key] = p.origin(of: key); return v }
            return nil
        }
        let asIs: (String) throws(ConfigError) -> String = { $0 }

        let baseURL = try pick("base_url", flag: flags.baseURL, envName: "CAP_BASE_URL", parse: asIs, profile: profile?.baseURL)
        if let url = baseURL, let problem = baseURLProblem(url) {
            throw .invalidSetting(source: origins["base_url"] ?? "base URL", message: problem)
        }

        let rateText = try pick("rate", flag: flags.rate, envName: "BADGE_IMPORT_RATE", parse: asIs, profile: profile?.rate)
        var rate: RateSpec?
        if let text = rateText {
            do { rate = try RateSpec.parseSetting(text) } catch {
                throw .invalidSetting(source: origins["rate"] ?? "rate", message: error.description)
            }
        }

        let concurrency = try pick("concurrency", flag: flags.concurrency, envName: "BADGE_IMPORT_CONCURRENCY", parse: { (raw: String) throws(ConfigError) -> Int in
            guard let n = Int(raw.trimmingCharacters(in: .whitespaces)) else {
                throw .invalidSetting(source: "environment BADGE_IMPORT_CONCURRENCY", message: "'\(raw)' is not a whole number")
            }
            return n
        }, profile: profile?.concurrency) ?? { origins["concurrency"] = "default"; return defaultConcurrency }()
        guard (1...maxConcurrency).contains(concurrency) else {
            throw .invalidSetting(source: origins["concurrency"]!, message: "concurrency \(concurrency) must be between 1 and \(maxConcurrency)")
        }

        let ledger = try pick("ledger", flag: flags.ledger, envName: "BADGE_IMPORT_LEDGER", parse: asIs, profile: profile?.ledger)
            ?? { origins["ledger"] = "default"; return defaultLedger }()
        let reportRoot = try pick("report_dir", flag: flags.reportDir, envName: "BADGE_IMPORT_REPORT_DIR", parse: asIs, profile: profile?.reportDir)
            ?? { origins["report_dir"] = "default"; return defaultReportRoot }()

        // Credentials: each is looked up lazily, only for the auth kind in use.
        let auth = try withoutActuallyEscaping(readFile) { (readFile) throws(ConfigError) -> ResolvedAuth in
            let layers = CredentialLayers(flags: flags, env: env, profile: profile, readFile: readFile)
            return try resolveAuth(flags: flags, env: env, profile: profile, layers: layers, origins: &origins)
        }

        return ResolvedSettings(baseURL: baseURL, auth: auth, rate: rate, concurrency: concurrency,
                                ledger: ledger, reportRoot: reportRoot, origins: origins)
    }

    private static func resolveAuth(flags: RunSettingsInput, env: [String: String], profile: RunSettingsInput?,
                                    layers: CredentialLayers, origins: inout [String: String]) throws(ConfigError) -> ResolvedAuth {
        let kind = try authKind(flags: flags, profile: profile, layers: layers, origins: &origins)
        let auth: ResolvedAuth
        switch kind {
        case .none:
            auth = .none
        case .basic:
            guard let username = username(flags: flags, env: env, profile: profile, origins: &origins) else {
                throw .missingCredential(what: "the username for basic auth",
                                         hint: "set CAP_USERNAME, or username in the profile")
            }
            guard let password = try layers.password() else {
                throw .missingCredential(what: "the password for basic auth",
                                         hint: "set CAP_PASSWORD or CAP_PASSWORD_FILE, or password_env / password_file in the profile")
            }
            origins["password"] = password.origin
            auth = .basic(username: username, password: password.secret)
        case .oauth:
            guard let key = try layers.clientKey() else {
                throw .missingCredential(what: "the OAuth client key",
                                         hint: "set CAP_CLIENT_KEY, or client_key / client_key_env / client_key_file in the profile")
            }
            guard let secret = try layers.clientSecret() else {
                throw .missingCredential(what: "the OAuth client secret",
                                         hint: "set CAP_CLIENT_SECRET or CAP_CLIENT_SECRET_FILE, or client_secret_env / client_secret_file in the profile")
            }
            origins["client_key"] = key.origin
            origins["client_secret"] = secret.origin
            auth = .oauth(clientKey: key.secret, clientSecret: secret.secret)
        }

        return auth
    }

    private static func username(flags: RunSettingsInput, env: [String: String], profile: RunSettingsInput?,
                                 origins: inout [String: String]) -> String? {
        if let v = flags.username { origins["username"] = flags.origin; return v }
        if let v = env["CAP_USERNAME"] { origins["username"] = "environment CAP_USERNAME"; return v }
        if let p = profile, let v = p.username { origins["username"] = p.origin(of: "username"); return v }
        return nil
    }

    private static func authKind(flags: RunSettingsInput, profile: RunSettingsInput?, layers: CredentialLayers,
                                 origins: inout [String: String]) throws(ConfigError) -> AuthKind {
        if let kind = flags.authKind { origins["auth"] = flags.origin; return kind }
        if let kind = profile?.authKind, let p = profile { origins["auth"] = p.origin(of: "auth"); return kind }
        let oauth = layers.anyOAuth, basic = layers.anyBasic
        origins["auth"] = "inferred"
        switch (basic, oauth) {
        case (true, true):
            throw .conflictingSettings(source: "auth", message: "both basic (username/password) and OAuth (client key/secret) credentials are given; choose one with auth = \"basic\" or \"oauth\" in the profile or the --auth flag")
        case (true, false): return .basic
        case (false, true): return .oauth
        case (false, false): return .none
        }
    }

    /// nil when usable, else what is wrong (no secret can be in a URL we accept: userinfo is refused).
    static func baseURLProblem(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return "base URL must be an http:// or https:// URL with a host, e.g. https://eu.api.capillarytech.com" }
        if components.user != nil || components.password != nil {
            return "base URL must not contain credentials; use the auth settings"
        }
        return nil
    }
}

/// The three layers' ways of giving each secret, read only when asked.
private struct CredentialLayers {
    let flags: RunSettingsInput
    let env: [String: String]
    let profile: RunSettingsInput?
    let readFile: (String) throws -> String

    struct Found {
        var secret: Secret
        var origin: String
    }

    /// One layer's candidate: a variable's value given directly, a variable's name, or a file.
    struct Source {
        enum Kind { case value(String), variable(String), file(String) }
        var kind: Kind
        var origin: String
    }

    var anyBasic: Bool {
        flags.username != nil || flags.passwordEnv != nil || flags.passwordFile != nil
            || env["CAP_USERNAME"] != nil || env["CAP_PASSWORD"] != nil || env["CAP_PASSWORD_FILE"] != nil
            || profile?.username != nil || profile?.passwordEnv != nil || profile?.passwordFile != nil
    }

    var anyOAuth: Bool {
        flags.clientKey != nil || flags.clientKeyEnv != nil || flags.clientKeyFile != nil
            || flags.clientSecretEnv != nil || flags.clientSecretFile != nil
            || env["CAP_CLIENT_KEY"] != nil || env["CAP_CLIENT_SECRET"] != nil || env["CAP_CLIENT_SECRET_FILE"] != nil
            || profile?.clientKey != nil || profile?.clientKeyEnv != nil || profile?.clientKeyFile != nil
            || profile?.clientSecretEnv != nil || profile?.clientSecretFile != nil
    }

    func password() throws(ConfigError) -> Found? {
        try first(what: "password", layers: [
            layer(flags, value: nil, variable: flags.passwordEnv, file: flags.passwordFile,
                  keys: ("password_env", "password_file"), valueOrigin: ""),
            envLayer(value: "CAP_PASSWORD", file: "CAP_PASSWORD_FILE"),
            profile.map { p in layer(p, value: nil, variable: p.passwordEnv, file: p.passwordFile,
                                     keys: ("password_env", "password_file"), valueOrigin: "") } ?? [],
        ])
    }

    func clientKey() throws(ConfigError) -> Found? {
        try first(what: "client key", layers: [
            layer(flags, value: flags.clientKey, variable: flags.clientKeyEnv, file: flags.clientKeyFile,
                  keys: ("client_key_env", "client_key_file"), valueOrigin: "client_key"),
            envLayer(value: "CAP_CLIENT_KEY", file: nil),
            profile.map { p in layer(p, value: p.clientKey, variable: p.clientKeyEnv, file: p.clientKeyFile,
                                     keys: ("client_key_env", "client_key_file"), valueOrigin: "client_key") } ?? [],
        ])
    }

    func clientSecret() throws(ConfigError) -> Found? {
        try first(what: "client secret", layers: [
            layer(flags, value: nil, variable: flags.clientSecretEnv, file: flags.clientSecretFile,
                  keys: ("client_secret_env", "client_secret_file"), valueOrigin: ""),
            envLayer(value: "CAP_CLIENT_SECRET", file: "CAP_CLIENT_SECRET_FILE"),
            profile.map { p in layer(p, value: nil, variable: p.clientSecretEnv, file: p.clientSecretFile,
                                     keys: ("client_secret_env", "client_secret_file"), valueOrigin: "") } ?? [],
        ])
    }

    private func layer(_ input: RunSettingsInput, value: String?, variable: String?, file: String?,
                       keys: (variable: String, file: String), valueOrigin: String) -> [Source] {
        var sources: [Source] = []
        if let value { sources.append(Source(kind: .value(value), origin: input.origin(of: valueOrigin))) }
        if let variable {
            sources.append(Source(kind: .variable(variable), origin: "\(keys.variable) '\(variable)' in \(input.origin(of: keys.variable))"))
        }
        if let file { sources.append(Source(kind: .file(file), origin: "\(keys.file) '\(file)' in \(input.origin(of: keys.file))")) }
        return sources
    }

    private func envLayer(value: String, file: String?) -> [Source] {
        var sources: [Source] = []
        if let v = env[value] { sources.append(Source(kind: .value(v), origin: "environment \(value)")) }
        if let file, let path = env[file] { sources.append(Source(kind: .file(path), origin: "environment \(file) '\(path)'")) }
        return sources
    }

    private func first(what: String, layers: [[Source]]) throws(ConfigError) -> Found? {
        for sources in layers where !sources.isEmpty {
            guard sources.count == 1 else {
                throw .conflictingSettings(source: sources.map(\.origin).joined(separator: " and "),
                                           message: "the \(what) is given more than one way; keep one")
            }
            let source = sources[0]
            switch source.kind {
            case .value(let v):
                return Found(secret: Secret(v), origin: source.origin)
            case .variable(let name):
                guard let v = env[name] else {
                    throw .unreadableSecret(source: source.origin, reason: "environment variable \(name) is not set")
                }
                return Found(secret: Secret(v), origin: source.origin)
            case .file(let path):
                let contents: String
                do { contents = try readFile(path) } catch {
                    throw .unreadableSecret(source: source.origin, reason: "the file cannot be read (\(error))")
                }
                let trimmed = Self.trimmingTrailingNewlines(contents)
                guard !trimmed.isEmpty else { throw .unreadableSecret(source: source.origin, reason: "the file is empty") }
                return Found(secret: Secret(trimmed), origin: source.origin)
            }
        }
        return nil
    }

    /// `echo secret > file` and Kubernetes Secrets created from such files end in a newline
    /// that is not part of the secret.
    static func trimmingTrailingNewlines(_ s: String) -> String {
        var scalars = Substring(s).unicodeScalars
        while let last = scalars.last, last == "\n" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
