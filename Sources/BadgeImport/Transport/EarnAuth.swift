/// How requests to the earn API are authenticated.
public enum EarnAuth: Sendable {
    case none
    case basic(BasicCredentials)
    case oauth(OAuthTokenProvider)

    /// The header to send, and the OAuth token it carries (to invalidate it after a 401/498).
    public struct Header: Sendable {
        public var name: String
        public var value: String
        public var token: String?
    }

    public func header() throws(EarnAuthError) -> Header? {
        switch self {
        case .none: return nil
        case .basic(let credentials): return Header(name: "Authorization", value: credentials.headerValue, token: nil)
        case .oauth(let provider):
            let token = try provider.token()
            return Header(name: "X-CAP-API-OAUTH-TOKEN", value: token, token: token)
        }
    }

    public var isOAuth: Bool {
        if case .oauth = self { return true }
        return false
    }
}

extension EarnAuth {
    /// The auth a run's settings ask for. An OAuth provider gets a transport of its own
    /// (`makeTransport`): it is shared by every worker, under its own lock.
    static func from(_ settings: EarnAuthSettings, baseURL: String, clock: Clock,
                     makeTransport: () throws -> any Transport) throws -> EarnAuth {
        switch settings {
        case .none:
            return .none
        case .basic(let username, let password):
            return .basic(BasicCredentials(username: username, password: password))
        case .oauth(let key, let secret):
            return .oauth(OAuthTokenProvider(baseURL: baseURL, credentials: OAuthCredentials(key: key, secret: secret),
                                             transport: try makeTransport(), clock: clock))
        }
    }
}
