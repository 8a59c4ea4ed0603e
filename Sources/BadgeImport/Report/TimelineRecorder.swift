/// The run's counters over time, for the charts of report.html. The engine ticks it once per
/// interval (say every second) with its cumulative counters; the recorder stores deltas.
/// A run of hours would make tens of thousands of points, so it keeps at most `maxPoints`:
/// when full it merges neighbours pairwise and from then on folds twice as many ticks into each
/// new point, so every point covers the same number of ticks (uniform resolution).
public struct TimelineRecorder: Sendable, Equatable {
    /// The engine's cumulative counters at one moment (inFlight is a gauge, not cumulative).
    public typealias Counters = RunCounters

    public let maxPoints: Int
    public private(set) var points: [TimelinePoint] = []
    /// Ticks folded into each stored point; doubles at each compaction.
    public private(set) var ticksPerPoint = 1

    private var last = Counters.zero
    private var lastT = 0.0
    private var pending: TimelinePoint?
    private var pendingTicks = 0

    /// maxPoints is raised to at least 2 (pairs must be mergeable).
    public init(maxPoints: Int = 600) {
        self.maxPoints = Swift.max(2, maxPoints)
    }

    /// Records the counters at `t` seconds since the start of the run. Ticks must come in time order;
    /// one that goes backwards (or repeats t) is folded into the current point instead of making
    /// a point of zero or negative length.
    public mutating func tick(at t: Double, _ counters: Counters) {
        let delta = TimelinePoint(t: Swift.max(t, lastT), interval: Swift.max(0, t - lastT),
                                  counts: counters.combined(with: last, gauge: { now, _ in now }, counts: -))
        last = counters
        lastT = Swift.max(t, lastT)
        pending = pending.map { Self.combine($0, delta) } ?? delta
        pendingTicks += 1
        if pendingTicks >= ticksPerPoint, let point = pending, point.interval > 0 {
            append(point)
        }
    }

    /// The points including a last, partial one still being filled; call at the end of the run
    /// after a final tick.
    public var finishedPoints: [TimelinePoint] {
        var all = points
        if let point = pending, point.interval > 0 || point.completed != 0 || point.requests != 0 {
            all.append(point)
        }
        return all
    }

    private mutating func append(_ point: TimelinePoint) {
        points.append(point)
        pending = nil
        pendingTicks = 0
        if points.count > maxPoints { compact() }
    }

    /// Merges neighbours pairwise; an odd last point stays as it is (it is the newest).
    private mutating func compact() {
        var merged: [TimelinePoint] = []
        merged.reserveCapacity(points.count / 2 + 1)
        var i = 0
        while i + 1 < points.count {
            merged.append(Self.combine(points[i], points[i + 1]))
            i += 2
        }
        if i < points.count {
            // Keep it pending so the next ticks complete it to the new resolution.
            pending = points[i]
            pendingTicks = ticksPerPoint
        }
        points = merged
        ticksPerPoint *= 2
    }

    /// Two consecutive points as one: counts add up, the gauge is the later sample.
    static func combine(_ a: TimelinePoint, _ b: TimelinePoint) -> TimelinePoint {
        TimelinePoint(t: b.t, interval: a.interval + b.interval,
                      counts: a.counts.combined(with: b.counts, gauge: { _, later in later }, counts: +))
    }
}
