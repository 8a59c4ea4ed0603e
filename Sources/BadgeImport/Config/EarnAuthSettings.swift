/// How the run proves who it is. The password and the OAuth client secret stay `Secret`s until
/// the transport builds the Authorization header or the token request body from them, so no
/// description, dump, log line or error message on the way there can show them.
/// The user name and the client key are identifiers (the API's own logs show them): they are
/// printed, recorded with the run and bind the ledger.
public enum EarnAuthSettings: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    case none
    case basic(username: String, password: Secret)
    case oauth(clientKey: String, clientSecret: Secret)

    public var kind: AuthKind {
        switch self {
        case .none: return .none
        case .basic: return .basic
        case .oauth: return .oauth
        }
    }

    public var description: String {
        switch self {
        case .none: "none"
        case .basic(let username, _): "basic(\(username))"
        case .oauth: "oauth"
        }
    }

    public var debugDescription: String { description }

    /// Without this, `dump` would walk into the associated values; `Secret` hides itself too,
    /// but the mirror should not depend on that.
    public var customMirror: Mirror {
        switch self {
        case .none: Mirror(self, children: [], displayStyle: .enum)
        case .basic(let username, _): Mirror(self, children: ["username": username], displayStyle: .enum)
        case .oauth(let clientKey, _): Mirror(self, children: ["clientKey": clientKey], displayStyle: .enum)
        }
    }
}
