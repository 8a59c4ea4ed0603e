import Foundation
import Synchronization

/// Paces all workers of a run (one instance, shared). A token bucket in its GCRA form: each
/// `acquire` reserves the next free slot under the lock and then sleeps outside it until that
/// slot, so waiting workers neither spin nor hold the lock, and they go in arrival order.
///
/// Modes:
/// - `.fixed(rate)`: exactly `rate`, never faster; 429s are left to the sender's backoff.
/// - `.adaptive(ceiling:)`: starts at the ceiling (or unlimited without one) and learns the
///   server's limit from 429s. On a 429 the pace becomes the rate the server actually let
///   through during the last second: once its bucket is empty that *is* its refill rate, so
///   the pace lands on the limit instead of sawing between half and full like a plain
///   halve-on-429 scheme (which averages ~75% of the limit). Only 429s that are a real share
///   of recent answers (`limitShare`, at least 3 of at least `minimumSample`) cut: a limit
///   refuses everything above it, while scattered 429s (a busy node, a proxy, a fault
///   injector) would otherwise take a few percent off the pace every second until nothing
///   moves. The price: the probe may run up to that share above a limit before it is cut
///   back, so up to ~10% of requests may be refused there (the server still lets through
///   exactly its limit; `--rate` avoids both). At most one cut per `cutInterval`,
///   so a volley of 429s from requests that were already in flight counts once. After a quiet
///   `hold`, clean answers raise the pace by `probeGrowth` per second up to the ceiling, so a
///   raised limit is found again.
public final class RateLimiter: Sendable {
    public enum Mode: Sendable, Equatable {
        case fixed(RateSpec)
        case adaptive(ceiling: RateSpec?)
    }

    public struct Tuning: Sendable, Equatable {
        /// Slots that may be used at once after an idle spell. 1 is the only value that can never
        /// overrun a server bucket refilled at the same rate, whatever its capacity.
        public var burst: Double = 1
        public var cutInterval: Double = 1
        /// A cut never goes below this share of the current pace (guards against measuring a
        /// second in which every worker happened to sleep on a Retry-After).
        public var deepestCut: Double = 0.25
        /// Quiet seconds after a cut before probing upwards again, and the probe's growth per
        /// second. Chosen in the simulation (RateLimiterTests): faster probing finds a raised
        /// limit sooner but costs more 429s (hold 3 s / 2%/s: ~1.5% of requests at 1000/min;
        /// 10 s / 1%/s: ~0.7%), and the achieved rate is the same.
        public var hold: Double = 10
        public var probeGrowth: Double = 0.01
        /// Longest pause a Retry-After may impose on all workers.
        public var retryAfterCap: Double = 300
        public var minimumRate: Double = 0.05
        /// Answers needed for a rate measurement to be trusted.
        public var minimumSample = 20
        /// Share of recent answers that must be 429 for a 429 to count as a limit.
        public var limitShare = 0.1
        public init() {}
    }

    public struct Statistics: Sendable, Equatable {
        public var granted = 0
        public var throttled = 0
        public var cuts = 0
        /// Current pace in requests per second; nil while unlimited.
        public var pace: Double?
    }

    public let mode: Mode
    public let tuning: Tuning
    private let clock: Clock

    /// What the pace is and what it has seen, changed only under `state`'s lock.
    private struct State {
        var pace: Double?
        var nextSlot: Double  // GCRA's theoretical arrival time
        var lastCut = -Double.infinity
        var pausedUntil = -Double.infinity
        var lastRaise: Double
        var stats = Statistics()
        var lastSecond = AcceptanceWindow(bucketWidth: 0.1, bucketCount: 10)
        var lastMinute = AcceptanceWindow(bucketWidth: 1, bucketCount: 60)
        var refusedLastSecond = AcceptanceWindow(bucketWidth: 0.1, bucketCount: 10)
        var refusedLastMinute = AcceptanceWindow(bucketWidth: 1, bucketCount: 60)
    }
    private let state: Mutex<State>
    private let started: Double
    /// False while there is neither a pace nor a pause: then `acquire` is a counter increment
    /// and takes no lock (every worker acquires once per request). Set under the lock when a
    /// pace or a pause appears, never cleared: after that, the locked path decides.
    private let mayWait: Atomic<Bool>
    private let granted = Atomic<Int>(0)

    public init(mode: Mode, clock: Clock, tuning: Tuning = Tuning()) {
        self.mode = mode
        self.tuning = tuning
        self.clock = clock
        let pace: Double?
        switch mode {
        case .fixed(let rate): pace = rate.perSecond
        case .adaptive(let ceiling): pace = ceiling?.perSecond
        }
        started = clock.now()
        mayWait = Atomic(pace != nil)
        state = Mutex(State(pace: pace, nextSlot: started, lastRaise: started))
    }

    public var statistics: Statistics {
        state.withLock { s in
            var copy = s.stats
            copy.granted = granted.load(ordering: .relaxed)
            copy.pace = s.pace
            return copy
        }
    }

    /// Blocks the calling worker until it may send one request. The wait is slept in slices so a
    /// stopping run is not held up by a long pause; returns false (slot given up) if it stopped.
    @discardableResult
    public func acquire(shouldStop: () -> Bool = { false }) -> Bool {
        granted.add(1, ordering: .relaxed)
        guard mayWait.load(ordering: .acquiring) else { return true }
        let wait: Double = state.withLock { s in
            let now = clock.now()
            guard let pace = s.pace else { return max(0, s.pausedUntil - now) }
            let interval = 1 / pace
            let slot = max(now, s.pausedUntil, s.nextSlot - (tuning.burst - 1) * interval)
            s.nextSlot = max(s.nextSlot, slot) + interval
            return slot - now
        }
        var remaining = wait
        while remaining > 0 {
            let slice = min(remaining, 0.25)
            clock.sleep(slice)
            remaining -= slice
            if remaining > 0, shouldStop() { return false }
        }
        return true
    }

