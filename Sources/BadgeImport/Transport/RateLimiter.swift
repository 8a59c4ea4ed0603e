import Foundation

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
///   halve-on-429 scheme (which averages ~75% of the limit). At most one cut per `cutInterval`,
///   so a volley of 429s from requests that were already in flight counts once. After a quiet
///   `hold`, clean answers raise the pace by `probeGrowth` per second up to the ceiling, so a
///   raised limit is found again.
public final class RateLimiter: @unchecked Sendable {
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
        public var hold: Double = 3
        public var probeGrowth: Double = 0.02
        public var minimumRate: Double = 0.05
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
    private let lock = NSLock()

    private var pace: Double?
    private var nextSlot: Double  // GCRA's theoretical arrival time
    private var lastCut = -Double.infinity
    private var lastRaise: Double
    private var stats = Statistics()
    private var accepted = AcceptanceWindow()
    private let started: Double

    public init(mode: Mode, clock: Clock, tuning: Tuning = Tuning()) {
        self.mode = mode
        self.tuning = tuning
        self.clock = clock
        switch mode {
        case .fixed(let rate): pace = rate.perSecond
        case .adaptive(let ceiling): pace = ceiling?.perSecond
        }
        started = clock.now()
        nextSlot = started
        lastRaise = started
    }

    public var statistics: Statistics {
        lock.withLock {
            var copy = stats
            copy.pace = pace
            return copy
        }
    }

    /// Blocks the calling worker until it may send one request.
    public func acquire() {
        let wait: Double = lock.withLock {
            let now = clock.now()
            stats.granted += 1
            guard let pace else { return 0 }
            let interval = 1 / pace
            let slot = max(now, nextSlot - (tuning.burst - 1) * interval)
            nextSlot = max(nextSlot, slot) + interval
            return slot - now
        }
        if wait > 0 { clock.sleep(wait) }
    }

    /// The server answered 429.
    public func noteThrottled() {
        lock.withLock {
            stats.throttled += 1
            guard case .adaptive = mode else { return }
            let now = clock.now()
            guard now - lastCut >= tuning.cutInterval else { return }
            let measured = accepted.rate(now: now, since: started)
            let current = pace ?? measured
            var next = min(current, measured)
            next = max(next, current * tuning.deepestCut, tuning.minimumRate)
            if pace == nil { nextSlot = now }
            pace = next
            lastCut = now
            lastRaise = now
            stats.cuts += 1
        }
    }

    /// The server answered anything but 429 (it let the request through its limiter).
    public func noteSuccess() {
        lock.withLock {
            let now = clock.now()
            accepted.add(now: now)
            guard case .adaptive(let ceiling) = mode, let current = pace else { return }
            guard now - lastCut >= tuning.hold else { lastRaise = now; return }
            let elapsed = min(now - lastRaise, 1)
            guard elapsed > 0 else { return }
            var next = current * (1 + tuning.probeGrowth * elapsed)
            if let ceiling { next = min(next, ceiling.perSecond) }
            pace = next
            lastRaise = now
        }
    }
}

/// Answers counted in 0.1 s buckets over the last second: the server's recent acceptance rate.
struct AcceptanceWindow {
    private static let bucketWidth = 0.1
    private static let bucketCount = 10
    private var counts = [Int](repeating: 0, count: bucketCount)
    private var epochs = [Int](repeating: Int.min, count: bucketCount)

    mutating func add(now: Double) {
        let epoch = Int((now / Self.bucketWidth).rounded(.down))
        let index = ((epoch % Self.bucketCount) + Self.bucketCount) % Self.bucketCount
        if epochs[index] != epoch {
            epochs[index] = epoch
            counts[index] = 0
        }
        counts[index] += 1
    }

    /// Answers per second over the last full second (or since `since`, if that is more recent).
    func rate(now: Double, since: Double) -> Double {
        let epoch = Int((now / Self.bucketWidth).rounded(.down))
        var total = 0
        for index in 0..<Self.bucketCount where epochs[index] > epoch - Self.bucketCount && epochs[index] <= epoch {
            total += counts[index]
        }
        let windowStart = max(Double(epoch - Self.bucketCount + 1) * Self.bucketWidth, since)
        let span = max(now - windowStart, Self.bucketWidth)
        return Double(total) / span
    }
}
