/// Full-jitter exponential backoff (AWS architecture blog): `random(0, min(cap, base * 2^attempt))`,
/// with the server's Retry-After as a floor, itself capped so a silly header cannot park a worker.
public struct Backoff: Sendable, Equatable {
    public var base: Double
    public var cap: Double
    public var retryAfterCap: Double

    public init(base: Double = 0.5, cap: Double = 30, retryAfterCap: Double = 300) {
        self.base = base
        self.cap = cap
        self.retryAfterCap = retryAfterCap
    }

    /// Seconds to wait before the next try. `attempt` is 0 before the first retry, 1 before the second...
    public func delay(forAttempt attempt: Int, retryAfter: Double? = nil, random: RandomSource = .system) -> Double {
        let exponent = Double(min(max(attempt, 0), 62))
        let ceiling = max(0, min(cap, base * Double.pow2(exponent)))
        let jitter = ceiling * min(max(random.next(), 0), 1)
        guard let retryAfter, retryAfter.isFinite else { return jitter }
        return max(min(max(retryAfter, 0), retryAfterCap), jitter)
    }
}

private extension Double {
    static func pow2(_ exponent: Double) -> Double { Double(sign: .plus, exponent: Int(exponent), significand: 1) }
}
