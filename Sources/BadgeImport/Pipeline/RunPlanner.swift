import Digest
import Foundation
import Logging

/// The reading half of a run: which inputs to read (content hashes against the ledger's fully
/// processed files), then, row by row, what becomes of each record before any request: invalid,
/// a repeat within the input, already done in the ledger, left out by `--skip-rejected`, only
/// planned (`--dry-run`), or a job for the workers.
///
/// Runs on the caller's thread; the workers only ever see the jobs it hands over.
final class RunPlanner {
    /// One input as the run sees it.
    struct Input {
        var file: InputFile
        /// Lower-case hex; empty until the input has been read whole (or hashed beforehand).
        var sha256: String
        var bytes: Int64
        var columns: [String]
        /// The ledger has these exact bytes as fully processed: not read again.
        var alreadyProcessed: Bool
    }

    /// How reading went, input by input (keyed by display name).
    struct Reading {
        /// Read to the end, unchanged, without the run stopping.
        var fullyRead: Set<String> = []
        /// Not read to the end, or changed while read: the line reached and the reason.
        var problems: [String: String] = [:]
        var changed: Set<String> = []
        /// A ledger lookup failed: nobody can tell which rows are done, so the run stops.
        var ledgerFailure: LedgerError?
        /// `--dry-run --bulk`: the requests the rows to send would take, with and without bulk.
        var bulkPreview: BulkPreview?
        /// Records this run has a result line for: recorded here or handed over to be sent.
        var records = 0
    }

    private(set) var inputs: [Input] = []
    /// Keeps back the rows a badge's definition shows would be refused; nil without a preflight.
    var preflight: Preflight?
    private let scan: InputScan
    private let configuration: RunOptions
    /// `--bulk`: rows grouped into bulk earns as they are read.
    private let grouper: BatchGrouper?
    /// Batches an earlier run left open: resent as they are, with or without `--bulk`.
    let openBatches: OpenBatches
    /// Inputs a killed run without `--bulk` was reading (content hashes; "" for streams).
    private let readByUnannouncedRuns: Set<String>

    /// Opens every input (a missing column fails here, before any request) and asks `ledger`
    /// which of them it has as fully processed.
    ///
    /// Each input is read once: its SHA-256 is taken on the way, for the ledger to remember it.
    /// Only a file that could be one the ledger has as fully processed (one of exactly its size)
    /// is hashed beforehand, so a rerun of a finished file still reads none of its rows; a new
    /// file of a size never finished cannot be skipped, and is not read twice to find that out.
    init(configuration: RunOptions, ledger: Ledger?, bulkLimit: BulkLimit? = nil) throws(ImportError) {
        self.configuration = configuration
        grouper = configuration.bulk && !configuration.dryRun ? BatchGrouper(limit: bulkLimit ?? BulkLimit(configuration.bulkSize)) : nil
        do { openBatches = OpenBatches(ledger != nil && !configuration.dryRun ? try ledger!.openBatchIntents() : []) }
        catch { throw ImportError(error) }
        do { readByUnannouncedRuns = grouper != nil ? try ledger?.inputsOfUnfinishedRunsWithoutIntents() ?? [] : [] }
        catch { throw ImportError(error) }
        // Stamped when opened, before any hash: a change after the stamp shows when read.
        let duplicates = DuplicateDetector(memoryBudget: configuration.duplicateMemory << 20,
                                           directory: Self.scratchDirectory(ledgerPath: configuration.ledgerPath))
        do {
            scan = try InputScan(files: configuration.inputs, mapping: configuration.mapping, duplicates: duplicates,
                                 hashContent: true)
        } catch { throw ImportError(.configuration, error.description) }
        for opened in scan.inputs {
            let file = opened.file
            // A stream cannot be skipped up front: it is hashed by the one read there is.
            let bytes = file.isStream ? 0 : opened.stamp?.size ?? Self.size(of: file)
            var hash: String?
            var skip = false
            if !file.isStream, let ledger, !configuration.reprocess {
                let candidate: Bool
                do { candidate = try ledger.hasFullyProcessedInput(bytes: bytes) } catch { throw ImportError(error) }
                if candidate {
                    let sha256 = try Self.contentHash(of: file)
                    do { skip = try ledger.isInputFullyProcessed(sha256: sha256) } catch { throw ImportError(error) }
                    hash = sha256
                }
            }
            inputs.append(Input(file: file, sha256: hash ?? "", bytes: bytes, columns: opened.columns, alreadyProcessed: skip))
        }
    }

    /// The inputs to read, with their columns, for the report files' layout.
    var toRead: [Input] { inputs.filter { !$0.alreadyProcessed } }

