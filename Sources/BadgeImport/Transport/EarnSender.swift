/// How hard to try one row.
public struct SendPolicy: Sendable {
    /// Attempts in total, the first included (an immediate resend after a token refresh is extra).
    public var maxAttempts: Int = 6
    /// Per-attempt timeout in seconds.
    public var timeout: Double = 30
    public var backoff: Backoff

    public init(maxAttempts: Int = 6, timeout: Double = 30, backoff: Backoff = Backoff()) {
        self.maxAttempts = max(1, maxAttempts)
        self.timeout = timeout
        self.backoff = backoff
    }
}

/// Hears of every attempt as it ends, inside the retry loop: the circuit breaker, which must
/// count from the first failed attempt, not from the first row that ran out of attempts (a
/// hung server with 30 s timeouts and six attempts per row took 251 s to trip a 60 s window).
public protocol AttemptObserver: Sendable {
    /// The server answered definitely (earned, duplicate, rejected): it is working.
    func noteAnswer()
    /// The attempt failed in a way worth retrying (5xx, 429, timeout, connection error).
    func noteFailure()
}

/// The fate of one row after all its attempts.
public struct SendResult: Sendable {
    /// The final outcome; a `.retryable` here means retries ran out or the run is stopping.
    public var outcome: EarnOutcome
    public var attempts: Int
    /// Status of the last attempt; nil when it got no HTTP answer.
    public var lastHTTPStatus: Int?
    /// Seconds per attempt (including waiting for a token fetch, excluding backoff and pacing).
    public var latencies: [Double]
    /// 429s seen.
    public var throttled: Int
    /// For a bulk earn, how the last answer read (its items, or "too many customers").
    public var bulk: BulkReading? = nil
}

/// The per-row retry loop of one worker, the only layer that retries (AWS guidance: retry in
/// one layer, or retries multiply). Owns the worker's client; not shared between threads, so not Sendable.
public final class EarnSender {
    public let client: EarnClient
    public let policy: SendPolicy
    private let rateLimiter: RateLimiter?
    private let observer: (any AttemptObserver)?
    private let clock: Clock
    private let random: RandomSource
    /// Backoff sleeps are cut into slices this long so a stop request is noticed mid-wait.
    private let sleepSlice = 0.25

    /// - Parameter observer: told of each attempt's outcome as it happens (the run's circuit
    ///   breaker); `shouldStop` is checked before every retry, so a breaker that opens while a
    ///   row is retrying ends that row's retries too when `shouldStop` asks it.
    public init(client: EarnClient, policy: SendPolicy, rateLimiter: RateLimiter?, observer: (any AttemptObserver)? = nil,
                clock: Clock, random: RandomSource) {
        self.client = client
        self.policy = policy
        self.rateLimiter = rateLimiter
        self.observer = observer
        self.clock = clock
        self.random = random
    }

    public func send(_ row: EarnRow, shouldStop: () -> Bool) -> SendResult {
        send(shouldStop: shouldStop) { client.send(row, timeout: policy.timeout) }
    }

    /// One bulk earn (an encoded earnBulk body for `customers` customers), retried like a row:
    /// the batch's requestId makes a resend safe (the server answers 809 per customer it has).
    public func sendBulk(_ body: [UInt8], customers: Int, shouldStop: () -> Bool) -> SendResult {
        send(shouldStop: shouldStop) { client.sendBulk(body, customers: customers, timeout: policy.timeout) }
    }

    /// The retry loop around any one-attempt closure.
    func send(shouldStop: () -> Bool, attempt makeAttempt: () -> EarnAttempt) -> SendResult {
        var result = SendResult(outcome: .retryable(httpStatus: nil, code: nil, message: "not sent", retryAfter: nil),
                                attempts: 0, lastHTTPStatus: nil, latencies: [], throttled: 0)
        var retries = 0
        var refreshedToken = false
        while true {
            if let rateLimiter, !rateLimiter.acquire(shouldStop: shouldStop) {
                if result.attempts == 0 {
                    result.outcome = .retryable(httpStatus: nil, code: nil, message: "the run stopped before the row was sent", retryAfter: nil)
                }
                return result
            }
            let started = clock.now()
            let attempt = makeAttempt()
            result.latencies.append(max(0, clock.now() - started))
            result.attempts += 1
            result.lastHTTPStatus = attempt.httpStatus
            result.outcome = attempt.outcome
            result.bulk = attempt.bulk

            switch attempt.outcome {
            case .earned, .duplicate, .rejected:
                rateLimiter?.noteSuccess()
                observer?.noteAnswer()
                return result
            case .fatal:
                return result
            case .authExpired(let status):
                rateLimiter?.noteSuccess()
                if refreshedToken {
                    result.outcome = .fatal(httpStatus: status, message: "HTTP \(status): the token was refused again right after a refresh")
                    return result
                }
                // Refresh once and resend at once: no backoff, the server is fine, our token is not.
                refreshedToken = true
                client.invalidate(token: attempt.token)
                continue
            case .retryable(let status, _, _, let retryAfter):
                refreshedToken = false
                observer?.noteFailure()
                if status == 429 {
                    result.throttled += 1
                    rateLimiter?.noteThrottled(retryAfter: retryAfter)
                } else if status != nil {
                    rateLimiter?.noteSuccess()
                }
                guard result.attempts < policy.maxAttempts, !shouldStop() else { return result }
                let delay = policy.backoff.delay(forAttempt: retries, retryAfter: retryAfter, random: random)
                retries += 1
                if !sleep(delay, shouldStop: shouldStop) { return result }
            }
        }
    }

    /// Sleeps in slices; false if the run started stopping meanwhile.
    private func sleep(_ seconds: Double, shouldStop: () -> Bool) -> Bool {
        var remaining = seconds
        while remaining > 0 {
            let slice = min(remaining, sleepSlice)
            clock.sleep(slice)
            remaining -= slice
            if remaining > 0, shouldStop() { return false }
        }
        return true
    }
}
