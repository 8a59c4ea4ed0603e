import Foundation

/// The configuration file: named profiles, one per cluster/org/key, so a run says
/// `--profile eu-prod` instead of repeating the base URL, auth, pace and paths.
///
/// ```toml
/// default_profile = "eu-prod"          # optional: used when neither --profile nor BADGE_IMPORT_PROFILE is set
///
/// [profiles.eu-prod]
/// base_url = "https://eu.api.capillarytech.com"
/// auth = "basic"                       # basic | oauth | none
/// username = "store.server"
/// password_env = "CAP_PASSWORD"        # or password_file = "/run/secrets/cap-password"
/// rate = "1000/min"
/// concurrency = 16
/// ledger = "/data/eu-prod.ledger"
/// report_dir = "/data/reports"
///
/// [profiles.apac-oauth]
/// auth = "oauth"
/// client_key_env = "CAP_CLIENT_KEY"    # or client_key = "..." or client_key_file = "..."
/// client_secret_file = "/run/secrets/cap-client-secret"   # or client_secret_env = "..."
/// ```
///
/// Where it is looked for (`locate`): `--config FILE`; else `$BADGE_IMPORT_CONFIG`; else
/// `./badge-import.toml`; else `~/.config/badge-import/config.toml`; else there is none (fine
/// unless a profile is asked for). Unknown keys are errors naming file:line (a typo such as
/// `concurency` must not silently fall back to a default), and so are secrets written inline
/// (`password`, `client_secret`): they come from environment variables or files only.
public struct ConfigFile: Sendable, Equatable {
    public let path: String
    public let defaultProfile: String?
    public let profiles: [String: RunSettingsInput]

    /// Keys a profile may have, with what each must be.
    static let stringKeys: Set<String> = [
        "base_url", "auth", "username", "password_env", "password_file", "client_key",
        "client_key_env", "client_key_file", "client_secret_env", "client_secret_file",
        "rate", "ledger", "report_dir",
    ]
    static let integerKeys: Set<String> = ["concurrency"]
    /// Written inline these would sit in a file that gets copied, committed and shared.
    static let inlineSecretKeys: Set<String> = ["password", "client_secret", "secret", "token", "access_token"]