    /// Reads every input not already processed: records what is not to be sent, hands the rest
    /// to `send` (which blocks while the workers are busy). `ledger` nil skips the per-row lookup
    /// (a first run on an empty ledger). Stops between rows once `control` says so.
    /// With `--bulk`, rows go out grouped (see `BatchGrouper`); the groups still open and the
    /// batches an earlier run left open go out at the end, or, when the run is stopping, are
    /// recorded as not sent.
    func feed(recorder: RunRecorder, ledger: Ledger?, control: RunControl, logger: Logger,
              progress: (Int64) -> Void, send: (Work) -> Void) -> Reading {
        let preview = configuration.bulk && configuration.dryRun ? BulkPreviewCounter(bulkSize: configuration.bulkSize) : nil
        var reading = read(recorder: recorder, ledger: ledger, control: control, logger: logger, preview: preview,
                           progress: progress, send: send)
        reading.bulkPreview = preview?.finish()
        if control.isStopping || reading.ledgerFailure != nil {
            for job in (grouper?.drain() ?? []) + openBatches.drain() { recorder.record(.notSent(job)) }
        } else {
            grouper?.flushAll(emit: send)
            if !openBatches.isEmpty {
                logger.notice("resending the bulk earns an earlier run left without an answer, with the same requestIds and members",
                              metadata: ["batches": "\(openBatches.count)"])
            }
            openBatches.flush(emit: send)
        }
        return reading
    }

    private func read(recorder: RunRecorder, ledger: Ledger?, control: RunControl, logger: Logger, preview: BulkPreviewCounter?,
                      progress: (Int64) -> Void, send: (Work) -> Void) -> Reading {
        var reading = Reading()
        for index in inputs.indices where !inputs[index].alreadyProcessed {
            if control.isStopping { break }
            let name = inputs[index].file.displayName
            let unannounced = readByUnannouncedRuns.contains(inputs[index].sha256)
            if unannounced {
                logger.warning("rows of this input the ledger has no outcome for go one per request: a run without --bulk was killed while reading it, and any of them may have been earned under its own requestId without a record",
                               metadata: ["input": "\(name)"])
            }
            var reported: Int64 = 0
            do {
                let ending = try scan.read(index, keep: { [configuration] row in
                    configuration.shard?.contains(requestId: row.requestId) ?? true
                }, isStopping: { control.isStopping }, progress: { bytes in
                    progress(bytes - reported)
                    reported = bytes
                }) { (event: InputScan.Event) throws(LedgerError) in
                    switch try plan(event, ledger: ledger) {
                    case .record(let result):
                        reading.records += 1
                        recorder.record(result)
                        if let preview, result.status == .wouldSend, case .valid(let row, _) = event { preview.add(row) }
                    case .send(let row, let stored):
                        reading.records += 1
                        guard case .valid(_, let original) = event else { return }
                        try route(Job(row: row, original: original), stored: stored, unannounced: unannounced, send: send)
                    case .otherShard:
                        break
                    }
                }
                if let hash = ending.contentHash { inputs[index].sha256 = hash; inputs[index].bytes = ending.bytes }
                if let change = ending.change {
                    // Not the bytes hashed: never recorded as fully processed; the next run reads it again.
                    reading.changed.insert(name)
                    reading.problems[name] = "changed while it was read (\(change))"
                    logger.warning("input changed while it was read; not recorded as fully processed: the next run reads it again",
                                   metadata: ["input": "\(name)", "change": "\(change)"])
                } else if !ending.stopped {
                    reading.fullyRead.insert(name)
                }
            } catch {
                switch error {
                case .input(let failure):
                    // An input that cannot be read further is reported; the others go on.
                    reading.problems[name] = failure.message
                    logger.error("input not read to the end; its remaining rows were not sent",
                                 metadata: ["input": "\(name)", "problem": "\(failure.message)"])
                case .body(let failure):
                    reading.ledgerFailure = failure
                    return reading
                }
            }
        }
        return reading
    }

    /// Where a row to send goes: held for its open batch, grouped, or on its own.
    /// `unannounced`: the row's input was being read by a killed run without `--bulk`.
    /// `stored`: the ledger's entry for the row, as the plan read it.
    private func route(_ job: Job, stored: LedgerEntry?, unannounced: Bool, send: (Work) -> Void) throws(LedgerError) {
        if openBatches.claim(job) { return }
        guard let grouper else { return send(.single(job)) }
        // Sent on its own before with no answer recorded (or perhaps sent, by a killed run that
        // announced nothing): on its own again, under its own requestId, whose 809 is what keeps
        // the resend from earning twice (a batch would be a requestId the server has never seen).
        if let stored, stored.status == .failed, stored.attempts > 0 { return send(.single(job)) }
        if unannounced, stored == nil { return send(.single(job)) }
        grouper.add(job, emit: send)
    }

    /// What becomes of one record.
    enum Decision {
        /// Its result, recorded now: not sent.
        case record(RowResult)
        /// To be sent as `row` (with the generation its send uses); `stored` is the ledger's entry.
        case send(EarnRow, stored: LedgerEntry?)
        /// Another shard reports it.
        case otherShard
    }

