import Foundation

/// The API a ledger's "done" means something for: a row earned on staging is not earned on
/// production, and a row earned against the embedded mock is earned nowhere. A ledger is bound
/// to the first target that writes to it; a run against another target is refused unless the
/// user says the two are one service (`--rebind-ledger`).
///
/// Holds the normalised base URL and who the requests are sent as (user name or client key,
/// which the API's own logs show too), never a secret.
public struct LedgerTarget: Sendable, Equatable, CustomStringConvertible {
    /// Normalised: scheme and host lower-cased, no default port, no trailing slash.
    public var baseURL: String
    /// `basic:<user name>`, `oauth:<client key>` or `none`.
    public var identity: String

    /// `run --mock`: its port changes every run, and nothing it "earns" exists anywhere else.
    public static let embeddedMock = LedgerTarget(baseURL: "embedded-mock", identity: "none")

    public var description: String {
        identity == "none" ? baseURL : "\(baseURL) as \(identity)"
    }

    /// `HTTPS://EU.api.example.com:443/` and `https://eu.api.example.com` are one target.
    static func normalised(_ text: String) -> String {
        guard var parts = URLComponents(string: text.trimmingCharacters(in: .whitespaces)),
              let scheme = parts.scheme?.lowercased() else { return text }
        parts.scheme = scheme
        parts.host = parts.host?.lowercased()
        if (scheme == "https" && parts.port == 443) || (scheme == "http" && parts.port == 80) { parts.port = nil }
        while parts.path.hasSuffix("/") { parts.path.removeLast() }
        parts.query = nil
        parts.fragment = nil
        return parts.string ?? text
    }
}

extension LedgerTarget {
    /// The target of a run that sends to `baseURL` with `auth`.
    public init(baseURL: String, auth: EarnAuthSettings) {
        self.baseURL = Self.normalised(baseURL)
        switch auth {
        case .none: identity = "none"
        case .basic(let username, _): identity = "basic:\(username)"
        case .oauth(let clientKey, _): identity = "oauth:\(clientKey)"
        }
    }
}
