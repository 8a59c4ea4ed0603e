import Foundation
import Testing
@testable import BadgeImport

@Suite struct ClientSenderTests {
    private func sender(_ steps: [ScriptedTransport.Step], auth: EarnAuth = .none, maxAttempts: Int = 6,
                        limiter: RateLimiter? = nil, time: VirtualClock, random: [Double] = [0.5]) -> (EarnSender, ScriptedTransport) {
        let transport = ScriptedTransport(steps)
        transport.onSend = { _ in time.advance(0.05) }  // each attempt takes 50 ms of virtual time
        let client = EarnClient(baseURL: "https://api.example", auth: auth, transport: transport, wallNow: time.clock.wallNow)
        let policy = SendPolicy(maxAttempts: maxAttempts, timeout: 10, backoff: Backoff(base: 1, cap: 30, retryAfterCap: 120))
        return (EarnSender(client: client, policy: policy, rateLimiter: limiter, clock: time.clock, random: fixedRandom(random)), transport)
    }

    private func total(_ sleeps: [Double]) -> Double { sleeps.reduce(0, +) }

    @Test func retriesTransientErrorsWithJitteredBackoff() {
        let time = VirtualClock()
        let (sender, transport) = sender([ScriptedTransport.json(503, "<html>busy</html>"), .fail(.timeout),
                                          .fail(.connection("reset")), ScriptedTransport.json(200, earnedBody)], time: time)
        let result = sender.send(sampleRow(), shouldStop: { false })
        guard case .earned(let receipt) = result.outcome else { Issue.record("got \(result.outcome)"); return }
        #expect(receipt.earnedBadgeId == "66da90618bdb494a4f065774")
        #expect(result.attempts == 4)
        #expect(transport.requests.count == 4)
        #expect(result.lastHTTPStatus == 200)
        #expect(result.latencies.count == 4)
        #expect(result.latencies.allSatisfy { abs($0 - 0.05) < 1e-9 })
        // random 0.5 of min(30, 1 * 2^n): 0.5, 1, 2 seconds.
        #expect(abs(total(time.sleeps) - 3.5) < 1e-9)
        // Every attempt sends the same body: the same requestId makes a resend safe.
        #expect(Set(transport.requests.map(\.body)).count == 1)
    }

    @Test func givesUpAfterMaxAttempts() {
        let time = VirtualClock()
        let (sender, transport) = sender([ScriptedTransport.json(502, "bad gateway")], maxAttempts: 4, time: time)
        let result = sender.send(sampleRow(), shouldStop: { false })
        guard case .retryable(502, nil, _, nil) = result.outcome else { Issue.record("got \(result.outcome)"); return }
        #expect(result.attempts == 4)
        #expect(transport.requests.count == 4)
        #expect(abs(total(time.sleeps) - (0.5 + 1 + 2)) < 1e-9)  // three waits between four attempts
    }

    @Test func retryAfterIsAFloorAndTheLimiterHearsOfThe429() {
        let time = VirtualClock()
        let limiter = RateLimiter(mode: .fixed(RateSpec(perSecond: 1000)), clock: time.clock)
        let (sender, _) = sender([ScriptedTransport.json(429, "", headers: ["retry-after": "7"]), ScriptedTransport.json(200, earnedBody)],
                                 limiter: limiter, time: time)
        let started = time.now
        let result = sender.send(sampleRow(), shouldStop: { false })
        guard case .earned = result.outcome else { Issue.record("got \(result.outcome)"); return }
        #expect(result.throttled == 1)
        #expect(result.attempts == 2)
        #expect(limiter.statistics.throttled == 1)
        #expect(limiter.statistics.granted == 2)
        #expect(time.now - started >= 7 + 0.1 - 1e-9)  // waited the server's 7 s, plus two 50 ms attempts
        #expect(time.sleeps.allSatisfy { $0 <= 7 + 1e-9 })
    }

    @Test func aStoppingRunDoesNotWaitOutBackoff() {
        let time = VirtualClock()
        let (stopped, _) = sender([ScriptedTransport.json(503, "")], time: time)
        let result = stopped.send(sampleRow(), shouldStop: { true })
        guard case .retryable(503, _, _, _) = result.outcome else { Issue.record("got \(result.outcome)"); return }
        #expect(result.attempts == 1)
        #expect(time.sleeps.isEmpty)

        // A stop requested in the middle of a long Retry-After ends the wait at the next slice.
        let later = VirtualClock()
        let (sender, _) = sender([ScriptedTransport.json(429, "", headers: ["retry-after": "60"])], time: later)
        let checks = ValueQueue([0, 0, 1])  // false, false, then true from the third check on
        let stopping = sender.send(sampleRow(), shouldStop: { checks.next() == 1 })
        #expect(stopping.attempts == 1)
        #expect(total(later.sleeps) < 1)
    }

