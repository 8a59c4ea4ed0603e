import EarnAPI
import Foundation

/// One worker's bulk earns: the intent committed before the request leaves, the request with
/// the worker's retry loop, each customer's item read into its row's result, and the batch's
/// intent closed with its rows' outcomes once every member has a definitive answer. A batch the
/// server finds too large halves the run's bulk size and goes again in smaller batches under
/// new requestIds (the refused request earned nothing).
struct BatchDispatch {
    let pool: WorkerPool
    let parts: WorkerPool.Parts
    let sender: EarnSender

    func send(_ batch: BatchJob) {
        if !batch.intentCommitted, let ledger = parts.ledger {
            let opening: BatchIntent.Opening
            do { opening = try ledger.openBatchIntent(batch.intent, runId: parts.runId) } catch {
                // Unannounced, a batch whose answer is lost could not be resent as itself: not sent.
                parts.recorder.ledgerFailed(error)
                return notSent(batch)
            }
            if case .closedBefore = opening {
                // The server may hold this requestId from an earlier batch of these very rows
                // (answered, or refused whole): its 809s could not be trusted. Each row goes on
                // its own, under its own requestId.
                for member in batch.members where member.inInput {
                    pool.sendSingle(Job(row: member.row, original: member.original), sender: sender)
                }
                return
            }
        }
        let control = parts.control, breaker = parts.breaker
        if control.isStopping { return notSent(batch) }
        let result = pool.onWire {
            sender.sendBulk(batch.body, customers: batch.members.count) { control.isStopping || breaker.isOpen }
        }
        if result.attempts == 0 { return notSent(batch) }
        if case .tooLarge(let message)? = result.bulk, batch.members.count > 1 {
            return split(batch, refused: result, message: message)
        }
        record(batch, result)
    }

    /// Each member's result from the answer's items, or from the whole answer when there are none.
    private func record(_ batch: BatchJob, _ result: SendResult) {
        let batchId = batch.intent.requestId
        var settled = true
        let rows = batch.members.map { member -> RowResult in
            RowResult(source: member.row.source, line: member.row.line, requestId: member.row.requestId, status: .failed,
                      httpStatus: result.lastHTTPStatus, attempts: result.attempts, original: member.original,
                      row: member.row, batchRequestId: batchId, inInput: member.inInput)
        }
        var results: [RowResult] = []
        if case .items(let answer)? = result.bulk {
            var byCustomer: [Int64: BulkEarnAnswer.Item.Result] = [:]
            for item in answer.items { if let id = item.customerId, byCustomer[id] == nil { byCustomer[id] = item.result } }
            for var row in rows {
                switch byCustomer[row.row!.customerId] {
                case .earned(let earned, let issued, let expiresOn, _)?:
                    row.status = .earned
                    row.receipt = EarnReceipt(earnedBadgeId: earned, issuedId: issued, expiresOn: expiresOn)
                case .failed(let code, let message)?:
                    row.status = code == 809 ? .duplicate : .rejected
                    row.errorCode = code.map(String.init) ?? "bulk-item"
                    row.errorMessage = message
                case nil:
                    // Never counted as earned: resent next run inside the same batch intent.
                    settled = false
                    row.errorCode = "bulk-item-missing"
                    row.errorMessage = "the bulk answer had no item for this customer; resent next run in the same batch"
                }
                results.append(row)
            }
        } else {
            let whole = pool.settle(rows[0], outcome: result.outcome)
            settled = whole.status == .duplicate || whole.status == .rejected
            for var row in rows {
                (row.status, row.errorCode, row.errorMessage) = (whole.status, whole.errorCode, whole.errorMessage)
                results.append(row)
            }
        }
        parts.recorder.recordBatch(results, closing: settled ? batchId : nil, requests: result)
    }

    /// "Too many customers": the run's bulk size halves, the refused intent is replaced by
    /// smaller ones (one transaction) and each part is sent.
    private func split(_ batch: BatchJob, refused result: SendResult, message: String) {
        let (limit, note) = parts.bulkLimit.halve(below: batch.members.count, because: message)
        // Smaller than the refused batch in any case: the same members would make the same,
        // now refused, requestId.
        let size = min(limit, max(1, batch.members.count / 2))
        if let note {
            parts.logger.warning("the API refused a bulk earn as too large: bulk size halved for the rest of the run; its rows go again in smaller batches under new requestIds",
                                 metadata: ["bulkSize": "\(note)"])
        }
        parts.recorder.noteRequests(result)
        var pieces: [BatchJob] = []
        var start = 0
        while start < batch.members.count {
            pieces.append(BatchJob(part: Array(batch.members[start..<min(batch.members.count, start + size)])))
            start += size
        }
        var opened = Set(pieces.map(\.intent.requestId))
        if let ledger = parts.ledger {
            do {
                opened = Set(try ledger.replaceBatchIntent(batch.intent.requestId, with: pieces.map(\.intent),
                                                           runId: parts.runId).map(\.requestId))
            } catch {
                parts.recorder.ledgerFailed(error)
                return notSent(batch)
            }
        }
        for var piece in pieces {
            if opened.contains(piece.intent.requestId) {
                piece.intentCommitted = true
                send(piece)
            } else {
                for member in piece.members where member.inInput {
                    pool.sendSingle(Job(row: member.row, original: member.original), sender: sender)
                }
            }
        }
    }

    private func notSent(_ batch: BatchJob) {
        for member in batch.members where member.inInput {
            parts.recorder.record(.notSent(Job(row: member.row, original: member.original)))
        }
    }
}
