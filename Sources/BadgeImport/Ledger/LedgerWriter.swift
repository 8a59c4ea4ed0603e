import Foundation

/// Buffers ledger entries from the pipeline's writer side and commits them `batchSize` at a
/// time in one transaction each. A killed process loses at most the un-flushed buffer: those
/// rows are sent again next run and the server answers 809 (duplicate), so nothing is lost.
/// Call `flush()` at the end of a run and when a signal asks the run to stop.
/// Thread-safe (internal lock), so a signal-handling thread may flush while workers append.
public final class LedgerWriter: @unchecked Sendable {
    public let ledger: Ledger
    public let runId: Int64
    public let batchSize: Int

    private let lock = NSLock()
    private var buffer: [LedgerEntry] = []
    private var committed = 0

    public init(ledger: Ledger, runId: Int64, batchSize: Int = 500) {
        self.ledger = ledger
        self.runId = runId
        self.batchSize = max(1, batchSize)
        buffer.reserveCapacity(self.batchSize)
    }

    /// Adds one entry; commits the buffer when it reaches `batchSize`.
    public func append(_ entry: LedgerEntry) throws(LedgerError) {
        lock.lock()
        defer { lock.unlock() }
        buffer.append(entry)
        if buffer.count >= batchSize { try commitLocked() }
    }

    /// Commits whatever is buffered.
    public func flush() throws(LedgerError) {
        lock.lock()
        defer { lock.unlock() }
        try commitLocked()
    }

    /// Entries appended but not yet committed.
    public var pendingCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return buffer.count
    }

    /// Entries committed so far by this writer.
    public var committedCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return committed
    }

    private func commitLocked() throws(LedgerError) {
        guard !buffer.isEmpty else { return }
        // On failure the buffer is kept, so a later flush can retry the same batch.
        try ledger.record(buffer, runId: runId)
        committed += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }
}
