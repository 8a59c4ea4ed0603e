import Foundation
import Testing
@testable import BadgeImport

@Suite struct BackoffTests {
    @Test func fullJitterGrowsAndCaps() {
        let backoff = Backoff(base: 0.5, cap: 8, retryAfterCap: 60)
        let top = fixedRandom([0.999_999_999])
        #expect(abs(backoff.delay(forAttempt: 0, random: top) - 0.5) < 1e-6)
        #expect(abs(backoff.delay(forAttempt: 1, random: top) - 1) < 1e-6)
        #expect(abs(backoff.delay(forAttempt: 3, random: top) - 4) < 1e-6)
        #expect(abs(backoff.delay(forAttempt: 4, random: top) - 8) < 1e-6)
        #expect(abs(backoff.delay(forAttempt: 400, random: top) - 8) < 1e-6)
        #expect(backoff.delay(forAttempt: 3, random: fixedRandom([0.25])) == 1)
        #expect(backoff.delay(forAttempt: 5, random: fixedRandom([0])) == 0)
    }

    @Test func retryAfterIsAFloorWithItsOwnCap() {
        let backoff = Backoff(base: 1, cap: 30, retryAfterCap: 60)
        #expect(backoff.delay(forAttempt: 0, retryAfter: 7, random: fixedRandom([0.5])) == 7)
        #expect(backoff.delay(forAttempt: 4, retryAfter: 2, random: fixedRandom([0.5])) == 8)  // jitter 16*0.5 wins
        #expect(backoff.delay(forAttempt: 0, retryAfter: 3600, random: fixedRandom([0.5])) == 60)
        #expect(backoff.delay(forAttempt: 0, retryAfter: -3, random: fixedRandom([0.5])) == 0.5)
    }

    @Test func retryAfterDeltaSeconds() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(RetryAfter.seconds(from: "120", now: now) == 120)
        #expect(RetryAfter.seconds(from: " 0 ", now: now) == 0)
        #expect(RetryAfter.seconds(from: "-5", now: now) == 0)
        #expect(RetryAfter.seconds(from: "1.5", now: now) == 1.5)
        #expect(RetryAfter.seconds(from: "99999999", now: now, cap: 3600) == 3600)
        #expect(RetryAfter.seconds(from: "soon", now: now) == nil)
        #expect(RetryAfter.seconds(from: "", now: now) == nil)
    }

    @Test func retryAfterHTTPDatesInAllThreeForms() {
        let now = Date(timeIntervalSince1970: 784_111_747)  // Sun, 06 Nov 1994 08:49:07 GMT
        #expect(RetryAfter.seconds(from: "Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 30)
        #expect(RetryAfter.seconds(from: "Sunday, 06-Nov-94 08:49:37 GMT", now: now) == 30)
        #expect(RetryAfter.seconds(from: "Sun Nov  6 08:49:37 1994", now: now) == 30)
        #expect(RetryAfter.seconds(from: "Sun, 06 Nov 1994 08:00:00 GMT", now: now) == 0)  // in the past
        #expect(RetryAfter.seconds(from: "Sun, 06 Nov 2094 08:49:37 GMT", now: now, cap: 300) == 300)
        #expect(RetryAfter.seconds(from: "Sun, 32 Nov 1994 08:49:37 GMT", now: now) == nil)
        #expect(RetryAfter.seconds(from: "Sun, 06 Foo 1994 08:49:37 GMT", now: now) == nil)
        #expect(RetryAfter.httpDate("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(RetryAfter.httpDate("Tue, 29 Feb 2028 12:00:00 GMT") == 1_835_438_400)
    }
}
