/// The mock's real rate limit: a token bucket that refills `rate` tokens per second up to
/// `burst`, one token per request. Time comes from the caller (the injected clock), so tests
/// step through it without sleeping. Not thread-safe: the server holds it under its lock.
struct TokenBucket {
    let ratePerSecond: Double
    let burst: Double
    private var tokens: Double
    private var last: Double?

    init(rate: MockRateLimit, burst: Int?) {
        ratePerSecond = rate.perSecond
        // Default burst: one second's worth (at least one request), so `100/min` does not let
        // a client fire 100 requests at once and `1000/s` is not throttled by jitter.
        self.burst = Double(max(1, burst ?? Int(rate.perSecond.rounded(.up))))
        tokens = self.burst
    }

    /// Takes a token at `now` (seconds, monotonic): nil if granted, else the seconds until
    /// one will be available (the basis of `Retry-After`).
    mutating func take(now: Double) -> Double? {
        if let last {
            if now > last {
                tokens = min(burst, tokens + (now - last) * ratePerSecond)
                self.last = now
            }
        } else {
            last = now
        }
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / ratePerSecond
    }
}
