/// What the server handed back for a successful earn.
public struct EarnReceipt: Sendable, Equatable {
    public var earnedBadgeId: String?
    public var issuedId: String?
    /// Epoch seconds with a fraction (the docs' prose says milliseconds; the examples are seconds).
    public var expiresOn: Double?
    public var warnings: [String]

    public init(earnedBadgeId: String? = nil, issuedId: String? = nil, expiresOn: Double? = nil, warnings: [String] = []) {
        self.earnedBadgeId = earnedBadgeId
        self.issuedId = issuedId
        self.expiresOn = expiresOn
        self.warnings = warnings
    }
}

/// The reading of one earn attempt: what the row's fate is and whether to try again.
public enum EarnOutcome: Sendable, Equatable {
    case earned(EarnReceipt)
    /// 809 in errors[], whatever the HTTP status: this requestId was accepted before.
    case duplicate(message: String)
    /// Permanent for this run: 811, 810, 815, 750, 812, 804, 716, other codes, other 4xx.
    case rejected(httpStatus: Int, code: String?, message: String)
    /// Transient: 429, 5xx, timeout, connection error. `retryAfter` in seconds when the server said.
    case retryable(httpStatus: Int?, code: String?, message: String, retryAfter: Double?)
    /// 498, or 401 under OAuth: refresh the token once and resend.
    case authExpired(httpStatus: Int)
    /// 401 (basic) / 403 / configuration errors: every row would fail, stop the run.
    case fatal(httpStatus: Int, message: String)

}