    @Test func aStoppingRunDoesNotWaitForARateLimiterPause() {
        let time = VirtualClock()
        let limiter = RateLimiter(mode: .fixed(RateSpec(perSecond: 10)), clock: time.clock)
        limiter.noteThrottled(retryAfter: 120)  // every worker is paused for two minutes
        let (sender, transport) = sender([ScriptedTransport.json(200, earnedBody)], limiter: limiter, time: time)
        let result = sender.send(sampleRow(), shouldStop: { time.now > 1_002 })
        #expect(result.attempts == 0)
        #expect(transport.requests.isEmpty)
        #expect(result.outcome == .retryable(httpStatus: nil, code: nil, message: "the run stopped before the row was sent", retryAfter: nil))
        #expect(time.now < 1_003)
    }

    @Test func unauthorizedWithBasicStopsAtOnce() {
        let time = VirtualClock()
        let (sender, transport) = sender([ScriptedTransport.json(401, "")], auth: .basic(BasicCredentials(username: "u", password: "p")), time: time)
        let result = sender.send(sampleRow(), shouldStop: { false })
        guard case .fatal(401, _) = result.outcome else { Issue.record("got \(result.outcome)"); return }
        #expect(result.attempts == 1)
        #expect(transport.requests.count == 1)
        #expect(time.sleeps.isEmpty)
    }

    @Test func permanentAnswersAreNotRetried() {
        for (step, expected) in [
            (ScriptedTransport.json(400, errorBody(809, "dup")), EarnOutcome.duplicate(message: "dup")),
            (ScriptedTransport.json(409, errorBody(811, "not issued")), EarnOutcome.rejected(httpStatus: 409, code: "811", message: "not issued")),
        ] {
            let time = VirtualClock()
            let (sender, _) = sender([step], time: time)
            let result = sender.send(sampleRow(), shouldStop: { false })
            #expect(result.outcome == expected)
            #expect(result.attempts == 1)
            #expect(time.sleeps.isEmpty)
        }
    }

    @Test func expiredTokenIsRefreshedOnceAndResentImmediately() throws {
        let time = VirtualClock()
        let tokens = ScriptedTransport([
            ScriptedTransport.json(200, "{\"data\":{\"accessToken\":\"old\",\"ttlSeconds\":3600},\"errors\":null}"),
            ScriptedTransport.json(200, "{\"data\":{\"accessToken\":\"new\",\"ttlSeconds\":3600},\"errors\":null}"),
        ])
        let provider = OAuthTokenProvider(baseURL: "https://api.example", credentials: OAuthCredentials(key: "k", secret: "s"),
                                          transport: tokens, clock: time.clock)
        let (sender, transport) = sender([ScriptedTransport.json(498, ""), ScriptedTransport.json(200, earnedBody)],
                                         auth: .oauth(provider), time: time)
        let result = sender.send(sampleRow(), shouldStop: { false })
        guard case .earned = result.outcome else { Issue.record("got \(result.outcome)"); return }
        #expect(result.attempts == 2)
        #expect(time.sleeps.isEmpty)
        #expect(provider.fetchCount == 2)
        let sentTokens = transport.requests.compactMap { $0.headers.first(where: { $0.name == "X-CAP-API-OAUTH-TOKEN" })?.value }
        #expect(sentTokens == ["old", "new"])
    }

    @Test func aSecondAuthFailureInARowIsFatal() {
        let time = VirtualClock()
        let provider = OAuthTokenProvider(baseURL: "https://api.example", credentials: OAuthCredentials(key: "k", secret: "s"),
                                          transport: ScriptedTransport([ScriptedTransport.json(200, "{\"data\":{\"accessToken\":\"t\",\"ttlSeconds\":60}}")]),
                                          clock: time.clock)
        let (sender, transport) = sender([ScriptedTransport.json(401, "")], auth: .oauth(provider), time: time)
        let result = sender.send(sampleRow(), shouldStop: { false })
        guard case .fatal(401, _) = result.outcome else { Issue.record("got \(result.outcome)"); return }
        #expect(result.attempts == 2)
        #expect(transport.requests.count == 2)
    }

    @Test func configurationErrorsAreFatalWithoutRetry() {
        let time = VirtualClock()
        let (sender, _) = sender([.fail(.setup("problem with the local SSL certificate"))], time: time)
        let result = sender.send(sampleRow(), shouldStop: { false })
        guard case .fatal(0, _) = result.outcome else { Issue.record("got \(result.outcome)"); return }
        #expect(result.attempts == 1)
        #expect(result.lastHTTPStatus == nil)
    }
}
