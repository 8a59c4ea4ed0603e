import EarnAPI
import Foundation

/// How a bulk earn's answer reads beyond the retry loop's `EarnOutcome`.
public enum BulkReading: Sendable, Equatable {
    /// Per-customer items: each row's fate is its item.
    case items(BulkEarnAnswer)
    /// The server takes fewer customers per request: the request earned nothing; resend the
    /// rows in smaller batches.
    case tooLarge(message: String)
}

/// Reads an earnBulk answer. Items decide whenever the body carries them (and the status is
/// not one the whole request is retried or refused on); otherwise the single earn's reading of
/// the envelope decides, with two readings of its own: a 2xx without items is retryable (a
/// garbage or truncated body earned nothing we can record), and code 818, or any 400/413 without
/// items for a batch of more than one customer, means "too many customers".
public enum BulkResponse {
    public static let tooManyCustomersCode = "818"

    public static func classify(status: Int, headers: [String: String], body: [UInt8], customers: Int,
                                oauth: Bool, now: Date) -> (EarnOutcome, BulkReading?) {
        let wholeRequest = status == 429 || status >= 500 || status == 401 || status == 403 || status == 498
        if !wholeRequest, let answer = BulkEarnAnswer.decode(body) {
            // The retry loop only needs to know the server answered.
            return (.earned(EarnReceipt()), .items(answer))
        }
        let single = EarnResponse.classify(status: status, headers: headers, body: body, oauth: oauth, now: now)
        switch single {
        case .earned:
            return (.retryable(httpStatus: status, code: nil, message: "HTTP \(status) without per-customer items",
                               retryAfter: nil), nil)
        case .rejected(let status, let code, let message):
            let codes = code?.split(separator: ",").map(String.init) ?? []
            if codes.contains(tooManyCustomersCode) || ((status == 400 || status == 413) && customers > 1) {
                let said = message.isEmpty ? "HTTP \(status)" : message
                return (single, .tooLarge(message: codes.isEmpty ? said : "\(code ?? ""): \(said)"))
            }
            return (single, nil)
        default:
            return (single, nil)
        }
    }
}
