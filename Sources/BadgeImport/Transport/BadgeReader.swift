import EarnAPI
import Foundation

/// The two reads beside the earn: a badge's definition (`run`'s preflight) and a customer's
/// earned badges (`verify`). Through a `Transport` of its own and the run's auth, paced by the
/// run's limiter, retried as an earn is (429, 5xx, timeouts and dropped connections with
/// backoff; under OAuth a 401/498 fetches a fresh token once). One per thread, like `EarnClient`.
public final class BadgeReader {
    /// What one read came to.
    public enum Answer<Value> {
        case found(Value)
        /// The server does not know the id (code 1054, or HTTP 404): a definite answer.
        case unknown(code: String, message: String)
        /// No usable answer: refused (401, 403, another 4xx), retries ran out, or the run stopped;
        /// `status` is the last HTTP status when there was one.
        case failed(String, status: Int? = nil)
    }

    private let base: String
    private let auth: EarnAuth
    private let transport: Transport
    private let policy: SendPolicy
    private let limiter: RateLimiter?
    private let clock: Clock
    private let random: RandomSource

    public init(baseURL: String, auth: EarnAuth, transport: Transport, policy: SendPolicy, limiter: RateLimiter?,
                clock: Clock, random: RandomSource) {
        base = EarnClient.trimmedBase(baseURL)
        self.auth = auth
        self.transport = transport
        self.policy = policy
        self.limiter = limiter
        self.clock = clock
        self.random = random
    }

    /// `GET /api_gateway/v1/badges/badgeMeta/{id}`.
    public func definition(of badgeMetaId: String, shouldStop: () -> Bool) -> Answer<BadgeDefinition> {
        let path = "/api_gateway/v1/badges/badgeMeta/" + Self.pathSegment(badgeMetaId)
        return get(path, shouldStop: shouldStop) { BadgeAnswers.definition($0, id: badgeMetaId) }
    }

    /// `GET /api_gateway/v1/badges/customer/{id}?badgeType=EARNED&includeExpired=true`.
    public func heldBadges(of customerId: Int64, shouldStop: () -> Bool) -> Answer<CustomerBadges> {
        get("/api_gateway/v1/badges/customer/\(customerId)?badgeType=EARNED&includeExpired=true",
            shouldStop: shouldStop, decode: BadgeAnswers.customerBadges)
    }

    /// The retry loop of one read; `decode` reads a 2xx body (nil: not the expected shape).
    private func get<Value>(_ path: String, shouldStop: () -> Bool, decode: ([String: Any]) -> Value?) -> Answer<Value> {
        var attempts = 0, refreshed = false
        var last = "not sent"
        while attempts < policy.maxAttempts {
            if let limiter, !limiter.acquire(shouldStop: shouldStop) { return .failed("the run stopped before the read") }
            attempts += 1
            var headers: [(name: String, value: String)] = [("Accept", "application/json")]
            var token: String?
            do {
                if let header = try auth.header() { headers.append((header.name, header.value)); token = header.token }
            } catch {
                return .failed("credentials: \(error)")
            }
            let response: HTTPResponse
            do {
                response = try transport.send(HTTPRequest(method: "GET", url: base + path, headers: headers, timeout: policy.timeout))
            } catch {
                switch error {
                case .setup(let message): return .failed(message)
                case .timeout: last = "timed out"
                case .connection(let message): last = message
                }
                if !backOff(attempts - 1, retryAfter: nil, shouldStop: shouldStop) { return .failed(last) }
                continue
            }
            let json = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
            let errors = EarnResponse.errors(in: json)
            let message = errors.map { "\($0.code.map { "\($0): " } ?? "")\($0.message)" }.joined(separator: "; ")
            let described = "HTTP \(response.status)" + (message.isEmpty ? "" : " (\(message))")
            switch response.status {
            case 200..<300:
                limiter?.noteSuccess()
                guard let json, let value = decode(json) else {
                    return .failed("HTTP \(response.status) without the expected answer", status: response.status)
                }
                return .found(value)
            case 429, 408, 500...599:
                last = described
                let retryAfter = response.headers["retry-after"].flatMap { RetryAfter.seconds(from: $0, now: Date()) }
                if response.status == 429 { limiter?.noteThrottled(retryAfter: retryAfter) }
                if !backOff(attempts - 1, retryAfter: retryAfter, shouldStop: shouldStop) { return .failed(last) }
            case 401 where auth.isOAuth && !refreshed, 498 where !refreshed:
                refreshed = true
                if case .oauth(let provider) = auth, let token { provider.invalidate(token: token) }
            default:
                if let code = errors.first(where: { $0.code == "1054" })?.code ?? (response.status == 404 ? "1054" : nil) {
                    return .unknown(code: code, message: errors.first?.message ?? "Badge not found")
                }
                return .failed(described, status: response.status)
            }
        }
        return .failed(last + " (after \(attempts) attempts)")
    }

    /// Waits before the next attempt; false if the run is stopping (or attempts ran out).
    private func backOff(_ retry: Int, retryAfter: Double?, shouldStop: () -> Bool) -> Bool {
        guard retry + 1 < policy.maxAttempts, !shouldStop() else { return false }
        var remaining = policy.backoff.delay(forAttempt: retry, retryAfter: retryAfter, random: random)
        while remaining > 0 {
            let slice = min(remaining, 0.25)
            clock.sleep(slice)
            remaining -= slice
            if shouldStop() { return false }
        }
        return true
    }

    /// An id from an input goes into a URL path: anything but letters and digits is escaped.
    static func pathSegment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}
