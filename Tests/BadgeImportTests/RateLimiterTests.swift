import Foundation
import Testing
@testable import BadgeImport

@Suite struct RateLimiterTests {
    @Test(arguments: [
        ("1000/min", 1000.0 / 60), ("1000/m", 1000.0 / 60), ("10/s", 10.0), ("2.5/sec", 2.5), ("100 / minute", 100.0 / 60), ("7/SECOND", 7.0),
    ])
    func parsesRates(_ text: String, _ perSecond: Double) throws {
        #expect(abs(try RateSpec(parsing: text).perSecond - perSecond) < 1e-12)
    }

    @Test func parsesHourlyRatesAndUnlimitedSettings() throws {
        #expect(try RateSpec(parsing: "36000/h").perSecond == 10)
        #expect(try RateSpec.parseSetting("unlimited") == nil)
        #expect(try RateSpec.parseSetting("1000/min")?.perSecond == 1000.0 / 60)
    }

    @Test(arguments: ["", "1000", "0/s", "-5/s", "10/d", "abc/min", "1e3/s", "/s", "10/", "inf/s", "nan/s"])
    func rejectsBadRates(_ text: String) {
        #expect(throws: RateSpec.ParseError.invalid(text)) { try RateSpec(parsing: text) }
    }

    @Test func printsAsWritten() throws {
        #expect(try RateSpec(parsing: "1000/min").description == "1000/min")
        #expect(try RateSpec(parsing: "20/sec").description == "20/s")
    }

