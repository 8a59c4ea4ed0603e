/// The key and secret of a Capillary OAuth API client.
public struct OAuthCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let key: String
    /// Revealed only into the token request's body.
    let secret: Secret

    public init(key: String, secret: Secret) {
        self.key = key
        self.secret = secret
    }

    public init(key: String, secret: String) {
        self.init(key: key, secret: Secret(secret))
    }

    public var description: String { "OAuthCredentials(key: \(key), secret: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["key": key, "secret": "<redacted>"]) }
}
