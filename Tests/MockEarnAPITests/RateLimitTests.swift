import Testing
@testable import MockEarnAPI

@Suite struct RateLimitTests {
    @Test func parsesRates() {
        #expect(RateSpec(parsing: "100/min") == RateSpec(count: 100, unit: .minute))
        #expect(RateSpec(parsing: " 20/s ") == RateSpec(count: 20, unit: .second))
        #expect(RateSpec(parsing: "0.5/sec") == RateSpec(count: 0.5, unit: .second))
        #expect(RateSpec(parsing: "1000/minute")?.perSecond == 1000.0 / 60)
        for bad in ["", "100", "/s", "0/s", "-1/s", "10/h", "ten/s", "10/s/s", "inf/s", "nan/s"] {
            #expect(RateSpec(parsing: bad) == nil, "\(bad)")
        }
        #expect(RateSpec(count: 100, unit: .minute).description == "100/min")
    }

    @Test func bucketGrantsBurstThenRefillsWithTime() {
        var bucket = TokenBucket(rate: RateSpec(count: 10, unit: .second), burst: 3)
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
        var bucket = TokenBucket(rate: RateSpec(count: 120, unit: .minute), burst: nil)
        #expect(bucket.take(now: 0) == nil)
        #expect(bucket.take(now: 0) == nil)
        let wait = bucket.take(now: 0)
        #expect(wait != nil && abs(wait! - 0.5) < 1e-9)
        #expect(bucket.take(now: 0.5) == nil)
    }

    @Test func clockGoingBackwardsGrantsNothingExtra() {
        var bucket = TokenBucket(rate: RateSpec(count: 1, unit: .second), burst: 1)
        #expect(bucket.take(now: 10) == nil)
        #expect(bucket.take(now: 5) != nil)
        #expect(bucket.take(now: 10.5) != nil)
        #expect(bucket.take(now: 11) == nil)
    }
}