    @Test func fixedRatePacesExactlyWithoutBurst() {
        let time = VirtualClock(start: 0)
        let limiter = RateLimiter(mode: .fixed(RateSpec(perSecond: 10)), clock: time.clock)
        var grants: [Double] = []
        for _ in 0..<21 {
            limiter.acquire()
            grants.append(time.now)
        }
        #expect(grants.first == 0)
        for (earlier, later) in zip(grants, grants.dropFirst()) { #expect(abs(later - earlier - 0.1) < 1e-9) }
        // Idle time is not banked: after a pause the next slot is now, the one after a full interval on.
        time.advance(5)
        let resumed = time.now
        limiter.acquire()
        limiter.acquire()
        #expect(abs(time.now - resumed - 0.1) < 1e-9)
        #expect(time.sleeps.allSatisfy { $0 > 0 })  // it sleeps for the computed wait, it never spins
    }

    @Test func burstAllowsThatManyBackToBack() {
        let time = VirtualClock(start: 0)
        var tuning = RateLimiter.Tuning()
        tuning.burst = 3
        let limiter = RateLimiter(mode: .fixed(RateSpec(perSecond: 1)), clock: time.clock, tuning: tuning)
        time.advance(10)
        for _ in 0..<3 { limiter.acquire() }
        #expect(time.now == 10)
        limiter.acquire()
        #expect(time.now > 10)
    }

    @Test func concurrentWorkersShareTheRate() {
        // Real threads, virtual time: grants are handed out in distinct slots 1/rate apart.
        let time = VirtualClock(start: 0)
        let limiter = RateLimiter(mode: .fixed(RateSpec(perSecond: 100)), clock: time.clock)
        let group = DispatchGroup()
        for _ in 0..<8 {
            group.enter()
            Thread {
                for _ in 0..<50 { limiter.acquire() }
                group.leave()
            }.start()
        }
        #expect(group.wait(timeout: .now() + 10) == .success)
        #expect(limiter.statistics.granted == 400)
        // 400 grants at 100/s: the last slot is 3.99 s after the first; sleeps sum per thread,
        // so the virtual clock has moved at least that far.
        #expect(time.now >= 3.99 - 1e-9)
    }

    @Test func unlimitedUntilTheFirst429() {
        let time = VirtualClock(start: 0)
        let limiter = RateLimiter(mode: .adaptive(ceiling: nil), clock: time.clock)
        for _ in 0..<100 { limiter.acquire(); limiter.noteSuccess() }
        #expect(time.sleeps.isEmpty)
        #expect(limiter.statistics.pace == nil)
        time.advance(0.5)
        // A few scattered 429s (under a tenth of the recent answers) are not a limit.
        for _ in 0..<10 { limiter.noteThrottled() }
        #expect(limiter.statistics.pace == nil)
        #expect(limiter.statistics.cuts == 0)
        limiter.noteThrottled()
        limiter.noteThrottled()
        // 12 of 112 answers refused: a limit. The pace becomes what the server let through:
        // 100 answers in the last 0.5 s.
        #expect(abs((limiter.statistics.pace ?? 0) - 200) < 1e-6)
        limiter.noteThrottled()
        #expect(limiter.statistics.cuts == 1)  // a volley of 429s counts once per second
    }

    // MARK: simulation against a throttling server, in virtual time

    @Test func fixedRateMeetsTheLimitWithoutThrottling() {
        let limit = 1000.0 / 60
        for capacity in [1.0, 10, 1000] {
            let jitter = capacity == 1 ? 0 : 0.02  // a bucket of 1 cannot absorb any jitter at all
            let result = ThrottleSimulation(limiter: .fixed(RateSpec(perMinute: 1000)), server: .tokenBucket(rate: limit, capacity: capacity),
                                            jitter: jitter).run(seconds: 900, measureFrom: 60)
            #expect(abs(result.acceptedRate / limit - 1) < 0.03, "capacity \(capacity): \(result)")
            #expect(result.throttledShare < 0.01, "capacity \(capacity): \(result)")
        }
        let window = ThrottleSimulation(limiter: .fixed(RateSpec(perMinute: 1000)), server: .fixedWindow(perMinute: 1000))
            .run(seconds: 900, measureFrom: 60)
        #expect(abs(window.acceptedRate / limit - 1) < 0.03, "\(window)")
        #expect(window.throttledShare < 0.01, "\(window)")
    }

    @Test func scattered429sDoNotWearThePaceDown() {
        // No limit, 3% of answers 429 at random: the pace must not ratchet down second by second.
        let noisy = ThrottleSimulation(limiter: .adaptive(ceiling: nil), server: .scattered429(share: 0.03))
            .run(seconds: 600, measureFrom: 60)
        let clean = ThrottleSimulation(limiter: .adaptive(ceiling: nil), server: .scattered429(share: 0))
            .run(seconds: 600, measureFrom: 60)
        // Each refused request also waits out a backoff (0.25 s here), so the best possible is
        // about 139/s against 160/s clean; a pace worn down by the 429s ends far lower.
        #expect(noisy.acceptedRate > 0.75 * clean.acceptedRate, "noisy \(noisy), clean \(clean)")
    }

    @Test func adaptivePaceSettlesNearAnUnknownLimit() {
        // The issue's bar: no --rate against a server limiting to 1000/min settles within 15%.
        // The server's burst capacity is unknown to the client, so try small to a minute's worth.
        // A limit is told from scattered 429s by its share of refusals (Tuning.limitShare, 10%), so
        // the probe runs up to about that far above the limit before it is cut back: the server
        // still lets through exactly its limit, at the price of up to ~10% of requests refused.
        for (perMinute, capacity, maxShare) in [(1000.0, 10.0, 0.1), (1000, 100, 0.1), (1000, 1000, 0.1), (100, 100, 0.1), (6000, 50, 0.1)] {
            let limit = perMinute / 60
            let result = ThrottleSimulation(limiter: .adaptive(ceiling: nil), server: .tokenBucket(rate: limit, capacity: capacity), jitter: 0.02)
                .run(seconds: 1200, measureFrom: 300)
            let label = "\(perMinute)/min, capacity \(capacity): \(result)"
            #expect(abs(result.acceptedRate / limit - 1) < 0.15, "\(label)")
            #expect(abs(result.finalPace / limit - 1) < 0.25, "\(label)")
            #expect(result.throttledShare < maxShare, "\(label)")
        }
        // A per-minute window that gives no Retry-After: the rate is still found.
        let window = ThrottleSimulation(limiter: .adaptive(ceiling: nil), server: .fixedWindow(perMinute: 1000)).run(seconds: 1200, measureFrom: 300)
        #expect(abs(window.acceptedRate / (1000.0 / 60) - 1) < 0.15, "\(window)")
        // (Its pace swings with the window: a minute of refusals, then a burst. What counts is
        // that the server's quota is used, and that refusals stay a small share.)
        #expect(window.throttledShare < 0.1, "\(window)")
    }

    @Test func retryAfterPausesEveryWorker() {
        let time = VirtualClock(start: 0)
        let limiter = RateLimiter(mode: .adaptive(ceiling: nil), clock: time.clock)
        limiter.acquire()
        limiter.noteThrottled(retryAfter: 30)
        limiter.acquire()
        #expect(time.now == 30)
        // In fixed mode too, and a silly value is capped.
        let fixed = RateLimiter(mode: .fixed(RateSpec(perSecond: 100)), clock: time.clock)
        fixed.noteThrottled(retryAfter: 1e9)
        fixed.acquire()
        #expect(time.now == 330)
    }

    @Test func adaptiveWithACeilingNeverExceedsIt() {
        let result = ThrottleSimulation(limiter: .adaptive(ceiling: RateSpec(perMinute: 600)),
                                        server: .tokenBucket(rate: 1000.0 / 60, capacity: 10)).run(seconds: 600, measureFrom: 60)
        #expect(result.throttled == 0)
        #expect(abs(result.acceptedRate / 10 - 1) < 0.03, "\(result)")
    }
}

/// A discrete-event simulation of `workers` workers sharing one `RateLimiter`, each sending one
/// request at a time to a throttling server with `latency` round trips. The limiter runs on
/// virtual time: its `now` is the current event's time and its `sleep` only moves that time on.
struct ThrottleSimulation {
    enum Server {
        case tokenBucket(rate: Double, capacity: Double)
        case fixedWindow(perMinute: Int, sendsRetryAfter: Bool = false)
        /// No limit at all, but a share of answers is 429 at random (a busy node, a fault injector).
        case scattered429(share: Double)
    }

