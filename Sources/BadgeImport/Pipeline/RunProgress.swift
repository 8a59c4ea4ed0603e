import Foundation
import Synchronization

/// Where a run is, for the progress line and the report's timeline: bytes read, a total to
/// count down from, and the counters sampled once a second. Written by the reader (bytes), the
/// ticker thread (samples) and the total's counter; read by the progress display.
final class RunProgress: Sendable {
    /// The parts of a running run that progress reads.
    struct Sources: Sendable {
        var recorder: RunRecorder
        var limiter: RateLimiter
        var inFlight: @Sendable () -> Int
    }

    private struct State {
        var startedAt: Double = 0
        var sources: Sources?
        var bytesRead: Int64 = 0
        var totalBytes: Int64 = 0
        var timeline = TimelineRecorder()
        /// (seconds since start, rows completed) at recent ticks, for the recent rows/s.
        var recent: [(t: Double, completed: Int)] = []
        var totalRows: Int?
        var finished = false
    }

    private let clock: Clock
    private let state = Mutex(State())

    init(clock: Clock) { self.clock = clock }

    /// The run is under way: its start, what to sample, and the bytes it will read.
    func begin(at started: Double, sources: Sources, totalBytes: Int64) {
        state.withLock {
            $0.startedAt = started
            $0.sources = sources
            $0.totalBytes = totalBytes
        }
    }

    func addBytesRead(_ bytes: Int64) { state.withLock { $0.bytesRead += bytes } }

    /// The rows to expect, once reading has ended. Until then the total is projected from the
    /// bytes read (see `snapshot`): no pass of its own over the inputs.
    func setTotalRows(_ rows: Int) {
        state.withLock { $0.totalRows = rows }
    }

    /// Starts the ticker: a sample a second for the timeline, and `everySecond` (the ledger's
    /// time-bound commit) until `stop`.
    func startTicking(everySecond: @escaping @Sendable () -> Void) {
        Thread { [self] in
            while !state.withLock({ $0.finished }) {
                tick()
                everySecond()
                clock.sleep(1)
            }
        }.start()
    }

    /// Stops the ticker and takes the last sample.
    func stop() {
        state.withLock { $0.finished = true }
        tick()
    }

    var timeline: [TimelinePoint] { state.withLock { $0.timeline.finishedPoints } }

    private func tick() {
        guard let sources = state.withLock({ $0.sources }) else { return }
        let snapshot = sources.recorder.snapshot()
        let counts = snapshot.counts
        let sample = TimelineRecorder.Counters(
            completed: counts.values.reduce(0, +), earned: counts[.earned] ?? 0,
            duplicate: counts[.duplicate] ?? 0, rejected: counts[.rejected] ?? 0, failed: counts[.failed] ?? 0,
            requests: snapshot.requestsSent, retries: snapshot.retries, throttled: snapshot.throttled,
            inFlight: sources.inFlight())
        let now = clock.now()
        state.withLock { state in
            state.timeline.tick(at: now - state.startedAt, sample)
            state.recent.append((now - state.startedAt, sample.completed))
            if state.recent.count > 11 { state.recent.removeFirst() }
        }
    }

    /// Where the run is now; cheap enough to call a few times a second.
    func snapshot() -> ProgressSnapshot {
        let now = clock.now()
        let (startedAt, sources, bytesRead, totalBytes, recent, estimate) = state.withLock { state in
            (state.startedAt, state.sources, state.bytesRead, state.totalBytes, state.recent, state.totalRows)
        }
        let counts = sources?.recorder.snapshot().counts ?? [:]
        let done = counts.values.reduce(0, +)
        // Until reading ends, rows so far scaled by the bytes still to read (compressed bytes for
        // a gzip input, whose size is known too); a stream has no size, so no total.
        let projected = done > 0 && bytesRead > 0 && totalBytes > 0
            ? Int((Double(done) * Double(totalBytes) / Double(bytesRead)).rounded()) : nil
        let totalRows = (estimate ?? projected).flatMap { $0 >= done ? $0 : nil }
        let elapsed = startedAt > 0 ? now - startedAt : 0
        var rate = elapsed > 0 ? Double(done) / elapsed : 0
        if let first = recent.first, let last = recent.last, last.t - first.t >= 2 {
            rate = Double(last.completed - first.completed) / (last.t - first.t)
        }
        return ProgressSnapshot(
            rowsDone: done, totalRows: totalRows, bytesRead: bytesRead,
            totalBytes: totalBytes > 0 ? totalBytes : nil, elapsed: elapsed, rowsPerSecond: rate,
            earned: counts[.earned] ?? 0, duplicate: counts[.duplicate] ?? 0,
            alreadyDone: counts[.alreadyDone] ?? 0, rejected: counts[.rejected] ?? 0,
            failed: counts[.failed] ?? 0, invalid: counts[.invalid] ?? 0,
            pace: sources?.limiter.statistics.pace, inFlight: sources?.inFlight() ?? 0)
    }
}
