import EarnAPI
import Foundation

/// One earn attempt as the sender sees it: the reading, plus what it needs to react.
public struct EarnAttempt: Sendable {
    public var outcome: EarnOutcome
    /// nil when no HTTP answer came back.
    public var httpStatus: Int?
    /// The OAuth token the request carried, to invalidate it after a 401/498.
    public var token: String?
    /// A bulk earn's reading beyond `outcome`; nil for a single earn.
    public var bulk: BulkReading? = nil
}

/// Builds earn requests, sends one attempt through the worker's `Transport` and classifies the
/// answer. One per worker, made on the worker's own thread: its transport is not thread-safe,
/// so it is deliberately not Sendable.
public final class EarnClient {
    public let url: String
    public let bulkURL: String
    public let auth: EarnAuth
    private let transport: Transport
    private let wallNow: @Sendable () -> Date

    /// - Parameter baseURL: e.g. `https://eu.api.capillarytech.com`; a trailing slash is tolerated.
    public init(baseURL: String, auth: EarnAuth, transport: Transport, wallNow: @escaping @Sendable () -> Date = { Date() }) {
        url = Self.trimmedBase(baseURL) + "/api_gateway/v1/badges/customer/earn"
        bulkURL = url + "Bulk"
        self.auth = auth
        self.transport = transport
        self.wallNow = wallNow
    }

    static func trimmedBase(_ base: String) -> String {
        var base = base.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// The JSON body, encoded by the API model the mock decodes with; `earnEventDate` only when
    /// the row has one.
    public static func body(for row: EarnRow) -> [UInt8] {
        EarnRequestBody(badgeMetaId: row.badgeMetaId, customerId: .value(row.customerId), requestId: row.sentRequestId,
                        earnEventDate: row.earnEventDate, ownerType: row.ownerType.rawValue,
                        referenceId: row.referenceId).encoded()
    }

    /// The full request for a row (auth header included), or the auth failure's outcome.
    public func request(for row: EarnRow, timeout: Double) -> Result<(HTTPRequest, String?), EarnAuthError> {
        request(url: url, body: Self.body(for: row), timeout: timeout)
    }

    func request(url: String, body: [UInt8], timeout: Double) -> Result<(HTTPRequest, String?), EarnAuthError> {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("Accept", "application/json")]
        var token: String?
        do {
            if let header = try auth.header() {
                headers.append((header.name, header.value))
                token = header.token
            }
        } catch {
            return .failure(error)
        }
        return .success((HTTPRequest(method: "POST", url: url, headers: headers, body: body, timeout: timeout), token))
    }

    /// Exactly one attempt; retrying is the sender's business.
    public func send(_ row: EarnRow, timeout: Double) -> EarnAttempt {
        attempt(url: url, body: Self.body(for: row), timeout: timeout) { response in
            EarnResponse.classify(status: response.status, headers: response.headers, body: response.body,
                                  oauth: auth.isOAuth, now: wallNow())
        }
    }

    /// Exactly one bulk earn attempt (see `BulkResponse` for how its answer reads).
    public func sendBulk(_ body: [UInt8], customers: Int, timeout: Double) -> EarnAttempt {
        var reading: BulkReading?
        var attempt = attempt(url: bulkURL, body: body, timeout: timeout) { response in
            let (outcome, bulk) = BulkResponse.classify(status: response.status, headers: response.headers, body: response.body,
                                                        customers: customers, oauth: auth.isOAuth, now: wallNow())
            reading = bulk
            return outcome
        }
        attempt.bulk = reading
        return attempt
    }

    private func attempt(url: String, body: [UInt8], timeout: Double,
                         classify: (HTTPResponse) -> EarnOutcome) -> EarnAttempt {
        let request: HTTPRequest, token: String?
        switch self.request(url: url, body: body, timeout: timeout) {
        case .success(let built): (request, token) = built
        case .failure(.refused(let status, let message)):
            return EarnAttempt(outcome: .fatal(httpStatus: status, message: message), httpStatus: status == 0 ? nil : status, token: nil)
        case .failure(.unavailable(let status, let message)):
            return EarnAttempt(outcome: .retryable(httpStatus: status, code: nil, message: message, retryAfter: nil), httpStatus: status, token: nil)
        }
        do {
            let response = try transport.send(request)
            let outcome = classify(response)
            return EarnAttempt(outcome: outcome, httpStatus: response.status, token: token)
        } catch {
            let outcome: EarnOutcome
            switch error {
            case .timeout:
                outcome = .retryable(httpStatus: nil, code: nil, message: "timed out after \(formatSeconds(timeout)) s", retryAfter: nil)
            case .connection(let message):
                outcome = .retryable(httpStatus: nil, code: nil, message: message, retryAfter: nil)
            case .setup(let message):
                outcome = .fatal(httpStatus: 0, message: message)
            }
            return EarnAttempt(outcome: outcome, httpStatus: nil, token: token)
        }
    }

    /// After a 401/498 under OAuth: drop the token so the next request fetches a fresh one.
    public func invalidate(token: String?) {
        if case .oauth(let provider) = auth, let token { provider.invalidate(token: token) }
    }

    private func formatSeconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
