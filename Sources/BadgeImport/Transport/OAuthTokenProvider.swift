import EarnAPI

import Foundation

/// Why no auth header could be produced.
public enum EarnAuthError: Error, Sendable, Equatable {
    /// The credentials were refused (code 320001, 401, 403): every request would fail, stop the run.
    case refused(httpStatus: Int, message: String)
    /// The token endpoint could not be reached or answered 429/5xx: worth a retry.
    case unavailable(httpStatus: Int?, message: String)
}

/// Fetches and caches the OAuth access token that all workers share. The lock is held during
/// a fetch on purpose: when the token runs out, one worker fetches and the others wait for
/// that token instead of each fetching their own.
public final class OAuthTokenProvider: @unchecked Sendable {
    private let lock = NSLock()
    private let url: String
    private let credentials: OAuthCredentials
    private let transport: Transport  // used only while holding `lock`
    private let clock: Clock
    private let renewFraction: Double
    private let timeout: Double

    private var current: String?
    private var renewAt: Double = 0
    private var fetches = 0

    /// - Parameter renewFraction: the share of the token's lifetime after which it is renewed,
    ///   so no request leaves with a token about to expire in flight.
    public init(baseURL: String, credentials: OAuthCredentials, transport: Transport, clock: Clock,
                renewFraction: Double = 0.8, timeout: Double = 30) {
        url = EarnClient.trimmedBase(baseURL) + "/v3/oauth/token/generate"
        self.credentials = credentials
        self.transport = transport
        self.clock = clock
        self.renewFraction = renewFraction
        self.timeout = timeout
    }

    /// A provider with its own libcurl handle (guarded by the provider's lock).
    public convenience init(baseURL: String, credentials: OAuthCredentials, clock: Clock,
                            transportOptions: CurlTransport.Options = CurlTransport.Options(),
                            renewFraction: Double = 0.8, timeout: Double = 30) throws(TransportError) {
        self.init(baseURL: baseURL, credentials: credentials, transport: try CurlTransport(options: transportOptions),
                  clock: clock, renewFraction: renewFraction, timeout: timeout)
    }

    /// How many times a token was fetched (for the run summary and tests).
    public var fetchCount: Int { lock.withLock { fetches } }

    /// A valid token, fetched if there is none or it is due for renewal.
    public func token() throws(EarnAuthError) -> String {
        lock.lock()
        defer { lock.unlock() }
        if let current, clock.now() < renewAt { return current }
        return try fetchLocked()
    }

    /// The server said `token` expired (401/498). Only the first worker to report a given token
    /// drops it; workers that report an already replaced token cause no second fetch.
    public func invalidate(token: String) {
        lock.withLock {
            if current == token { current = nil }
        }
    }

    private func fetchLocked() throws(EarnAuthError) -> String {
        let started = clock.now()
        // The one place the client secret leaves its wrapper: the token request body.
        let body = TokenRequestBody(key: credentials.key, secret: credentials.secret.revealed)
        let request = HTTPRequest(method: "POST", url: url,
                                  headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                                  body: body.encoded(), timeout: timeout)
        fetches += 1
        let response: HTTPResponse
        do {
            response = try transport.send(request)
        } catch {
            switch error {
            case .timeout: throw .unavailable(httpStatus: nil, message: "token request timed out after \(CurlTransport.seconds(timeout)) s")
            case .connection(let message): throw .unavailable(httpStatus: nil, message: "token request failed: \(message)")
            case .setup(let message): throw .refused(httpStatus: 0, message: "token request could not be sent: \(message)")
            }
        }
        let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let errors = EarnResponse.errors(in: json)
        if errors.contains(where: { $0.code == "320001" }) || response.status == 401 || response.status == 403 {
            throw .refused(httpStatus: response.status, message: "OAuth credentials refused (key \(credentials.key))")
        }
        if response.status == 429 || response.status >= 500 {
            throw .unavailable(httpStatus: response.status, message: "token endpoint answered HTTP \(response.status)")
        }
        guard (200..<300).contains(response.status),
              let data = json?["data"] as? [String: Any],
              let token = data["accessToken"] as? String, !token.isEmpty
        else {
            let detail = errors.isEmpty ? "no accessToken in the answer" : errors.map(\.message).joined(separator: "; ")
            throw .refused(httpStatus: response.status, message: "token endpoint answered HTTP \(response.status): \(detail)")
        }
        // The documented default lifetime is at most an hour; 300 s is the docs' example and a
        // safe guess when the field is missing.
        let ttl = EarnResponse.double(data["ttlSeconds"]) ?? 300
        current = token
        renewAt = started + max(0, ttl) * renewFraction
        return token
    }
}
