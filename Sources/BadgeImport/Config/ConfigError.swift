/// Everything that can be wrong with configuration: the config file, the environment, the flags.
/// Each names where the problem is (file:line, the variable, the flag) and never a secret's value.
/// The command maps any of these to exit code 2 (nothing sent).
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    /// The file is not valid in the TOML subset we read.
    case syntax(file: String, line: Int, message: String)
    /// A key or table the configuration does not know (typos must not be silently ignored).
    case unknownKey(file: String, line: Int, key: String)
    /// A known key with a value of the wrong type or form.
    case invalidValue(file: String, line: Int, key: String, message: String)
    /// `password = ...` or `client_secret = ...` in the file: secrets come from env or files only.
    case inlineSecret(file: String, line: Int, key: String)
    case unreadableFile(path: String, reason: String)
    case profileNotFound(name: String, file: String, available: [String])
    /// A profile was asked for (flag or BADGE_IMPORT_PROFILE) but there is no config file.
    case noConfigFile(profile: String, searched: [String])
    /// A setting from the environment or the flags that cannot be used; `source` names it.
    case invalidSetting(source: String, message: String)
    /// Neither a flag, the environment nor the profile names the API, and the run is not against the mock.
    case missingBaseURL
    /// A credential the chosen auth needs is missing; `hint` says the ways to give it.
    case missingCredential(what: String, hint: String)
    /// A secret file or variable named by the configuration could not be read or is empty.
    case unreadableSecret(source: String, reason: String)
    /// Two ways of giving the same secret in one layer (e.g. password_env and password_file).
    case conflictingSettings(source: String, message: String)

    public var description: String {
        switch self {
        case .syntax(let file, let line, let message):
            return "\(file):\(line): \(message)"
        case .unknownKey(let file, let line, let key):
            return "\(file):\(line): unknown key '\(key)'"
        case .invalidValue(let file, let line, let key, let message):
            return "\(file):\(line): '\(key)': \(message)"
        case .inlineSecret(let file, let line, let key):
            return "\(file):\(line): '\(key)' must not be written in the config file; name an environment variable (\(key)_env) or a file (\(key)_file) that holds it"
        case .unreadableFile(let path, let reason):
            return "cannot read config file \(path): \(reason)"
        case .profileNotFound(let name, let file, let available):
            let list = available.isEmpty ? "it defines none" : "it defines: " + available.joined(separator: ", ")
            return "profile '\(name)' is not in \(file) (\(list))"
        case .noConfigFile(let profile, let searched):
            return "profile '\(profile)' was asked for but no config file was found (looked for: \(searched.joined(separator: ", ")))"
        case .invalidSetting(let source, let message):
            return "\(source): \(message)"
        case .missingBaseURL:
            return "no API to send to: give --base-url URL (or CAP_BASE_URL, or a profile), or --mock"
        case .missingCredential(let what, let hint):
            return "\(what) is missing: \(hint)"
        case .unreadableSecret(let source, let reason):
            return "\(source): \(reason)"
        case .conflictingSettings(let source, let message):
            return "\(source): \(message)"
        }
    }
}
