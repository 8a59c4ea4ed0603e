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
    public let profiles: [String: RunOptionsLayer]

    /// The credentials' keys (the other keys come from the settings catalog, RunSetting.swift).
    static var credentialKeys: [String: WritableKeyPath<RunOptionsLayer, String?>] { [
        "username": \.username, "password_env": \.passwordEnv, "password_file": \.passwordFile,
        "client_key": \.clientKey, "client_key_env": \.clientKeyEnv, "client_key_file": \.clientKeyFile,
        "client_secret_env": \.clientSecretEnv, "client_secret_file": \.clientSecretFile,
    ] }
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
        var profiles: [String: RunOptionsLayer] = [:]

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

    private static func emptyProfile(_ name: String, path: String) -> RunOptionsLayer {
        var layer = RunOptionsLayer(origin: "profile '\(name)' (\(path))")
        layer.profileName = name
        return layer
    }

    private static func apply(key: String, value: TOMLSubset.Value, line: Int, file: String,
                              to profile: inout RunOptionsLayer) throws(ConfigError) {
        if inlineSecretKeys.contains(key) { throw .inlineSecret(file: file, line: line, key: key) }
        let at = Location(file: file, line: line, key: key)
        if let setting = RunSetting<Int>.all.first(where: { $0.key == key }) {
            guard case .integer(let n) = value else { throw at.invalid("must be an integer, not \(value.typeName)") }
            guard let whole = Int(exactly: n) else { throw at.invalid("\(n) is too large") }
            try at.store(whole, in: setting, of: &profile)
        } else if let setting = RunSetting<Double>.all.first(where: { $0.key == key }) {
            switch value {
            case .integer(let n): try at.store(Double(n), in: setting, of: &profile)
            case .float(let x): try at.store(x, in: setting, of: &profile)
            default: throw at.invalid("must be a number of seconds, not \(value.typeName)")
            }
        } else if let setting = RunSetting<Bool>.all.first(where: { $0.key == key }) {
            guard case .bool(let b) = value else { throw at.invalid("must be true or false, not \(value.typeName)") }
            try at.store(b, in: setting, of: &profile)
        } else {
            try applyText(value, at: at, to: &profile)
        }
        profile.lines[key] = line
    }

    private static func applyText(_ value: TOMLSubset.Value, at: Location,
                                  to profile: inout RunOptionsLayer) throws(ConfigError) {
        let setting = RunSetting<String>.all.first(where: { $0.key == at.key })
        guard setting != nil || at.key == "auth" || credentialKeys[at.key] != nil else {
            throw .unknownKey(file: at.file, line: at.line, key: at.key)
        }
        guard case .string(let s) = value else { throw at.invalid("must be a quoted string, not \(value.typeName)") }
        guard !s.isEmpty else { throw at.invalid("must not be empty") }
        if let setting {
            try at.store(s, in: setting, of: &profile)
        } else if let field = credentialKeys[at.key] {
            profile[keyPath: field] = s
        } else {
            guard let kind = AuthKind(rawValue: s) else { throw at.invalid("must be one of basic, oauth, none") }
            profile.authKind = kind
        }
    }

    /// Where a value sits in the file, for its messages.
    private struct Location {
        let file: String, line: Int, key: String

        func invalid(_ message: String) -> ConfigError {
            .invalidValue(file: file, line: line, key: key, message: message)
        }

        /// Checked here, with the same check the flags and the environment get.
        func store<Value>(_ value: Value, in setting: RunSetting<Value>, of profile: inout RunOptionsLayer) throws(ConfigError) {
            if let problem = setting.check(value) { throw invalid(problem) }
            profile[keyPath: setting.field] = value
        }
    }

    /// The profile's settings layer.
    public func profile(named name: String) throws(ConfigError) -> RunOptionsLayer {
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
