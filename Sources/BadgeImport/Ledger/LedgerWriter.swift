import Foundation
import Synchronization

/// Buffers ledger entries from the pipeline's writer side and commits them in one transaction
/// per batch: when `batchSize` entries are waiting, or when the oldest has waited `maxDelay`
/// seconds (a paced run of 10 rows/s would otherwise keep 50 s of outcomes in memory only).
/// A killed process loses at most the un-committed buffer: those rows are sent again next run
/// and the server answers 809 (duplicate), so nothing is lost.
/// Call `flush()` at the end of a run and when a signal asks the run to stop, and
/// `commitIfDue()` now and then from a timer so a stalled run still commits.
///
/// Thread-safe, so a signal-handling thread may flush while workers append. A full batch is
/// taken out of the buffer under the lock and committed after releasing it (commits are
/// serialised by their own lock): 32 workers append a row every couple of milliseconds, and a
/// 500-row transaction held under the append lock stalled all of them (measured: 32k rows/s
/// with the commit outside, 22k to 25k inside).
public final class LedgerWriter: Sendable {
    public let ledger: Ledger
    public let runId: Int64
    public let batchSize: Int
    /// Seconds an entry may wait in the buffer before the next append or `commitIfDue` commits it.
    public let maxDelay: Double
    private let clock: Clock

    private struct Buffer {
        var entries: [LedgerEntry] = []
        /// Batch intents to close once the entries before them are committed (same transaction).
        var closings: [String] = []
        /// `clock.now()` when the oldest buffered entry arrived.
        var oldestAt: Double = 0
        /// Entries committed so far by this writer (what a message about a failed write reports).
        var committed = 0
    }
    private let buffer = Mutex(Buffer())
    /// Serialises commits, which run outside `buffer`'s lock.
    private let commitLock = Mutex(())

    public init(ledger: Ledger, runId: Int64, batchSize: Int = 500, maxDelay: Double = 1, clock: Clock = .system) {
        self.ledger = ledger
        self.runId = runId
        self.batchSize = max(1, batchSize)
        self.maxDelay = maxDelay
        self.clock = clock
        buffer.withLock { $0.entries.reserveCapacity(self.batchSize) }
    }

    /// Adds one entry; commits the buffer when it is full or its oldest entry is due.
    public func append(_ entry: LedgerEntry) throws(LedgerError) {
        try append([entry], closing: nil)
    }

    /// Adds a batch's entries together, and the batch intent they settle: both land in one
    /// transaction, so an intent is never closed on disk without its rows' outcomes.
    public func append(_ entries: [LedgerEntry], closing intent: String?) throws(LedgerError) {
        let now = clock.now()
        let batch = buffer.withLock { state -> Batch in
            if state.entries.isEmpty && state.closings.isEmpty { state.oldestAt = now }
            state.entries.append(contentsOf: entries)
            if let intent { state.closings.append(intent) }
            let due = state.entries.count >= batchSize || now - state.oldestAt >= maxDelay
            return due ? take(&state) : Batch()
        }
        try commit(batch)
    }

    /// Commits the buffer when its oldest entry has waited `maxDelay`.
    public func commitIfDue() throws(LedgerError) {
        let now = clock.now()
        let batch = buffer.withLock { state -> Batch in
            !(state.entries.isEmpty && state.closings.isEmpty) && now - state.oldestAt >= maxDelay ? take(&state) : Batch()
        }
        try commit(batch)
    }

    /// Commits whatever is buffered.
    public func flush() throws(LedgerError) {
        try commit(buffer.withLock { take(&$0) })
    }

    /// Entries this writer has committed, and entries handed to it that are not committed.
    public var counts: (committed: Int, pending: Int) {
        buffer.withLock { ($0.committed, $0.entries.count) }
    }

    private struct Batch {
        var entries: [LedgerEntry] = []
        var closings: [String] = []
    }

    private func take(_ state: inout Buffer) -> Batch {
        let batch = Batch(entries: state.entries, closings: state.closings)
        state.entries = []
        state.closings = []
        state.entries.reserveCapacity(batchSize)
        return batch
    }

    private func commit(_ batch: Batch) throws(LedgerError) {
        guard !batch.entries.isEmpty || !batch.closings.isEmpty else { return }
        try commitLock.withLock { _ throws(LedgerError) in
            do throws(LedgerError) {
                try ledger.record(batch.entries, closing: batch.closings, runId: runId)
            } catch {
                // The batch goes back in front of the buffer, so a later flush retries it.
                buffer.withLock { state in
                    if state.entries.isEmpty { state.oldestAt = clock.now() }
                    state.entries.insert(contentsOf: batch.entries, at: 0)
                    state.closings.insert(contentsOf: batch.closings, at: 0)
                }
                throw error
            }
            buffer.withLock { $0.committed += batch.entries.count }
        }
    }
}
