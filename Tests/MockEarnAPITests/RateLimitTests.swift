import Testing
@testable import MockEarnAPI

@Suite struct RateLimitTests {
    @Test func parsesRates() {
        #expect(MockRateLimit(parsing: "100/min") == MockRateLimit(count: 100, unit: .minute))
        #expect(MockRateLimit(parsing: " 20/s ") == MockRateLimit(count: 20, unit: .second))
        #expect(MockRateLimit(parsing: "0.5/sec") == MockRateLimit(count: 0.5, unit: .second))
        #expect(MockRateLimit(parsing: "1000/minute")?.perSecond == 1000.0 / 60)
        for bad in ["", "100", "/s", "0/s", "-1/s", "10/h", "ten/s", "10/s/s", "inf/s", "nan/s"] {
            #expect(MockRateLimit(parsing: bad) == nil, "\(bad)")
        }
        #expect(MockRateLimit(count: 100, unit: .minute).description == "100/min")
    }

    @Test func bucketGrantsBurstThenRefillsWithTime() {
        var bucket = TokenBucket(rate: MockRateLimit(count: 10, unit: .second), burst: 3)
        let t0 = 50.0
        #expect(bucket.take(now: t0) == nil)
        #expect(bucket.take(now: t0) == nil)
        #expect(bucket.take(now: t0) == nil)
        let wait = bucket.take(now: t0)
        #expect(wait != nil && abs(wait! - 0.1) < 1e-9)
        #expect(bucket.take(now: t0 + 0.05) != nil)  // half a token refilled
        #expect(bucket.take(now: t0 + 0.1) == nil)
        #expect(bucket.take(now: t0 + 0.1) != nil)
        // A long pause refills only up to the burst.
        for _ in 0..<3 { #expect(bucket.take(now: t0 + 100) == nil) }
        #expect(bucket.take(now: t0 + 100) != nil)
    }

    @Test func perMinuteDefaultBurstIsOneSecondsWorth() {
        var bucket = TokenBucket(rate: MockRateLimit(count: 120, unit: .minute), burst: nil)
        #expect(bucket.take(now: 0) == nil)
        #expect(bucket.take(now: 0) == nil)
        let wait = bucket.take(now: 0)
        #expect(wait != nil && abs(wait! - 0.5) < 1e-9)
        #expect(bucket.take(now: 0.5) == nil)
    }

    @Test func clockGoingBackwardsGrantsNothingExtra() {
        var bucket = TokenBucket(rate: MockRateLimit(count: 1, unit: .second), burst: 1)
        #expect(bucket.take(now: 10) == nil)
        #expect(bucket.take(now: 5) != nil)
        #expect(bucket.take(now: 10.5) != nil)
        #expect(bucket.take(now: 11) == nil)
    }
}
