/// How the importer authenticates to the earn API.
public enum AuthKind: String, Sendable, CaseIterable, Codable {
    /// `Authorization: Basic base64(username:md5(password))`.
    case basic
    /// Key and secret exchanged for a token (`X-CAP-API-OAUTH-TOKEN`).
    case oauth
    /// No credentials (the local mock, a proxy that adds them).
    case none
}