    /// What becomes of one record.
    func plan(_ event: InputScan.Event, ledger: Ledger?) throws(LedgerError) -> Decision {
        switch event {
        case .invalid(let record):
            // With shards, one shard (index 0) reports the invalid records, so the shards'
            // reports add up to the whole file.
            if let shard = configuration.shard, shard.index != 0 { return .otherShard }
            return .record(.invalid(record))
        case .repeated(let row, let original, let first):
            return .record(RowResult(source: row.source, line: row.line, requestId: row.requestId, status: .duplicateInInput,
                                     errorMessage: "same requestId as \(first.source):\(first.line)", original: original))
        case .cutShort(let record, let change):
            return cutShort(record, change: change).map(Decision.record) ?? .otherShard
        case .valid(let row, let original):
            return try plan(row, original: original, stored: ledger?.entry(requestId: row.requestId))
        }
    }

    /// The generation a row's next send uses, from the ledger's last word on it: one more after
    /// a definitive rejection (a `rejected` entry with an HTTP answer: the server may keep the
    /// id it refused), the same after anything else (a `failed` send may have been applied, so
    /// only its own id's 809 keeps a resend from earning twice; a preflight rejection was never
    /// sent).
    static func generation(after stored: LedgerEntry?) -> Int {
        guard let stored else { return 0 }
        return stored.status == .rejected && stored.httpStatus != nil ? stored.generation + 1 : stored.generation
    }

    /// A valid row: already done, left out, only planned, or to be sent.
    func plan(_ row: EarnRow, original: [String], stored: LedgerEntry?) -> Decision {
        if let stored {
            if stored.status.isDone {
                return .record(RowResult(source: row.source, line: row.line, requestId: row.requestId,
                                         status: .alreadyDone, httpStatus: stored.httpStatus,
                                         errorCode: stored.errorCode, errorMessage: nil,
                                         receipt: EarnReceipt(earnedBadgeId: stored.earnedBadgeId, issuedId: stored.issuedId,
                                                              expiresOn: stored.expiresOn, warnings: []),
                                         original: original, sentRequestId: stored.sentRequestId))
            }
            if stored.status == .rejected && configuration.skipRejected {
                return .record(RowResult(source: row.source, line: row.line, requestId: row.requestId,
                                         status: .rejected, httpStatus: stored.httpStatus, errorCode: stored.errorCode,
                                         errorMessage: (stored.errorMessage ?? "") + " (rejected in an earlier run; not sent: --skip-rejected)",
                                         original: original, sentRequestId: stored.sentRequestId))
            }
        }
        var row = row
        row.generation = Self.generation(after: stored)
        // Kept back under the generation it would have been sent with: recorded so, the next
        // send after it uses that generation (it was never sent).
        if let refusal = preflight?.refusal(for: row) {
            return .record(RowResult(source: row.source, line: row.line, requestId: row.requestId, status: .rejected,
                                     errorCode: refusal.code, errorMessage: refusal.message, original: original, row: row))
        }
        if configuration.dryRun {
            return .record(RowResult(source: row.source, line: row.line, requestId: row.requestId, status: .wouldSend,
                                     original: original, sentRequestId: row.sentRequestId))
        }
        return .send(row, stored: stored)
    }

    /// The unterminated last record of a changed file: failed, not sent (so the next run, reading
    /// the finished file, sends it); nil when another shard owns it.
    private func cutShort(_ record: MappedRecord, change: String) -> RowResult? {
        let message = "not sent: the file changed while it was read (\(change)) and its last record had no line end, so it may be cut short; the next run reads it again"
        let shard = configuration.shard
        switch record {
        case .invalid(let invalid):
            if let shard, shard.index != 0 { return nil }
            return RowResult(source: invalid.source, line: invalid.line, requestId: "", status: .failed,
                             errorCode: "not-sent", errorMessage: message, original: invalid.original)
        case .valid(let row, let original):
            if let shard, !shard.contains(requestId: row.requestId) { return nil }
            return RowResult(source: row.source, line: row.line, requestId: row.requestId, status: .failed,
                             errorCode: "not-sent", errorMessage: message, original: original)
        }
    }

    /// SHA-256 of the input's bytes as stored (compressed stays compressed): what makes a
    /// nightly drop recognisable when it comes again under another name.
    static func contentHash(of file: InputFile) throws(ImportError) -> String {
        guard let handle = fopen(file.path, "rb") else {
            throw ImportError(.configuration, "cannot read \(file.path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(handle) }
        var hasher = SHA256()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, handle) }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return SHA256.hex(hasher.finalize())
    }

    /// The duplicate check's scratch files go next to the ledger: a volume sized for the run's state.
    static func scratchDirectory(ledgerPath: String) -> String {
        let directory = (ledgerPath as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    static func size(of file: InputFile) -> Int64 {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
              let size = attributes[.size] as? NSNumber else { return 0 }
        return size.int64Value
    }
}
