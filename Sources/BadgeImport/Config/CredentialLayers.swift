import Foundation

/// The three layers' ways of giving each secret, read only when asked.
struct CredentialLayers {
    let flags: RunOptionsLayer
    let env: [String: String]
    let profile: RunOptionsLayer?
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

    private func layer(_ input: RunOptionsLayer, value: String?, variable: String?, file: String?,
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
