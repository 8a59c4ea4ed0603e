import Foundation
import Digest

/// Capillary Basic auth: `Authorization: Basic base64(username ":" md5hex(password))`.
/// Only the finished header value is kept (it is as good as the password, so it is never printed).
public struct BasicCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let username: String
    /// The value of the `Authorization` header, computed once.
    public let headerValue: String

    public init(username: String, password: Secret) {
        self.username = username
        let token = username + ":" + MD5.hex(password.revealed.utf8)
        headerValue = "Basic " + Data(token.utf8).base64EncodedString()
    }

    public init(username: String, password: String) {
        self.init(username: username, password: Secret(password))
    }

    public var description: String { "BasicCredentials(username: \(username), password: <redacted>)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["username": username, "password": "<redacted>"]) }
}