    struct Result: CustomStringConvertible {
        var accepted = 0
        var throttled = 0
        var acceptedRate = 0.0
        var throttledShare = 0.0
        var finalPace = 0.0
        var description: String {
            "accepted \(String(format: "%.3f", acceptedRate))/s, 429 share \(String(format: "%.4f", throttledShare)), final pace \(String(format: "%.3f", finalPace))/s"
        }
    }

    var limiter: RateLimiter.Mode
    var server: Server
    var workers = 8
    var latency = 0.05
    var jitter = 0.0
    var tuning = RateLimiter.Tuning()

    func run(seconds: Double, measureFrom: Double) -> Result {
        let time = SimulatedTime()
        let limiter = RateLimiter(mode: self.limiter, clock: time.clock, tuning: tuning)
        let backoff = Backoff(base: 0.5, cap: 30)
        var random = SplitMix(seed: 42)
        var serverState = ServerState(server)
        var result = Result()
        var measured = (accepted: 0, throttled: 0)

        enum Phase { case ready, arriving, answering(Bool, Double?) }
        // One pending event per worker: (time, phase, consecutive 429s).
        var events = (0..<workers).map { index in (time: Double(index) * 0.001, phase: Phase.ready, retries: 0) }
        while true {
            guard let index = events.indices.min(by: { events[$0].time < events[$1].time }) else { break }
            let event = events[index]
            guard event.time < seconds else { break }
            time.current = event.time
            switch event.phase {
            case .ready:
                limiter.acquire()  // may move `time.current` forward: that is when the request leaves
                let oneWay = latency / 2 + (random.next() - 0.5) * jitter
                events[index] = (time.current + max(0.001, oneWay), .arriving, event.retries)
            case .arriving:
                let (admitted, retryAfter) = serverState.admit(at: event.time)
                let oneWay = latency / 2 + (random.next() - 0.5) * jitter
                events[index] = (event.time + max(0.001, oneWay), .answering(admitted, retryAfter), event.retries)
            case .answering(let admitted, let retryAfter):
                let counted = event.time >= measureFrom
                if admitted {
                    limiter.noteSuccess()
                    if counted { measured.accepted += 1 }
                    result.accepted += 1
                    events[index] = (event.time, .ready, 0)
                } else {
                    limiter.noteThrottled(retryAfter: retryAfter)
                    if counted { measured.throttled += 1 }
                    result.throttled += 1
                    let wait = backoff.delay(forAttempt: event.retries, retryAfter: retryAfter, random: RandomSource { 0.5 })
                    events[index] = (event.time + wait, .ready, min(event.retries + 1, 10))
                }
            }
        }
        result.acceptedRate = Double(measured.accepted) / (seconds - measureFrom)
        result.throttledShare = Double(measured.throttled) / Double(max(1, measured.accepted + measured.throttled))
        result.finalPace = limiter.statistics.pace ?? .infinity
        return result
    }

    private struct ServerState {
        var server: Server
        var tokens: Double
        var last = 0.0
        var window = -1
        var used = 0
        var random = SplitMix(seed: 7)

        init(_ server: Server) {
            self.server = server
            if case .tokenBucket(_, let capacity) = server { tokens = capacity } else { tokens = 0 }
        }

        /// Whether the request gets through, and the Retry-After of a 429 if the server sends one.
        mutating func admit(at time: Double) -> (Bool, Double?) {
            switch server {
            case .tokenBucket(let rate, let capacity):
                tokens = min(capacity, tokens + max(0, time - last) * rate)
                last = max(last, time)
                guard tokens >= 1 - 1e-9 else { return (false, nil) }
                tokens -= 1
                return (true, nil)
            case .fixedWindow(let perMinute, let sendsRetryAfter):
                let current = Int(time / 60)
                if current != window { window = current; used = 0 }
                guard used < perMinute else { return (false, sendsRetryAfter ? Double(current + 1) * 60 - time : nil) }
                used += 1
                return (true, nil)
            case .scattered429(let share):
                return (random.next() >= share, nil)
            }
        }
    }
}

/// The simulation's clock: events set `current`; the limiter's sleeps move it forward.
final class SimulatedTime: @unchecked Sendable {
    var current = 0.0
    var clock: Clock {
        Clock(now: { self.current }, sleep: { self.current += max(0, $0) }, wallNow: { Date(timeIntervalSince1970: self.current) })
    }
}

/// A small deterministic generator for the simulation's jitter.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