    /// The server answered 429. A Retry-After pauses every worker, not just the one that got
    /// it: the others would only collect more 429s (a per-minute window used up, say).
    public func noteThrottled(retryAfter: Double? = nil) {
        state.withLock { s in
            s.stats.throttled += 1
            if let retryAfter, retryAfter > 0, retryAfter.isFinite {
                s.pausedUntil = max(s.pausedUntil, clock.now() + min(retryAfter, tuning.retryAfterCap))
                mayWait.store(true, ordering: .releasing)
            }
            guard case .adaptive = mode else { return }
            let now = clock.now()
            s.refusedLastSecond.add(now: now)
            s.refusedLastMinute.add(now: now)
            guard now - s.lastCut >= tuning.cutInterval else { return }
            let secondSample = s.lastSecond.count(now: now) >= tuning.minimumSample
            let accepted = secondSample ? s.lastSecond.count(now: now) : s.lastMinute.count(now: now)
            let refused = secondSample ? s.refusedLastSecond.count(now: now) : s.refusedLastMinute.count(now: now)
            guard refused >= 3, accepted + refused >= tuning.minimumSample,
                  Double(refused) >= tuning.limitShare * Double(accepted + refused) else { return }
            let measured: Double
            if s.lastSecond.count(now: now) >= tuning.minimumSample {
                measured = s.lastSecond.rate(now: now, since: started)
            } else if s.lastSecond.count(now: now) > 0 {
                // Slow limits (100/min) give a handful of answers per second: look back
                // until the sample is big enough to mean something.
                measured = s.lastMinute.rate(now: now, since: started, minimumCount: tuning.minimumSample)
            } else {
                measured = s.lastMinute.rate(now: now, since: started)
            }
            let current = s.pace ?? measured
            var next = min(current, measured)
            next = max(next, current * tuning.deepestCut, tuning.minimumRate)
            if s.pace == nil { s.nextSlot = now }
            s.pace = next
            mayWait.store(true, ordering: .releasing)
            s.lastCut = now
            s.lastRaise = now
            s.stats.cuts += 1
        }
    }

    /// The server answered anything but 429 (it let the request through its limiter).
    public func noteSuccess() {
        state.withLock { s in
            let now = clock.now()
            s.lastSecond.add(now: now)
            s.lastMinute.add(now: now)
            guard case .adaptive(let ceiling) = mode, let current = s.pace else { return }
            guard now - s.lastCut >= tuning.hold else { s.lastRaise = now; return }
            let elapsed = min(now - s.lastRaise, 1)
            guard elapsed > 0 else { return }
            var next = current * (1 + tuning.probeGrowth * elapsed)
            if let ceiling { next = min(next, ceiling.perSecond) }
            s.pace = next
            s.lastRaise = now
        }
    }
}

/// Answers counted in time buckets over a sliding window: the server's recent acceptance rate.
struct AcceptanceWindow {
    private let bucketWidth: Double
    private let bucketCount: Int
    private var counts: [Int]
    private var epochs: [Int]

    init(bucketWidth: Double, bucketCount: Int) {
        self.bucketWidth = bucketWidth
        self.bucketCount = bucketCount
        counts = Array(repeating: 0, count: bucketCount)
        epochs = Array(repeating: Int.min, count: bucketCount)
    }

    mutating func add(now: Double) {
        let epoch = Int((now / bucketWidth).rounded(.down))
        let index = ((epoch % bucketCount) + bucketCount) % bucketCount
        if epochs[index] != epoch {
            epochs[index] = epoch
            counts[index] = 0
        }
        counts[index] += 1
    }

    /// Answers in the window.
    func count(now: Double) -> Int {
        let epoch = Int((now / bucketWidth).rounded(.down))
        var total = 0
        for index in 0..<bucketCount where epochs[index] > epoch - bucketCount && epochs[index] <= epoch {
            total += counts[index]
        }
        return total
    }

    /// Answers per second over the most recent buckets holding at least `minimumCount` answers
    /// and a second of time (or the whole window, or since `since`, whichever is shorter).
    func rate(now: Double, since: Double, minimumCount: Int) -> Double {
        let epoch = Int((now / bucketWidth).rounded(.down))
        var total = 0
        for back in 0..<bucketCount {
            let bucketEpoch = epoch - back
            let index = ((bucketEpoch % bucketCount) + bucketCount) % bucketCount
            if epochs[index] == bucketEpoch { total += counts[index] }
            let windowStart = Double(bucketEpoch) * bucketWidth
            if windowStart <= since { return Double(total) / max(now - since, bucketWidth) }
            if total >= minimumCount, now - windowStart >= 1 { return Double(total) / (now - windowStart) }
        }
        return rate(now: now, since: since)
    }

    /// Answers per second over the window (or since `since`, if that is more recent).
    func rate(now: Double, since: Double) -> Double {
        let epoch = Int((now / bucketWidth).rounded(.down))
        var total = 0
        for index in 0..<bucketCount where epochs[index] > epoch - bucketCount && epochs[index] <= epoch {
            total += counts[index]
        }
        let windowStart = max(Double(epoch - bucketCount + 1) * bucketWidth, since)
        let span = max(now - windowStart, bucketWidth)
        return Double(total) / span
    }
}