    public static func load(path: String) throws(ConfigError) -> ConfigFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            let reason = FileManager.default.fileExists(atPath: path) ? "not readable as UTF-8 text" : "no such file"
            throw .unreadableFile(path: path, reason: reason)
        }
        return try parse(text, path: path)
    }

    public static func parse(_ text: String, path: String) throws(ConfigError) -> ConfigFile {
        let document = try TOMLSubset.parse(text, file: path)
        var defaultProfile: String?
        var profiles: [String: RunSettingsInput] = [:]

        for table in document.tables {
            switch table.path.count {
            case 1 where table.path[0] == "profiles":
                continue
            case 2 where table.path[0] == "profiles":
                let name = table.path[1]
                if profiles[name] == nil { profiles[name] = emptyProfile(name, path: path) }
            default:
                throw .unknownKey(file: path, line: table.line, key: "[" + table.path.joined(separator: ".") + "]")
            }
        }

        for entry in document.entries {
            let dotted = entry.path.joined(separator: ".")
            if entry.path == ["default_profile"] {
                guard case .string(let name) = entry.value else {
                    throw .invalidValue(file: path, line: entry.line, key: "default_profile", message: "must be a string, not \(entry.value.typeName)")
                }
                defaultProfile = name
                continue
            }
            guard entry.path.count == 3, entry.path[0] == "profiles" else {
                if let last = entry.path.last, inlineSecretKeys.contains(last) {
                    throw .inlineSecret(file: path, line: entry.line, key: last)
                }
                throw .unknownKey(file: path, line: entry.line, key: dotted)
            }
            let name = entry.path[1], key = entry.path[2]
            var profile = profiles[name] ?? emptyProfile(name, path: path)
            try apply(key: key, value: entry.value, line: entry.line, file: path, to: &profile)
            profiles[name] = profile
        }
        return ConfigFile(path: path, defaultProfile: defaultProfile, profiles: profiles)
    }

    private static func emptyProfile(_ name: String, path: String) -> RunSettingsInput {
        RunSettingsInput(origin: "profile '\(name)' (\(path))")
    }

    private static func apply(key: String, value: TOMLSubset.Value, line: Int, file: String,
                              to profile: inout RunSettingsInput) throws(ConfigError) {
        if inlineSecretKeys.contains(key) { throw .inlineSecret(file: file, line: line, key: key) }
        if integerKeys.contains(key) {
            guard case .integer(let n) = value else {
                throw .invalidValue(file: file, line: line, key: key, message: "must be an integer, not \(value.typeName)")
            }
            guard n >= 1, n <= Int64(ResolvedSettings.maxConcurrency) else {
                throw .invalidValue(file: file, line: line, key: key, message: "must be between 1 and \(ResolvedSettings.maxConcurrency)")
            }
            profile.concurrency = Int(n)
            profile.lines[key] = line
            return
        }
        guard stringKeys.contains(key) else { throw .unknownKey(file: file, line: line, key: key) }
        guard case .string(let s) = value else {
            throw .invalidValue(file: file, line: line, key: key, message: "must be a quoted string, not \(value.typeName)")
        }
        guard !s.isEmpty else { throw .invalidValue(file: file, line: line, key: key, message: "must not be empty") }
        profile.lines[key] = line
        switch key {
        case "base_url":
            if let problem = ResolvedSettings.baseURLProblem(s) {
                throw .invalidValue(file: file, line: line, key: key, message: problem)
            }
            profile.baseURL = s
        case "auth":
            guard let kind = AuthKind(rawValue: s) else {
                throw .invalidValue(file: file, line: line, key: key, message: "must be one of basic, oauth, none")
            }
            profile.authKind = kind
        case "username": profile.username = s
        case "password_env": profile.passwordEnv = s
        case "password_file": profile.passwordFile = s
        case "client_key": profile.clientKey = s
        case "client_key_env": profile.clientKeyEnv = s
        case "client_key_file": profile.clientKeyFile = s
        case "client_secret_env": profile.clientSecretEnv = s
        case "client_secret_file": profile.clientSecretFile = s
        case "rate":
            do { _ = try RateSpec.parseSetting(s) } catch {
                throw .invalidValue(file: file, line: line, key: key, message: error.description)
            }
            profile.rate = s
        case "ledger": profile.ledger = s
        case "report_dir": profile.reportDir = s
        default: throw .unknownKey(file: file, line: line, key: key)
        }
    }

    /// The profile's settings layer.
    public func profile(named name: String) throws(ConfigError) -> RunSettingsInput {
        guard let profile = profiles[name] else {
            throw .profileNotFound(name: name, file: path, available: profiles.keys.sorted())
        }
        return profile
    }

    /// Which profile to use: `--profile`, else BADGE_IMPORT_PROFILE, else the file's default_profile.
    public func selectedProfileName(flag: String?, environment: [String: String]) -> String? {
        flag ?? environment["BADGE_IMPORT_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultProfile
    }

    /// The config file to read: `--config` (must exist), else `$BADGE_IMPORT_CONFIG` (must
    /// exist), else the first existing of `./badge-import.toml` and
    /// `$HOME/.config/badge-import/config.toml`; nil when none exists.
    public static func locate(explicitPath: String?, environment: [String: String],
                              fileExists: (String) -> Bool) throws(ConfigError) -> String? {
        if let path = explicitPath {
            guard fileExists(path) else { throw .unreadableFile(path: path, reason: "no such file (given by --config)") }
            return path
        }
        if let path = environment["BADGE_IMPORT_CONFIG"], !path.isEmpty {
            guard fileExists(path) else { throw .unreadableFile(path: path, reason: "no such file (given by BADGE_IMPORT_CONFIG)") }
            return path
        }
        return searchPaths(environment: environment).first(where: fileExists)
    }

    /// The implicit places, in order.
    public static func searchPaths(environment: [String: String]) -> [String] {
        var paths = ["badge-import.toml"]
        if let home = environment["HOME"], !home.isEmpty {
            paths.append(home + "/.config/badge-import/config.toml")
        }
        return paths
    }
}
