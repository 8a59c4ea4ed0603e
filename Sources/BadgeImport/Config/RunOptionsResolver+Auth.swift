import Foundation

/// Credentials. A secret is one setting however it is given: the highest layer that gives the
/// password in any form (a variable, a variable's name, a file) wins, and lower layers' sources
/// are not even read, so a profile's `password_file` that does not exist on this machine does
/// not matter when CAP_PASSWORD is set. Two forms in the same layer are a conflict, not a guess.
/// The auth kind is `auth` from flags or profile; else oauth when a client key or secret is given
/// somewhere, basic when a username or password is, none otherwise.
extension RunOptionsResolver {
    /// The embedded mock checks no credentials; none are looked up, so none need to exist.
    mutating func noAuthForTheMock() -> EarnAuthSettings {
        origins["auth"] = flags.origin(of: "mock")
        return .none
    }

    mutating func resolveAuth() throws(ConfigError) -> EarnAuthSettings {
        // Each secret is looked up lazily, only for the auth kind in use.
        let layers = CredentialLayers(flags: flags, env: environment, profile: profile, readFile: readFile)
        let kind = try authKind(layers: layers)
        let auth: EarnAuthSettings
        switch kind {
        case .none:
            auth = .none
        case .basic:
            guard let username = username() else {
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
            auth = .oauth(clientKey: key.secret.revealed, clientSecret: secret.secret)
        }

        return auth
    }

    private mutating func username() -> String? {
        if let v = flags.username { origins["username"] = flags.origin(of: "username"); return v }
        if let v = environment["CAP_USERNAME"] { origins["username"] = "environment CAP_USERNAME"; return v }
        if let p = profile, let v = p.username { origins["username"] = p.origin(of: "username"); return v }
        return nil
    }

    private mutating func authKind(layers: CredentialLayers) throws(ConfigError) -> AuthKind {
        if let kind = flags.authKind { origins["auth"] = flags.origin(of: "auth"); return kind }
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
}
