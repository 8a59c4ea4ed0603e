import EarnAPI
import Foundation

/// Reads an earn API answer into an `EarnOutcome`. Codes in `errors[]` decide first and the HTTP
/// status second, because the docs pair them inconsistently (an error body under a 200, 809 under 400).
public enum EarnResponse {
    public struct APIError: Sendable, Equatable {
        public var code: String?
        public var message: String
    }

    /// Codes the docs name as permanent for a row, whatever status they come with.
    static let permanentCodes: Set<String> = ["811", "810", "815", "750", "812", "804", "716"]

    public static func classify(status: Int, headers: [String: String], body: [UInt8],
                                oauth: Bool, now: Date) -> EarnOutcome {
        // Nearly every answer is a plain earn or a plain refusal: read them with the shared
        // decoders, without building a Foundation dictionary. They answer only bodies the
        // general path would read the same way.
        if (200..<300).contains(status), let earned = EarnedBadge.decodeAnswer(body) {
            return .earned(EarnReceipt(earnedBadgeId: earned.earnedBadgeId, issuedId: earned.issuedId,
                                       expiresOn: earned.expiresOn, warnings: []))
        }
        if let envelope = ErrorEnvelope.decode(body), !envelope.errors.isEmpty {
            let errors = envelope.errors.map { APIError(code: String($0.code), message: $0.message) }
            return classify(status: status, headers: headers, errors: errors, now: now, oauth: oauth) {
                .retryable(httpStatus: status, code: nil, message: "HTTP \(status) without an earn answer", retryAfter: nil)
            }
        }
        return classifyInGeneral(status: status, headers: headers, body: body, oauth: oauth, now: now)
    }

    /// Any answer, through JSONSerialization: errors, warnings, odd shapes.
    static func classifyInGeneral(status: Int, headers: [String: String], body: [UInt8],
                                  oauth: Bool, now: Date) -> EarnOutcome {
        let json = body.first(where: { !isSpace($0) }) == UInt8(ascii: "{")
            ? (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] : nil
        return classify(status: status, headers: headers, errors: errors(in: json), now: now, oauth: oauth) {
            guard let data = json?["data"] as? [String: Any] else {
                // A 2xx without the envelope (a proxy page, a truncated body): resending is safe,
                // the requestId makes a second earn answer 809.
                return .retryable(httpStatus: status, code: nil, message: "HTTP \(status) without an earn answer", retryAfter: nil)
            }
            return .earned(EarnReceipt(earnedBadgeId: string(data["earnedBadgeId"]),
                                       issuedId: string(data["issuedId"]),
                                       expiresOn: expiresOn(data["expiresOn"], body: body),
                                       warnings: warnings(in: json?["warnings"])))
        }
    }

    /// The decision once the body is read; `success` reads a 2xx answer that carries no errors.
    private static func classify(status: Int, headers: [String: String], errors: [APIError], now: Date, oauth: Bool,
                                 success: () -> EarnOutcome) -> EarnOutcome {
        let retryAfter = headers["retry-after"].flatMap { RetryAfter.seconds(from: $0, now: now) }

        if let duplicate = errors.first(where: { $0.code == "809" }) {
            return .duplicate(message: duplicate.message.isEmpty ? "requestId already used" : duplicate.message)
        }
        let codes = errors.compactMap(\.code)
        let joinedCodes = codes.isEmpty ? nil : codes.joined(separator: ",")
        let joinedMessages = errors.map(\.message).filter { !$0.isEmpty }.joined(separator: "; ")
        if codes.contains(where: { permanentCodes.contains($0) }) {
            return .rejected(httpStatus: status, code: joinedCodes, message: joinedMessages)
        }

        // Statuses that say something about the request as a whole win over unknown codes:
        // a 503 with some error body is still worth retrying, a 401 still stops the run.
        switch status {
        case 429:
            return .retryable(httpStatus: status, code: joinedCodes, message: orStatus(joinedMessages, status, "throttled"), retryAfter: retryAfter)
        case 500...599, 408:
            return .retryable(httpStatus: status, code: joinedCodes, message: orStatus(joinedMessages, status, "server error"), retryAfter: retryAfter)
        case 498:
            return .authExpired(httpStatus: status)
        case 401:
            return oauth ? .authExpired(httpStatus: status)
                : .fatal(httpStatus: status, message: orStatus(joinedMessages, status, "credentials refused"))
        case 403:
            return .fatal(httpStatus: status, message: orStatus(joinedMessages, status, "access refused"))
        default:
            break
        }
        if !errors.isEmpty {
            return .rejected(httpStatus: status, code: joinedCodes, message: orStatus(joinedMessages, status, "refused"))
        }
        switch status {
        case 200..<300:
            return success()
        case 300..<400:
            return .fatal(httpStatus: status, message: "HTTP \(status) redirect: check the base URL")
        default:
            return .rejected(httpStatus: status, code: nil, message: "HTTP \(status)")
        }
    }

    /// `errors[]` entries; a code may be a JSON number or string.
    static func errors(in json: [String: Any]?) -> [APIError] {
        guard let list = json?["errors"] as? [Any] else { return [] }
        return list.compactMap { item in
            guard let entry = item as? [String: Any] else {
                return (item as? String).map { APIError(code: nil, message: $0) }
            }
            return APIError(code: string(entry["code"]), message: string(entry["message"]) ?? "")
        }
    }

    static func warnings(in value: Any?) -> [String] {
        guard let list = value as? [Any] else { return [] }
        return list.compactMap { item in
            if let text = item as? String { return text }
            if let entry = item as? [String: Any] {
                let code = string(entry["code"]), message = string(entry["message"])
                switch (code, message) {
                case let (code?, message?): return "\(code): \(message)"
                case let (nil, message?): return message
                case let (code?, nil): return code
                default: return nil
                }
            }
            return nil
        }
    }

    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: return text
        case let number as NSNumber:
            // Integral codes print without a fraction ("809", not "809.0").
            let double = number.doubleValue
            if double == double.rounded(), abs(double) < 1e15 { return String(Int64(double)) }
            return number.stringValue
        default: return nil
        }
    }

    static func double(_ value: Any?) -> Double? {
        switch value {
        case let number as NSNumber: return number.doubleValue
        case let text as String: return Double(text.trimmingCharacters(in: .whitespaces))
        default: return nil
        }
    }

    /// Foundation's JSON number parsing is off by an ulp or two on values like
    /// 1726809439.822462000; re-read the literal so the ledger keeps exactly what was sent.
    static func expiresOn(_ value: Any?, body: [UInt8]) -> Double? {
        guard value is NSNumber else { return double(value) }
        let key = Array("\"expiresOn\"".utf8)
        var index = 0
        while index + key.count <= body.count {
            if body[index] == key[0], Array(body[index..<(index + key.count)]) == key {
                var cursor = index + key.count
                while cursor < body.count, isSpace(body[cursor]) || body[cursor] == UInt8(ascii: ":") { cursor += 1 }
                let start = cursor
                while cursor < body.count, Self.numberBytes.contains(body[cursor]) { cursor += 1 }
                if let exact = Double(String(decoding: body[start..<cursor], as: UTF8.self)) { return exact }
                break
            }
            index += 1
        }
        return double(value)
    }

    private static let numberBytes = Set("0123456789+-.eE".utf8)

    private static func orStatus(_ message: String, _ status: Int, _ fallback: String) -> String {
        message.isEmpty ? "HTTP \(status) \(fallback)" : message
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 10 || byte == 13 }
}
