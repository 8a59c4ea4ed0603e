/// What the mock has seen and done, by outcome: the body of `GET /__stats` and the value of
/// `MockEarnServer.stats()`. Each earn request lands in exactly one outcome counter
/// (earned, bulkAnswered, duplicate809, rejectedRequests, fiveXXBefore, fiveHundredAfterCommit,
/// droppedAfterCommit, throttled429, rateLimited429, unauthorized); `slow` counts the answers
/// that were also delayed by `slowMs`.
public struct MockStats: Sendable, Codable, Equatable {
    /// Earn requests received (POST to the earn path, complete bodies).
    public var requests: Int = 0
    /// Answered 200 with a new earn.
    public var earned: Int = 0
    /// Answered 809: requestId already accepted.
    public var duplicate809: Int = 0
    /// Requests answered with error codes other than 809 (one per request).
    public var rejectedRequests: Int = 0
    /// Error codes in those answers, by code (a request with three validation errors counts three).
    public var rejected: [String: Int] = [:]
    public var fiveXXBefore: Int = 0
    /// Committed, then answered 500.
    public var fiveHundredAfterCommit: Int = 0
    /// Committed, then the connection was closed without an answer.
    public var droppedAfterCommit: Int = 0
    /// Answered 429 by the random throttle fault.
    public var throttled429: Int = 0
    /// Answered 429 by the rate limit.
    public var rateLimited429: Int = 0
    /// Answered 401 (bad, missing or expired credentials).
    public var unauthorized: Int = 0
    /// Answers delayed by the slow fault.
    public var slow: Int = 0
    /// OAuth tokens handed out.
    public var tokensIssued: Int = 0
    /// Earns the mock holds (earned + 500AfterCommit + droppedAfterCommit).
    public var committedEarns: Int = 0
    /// Natural keys (badge, customer, ownerType, referenceId, event instant in UTC ms) earned
    /// more than once under different requestIds: must stay 0 for a correct client.
    public var doubleEarns: Int = 0
    /// The most earn requests the mock was handling at once (received, not yet answered):
    /// how a test proves a client really keeps N requests in flight.
    public var maxInFlight: Int = 0
    /// Badge definition reads (`GET .../badgeMeta/{id}`) and customer badge reads
    /// (`GET .../customer/{id}`), whatever their answer; never counted in `requests`.
    public var badgeReads: Int = 0
    public var customerReads: Int = 0
    /// Bulk earn requests received (also counted in `requests`); a bulk request answered with
    /// its items lands in `bulkAnswered`, its other outcomes in the counters above.
    public var bulkRequests: Int = 0
    public var bulkAnswered: Int = 0
    /// Customers of bulk requests by their item: earned, 809 (already earned under that
    /// requestId), or refused by a rule.
    public var bulkItemsEarned: Int = 0
    public var bulkItems809: Int = 0
    public var bulkItemsRejected: Int = 0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case requests, earned, duplicate809, rejectedRequests, rejected
        case fiveXXBefore = "5xxBefore"
        case fiveHundredAfterCommit = "500AfterCommit"
        case droppedAfterCommit, throttled429, rateLimited429, unauthorized, slow, tokensIssued
        case committedEarns, doubleEarns, maxInFlight, badgeReads, customerReads
        case bulkRequests, bulkAnswered, bulkItemsEarned, bulkItems809, bulkItemsRejected
    }
}
