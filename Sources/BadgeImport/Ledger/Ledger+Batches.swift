import Foundation

/// Batch intents (schema step 5): see `BatchIntent`. Every write is its own transaction, so an
/// intent is on disk before the request it announces leaves.
extension Ledger {
    /// Commits `intent` as open, unless its requestId is known already.
    public func openBatchIntent(_ intent: BatchIntent, runId: Int64) throws(LedgerError) -> BatchIntent.Opening {
        try requireWritable()
        let now = clock.wallNow().timeIntervalSince1970
        return try locked { () throws(LedgerError) -> BatchIntent.Opening in
            try transaction { () throws(LedgerError) -> BatchIntent.Opening in
                if let state = try intentState(intent.requestId) {
                    return state == "open" ? .alreadyOpen : .closedBefore(state: state)
                }
                try insertIntent(intent, runId: runId, at: now)
                return .opened
            }
        }
    }

    /// After a "too many customers" refusal: the refused intent is closed as refused (it earned
    /// nothing) and the smaller batches that replace it are opened, in one transaction, so the
    /// rows are never without an intent between the two. Replacements whose requestId is known
    /// already are left out of the answer (their rows go as single earns).
    public func replaceBatchIntent(_ refused: String, with replacements: [BatchIntent],
                                   runId: Int64) throws(LedgerError) -> [BatchIntent] {
        try requireWritable()
        let now = clock.wallNow().timeIntervalSince1970
        return try locked { () throws(LedgerError) -> [BatchIntent] in
            try transaction { () throws(LedgerError) -> [BatchIntent] in
                try closeBatchIntents([refused], state: "refused", at: now)
                var opened: [BatchIntent] = []
                for intent in replacements where try intentState(intent.requestId) == nil {
                    try insertIntent(intent, runId: runId, at: now)
                    opened.append(intent)
                }
                return opened
            }
        }
    }

    /// Every open intent with its members, oldest first. A ledger older than schema step 5
    /// (read by a dry run, which does not migrate) has none.
    public func openBatchIntents() throws(LedgerError) -> [BatchIntent] {
        try locked { () throws(LedgerError) -> [BatchIntent] in
            guard let database else { throw LedgerError(.closed, path: path) }
            endReadSnapshot()
            let exists = try database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'batch_intents'")
            guard try exists.step() else { return [] }
            var intents: [BatchIntent] = []
            var index: [String: Int] = [:]
            let heads = try database.prepare("""
                SELECT request_id, badge_meta_id, owner_type, reference_id, earn_event_date
                FROM batch_intents WHERE state = 'open' ORDER BY opened_at, request_id
                """)
            while try heads.step() {
                index[heads.string(0) ?? ""] = intents.count
                intents.append(BatchIntent(requestId: heads.string(0) ?? "", badgeMetaId: heads.string(1) ?? "",
                                           ownerType: heads.string(2) ?? "", referenceId: heads.string(3) ?? "",
                                           earnEventDate: heads.string(4), members: []))
            }
            let members = try database.prepare("""
                SELECT m.batch_request_id, m.request_id, m.customer_id, m.source, m.line, \(hasGenerations ? "m.generation" : "0")
                FROM batch_members m JOIN batch_intents b ON b.request_id = m.batch_request_id
                WHERE b.state = 'open' ORDER BY m.batch_request_id, m.source, m.line
                """)
            while try members.step() {
                guard let at = index[members.string(0) ?? ""] else { continue }
                intents[at].members.append(BatchIntent.Member(requestId: members.string(1) ?? "", customerId: members.int64(2),
                                                              source: members.string(3) ?? "", line: Int(members.int64(4)),
                                                              generation: Int(members.int64(5))))
            }
            return intents
        }
    }

    /// The content hashes of the inputs of runs that never finished (killed) and sent single
    /// earns without intents (runs without `--bulk`): any row of those inputs without an entry
    /// may have been earned under its own requestId unrecorded, so it must not join a batch.
    /// `""` stands for a stream (hashed only once read whole).
    public func inputsOfUnfinishedRunsWithoutIntents() throws(LedgerError) -> Set<String> {
        try locked { () throws(LedgerError) -> Set<String> in
            guard let database else { throw LedgerError(.closed, path: path) }
            endReadSnapshot()
            let query = try database.prepare(
                "SELECT r.options, ri.sha256 FROM runs r JOIN run_inputs ri ON ri.run_id = r.id WHERE r.ended_at IS NULL")
            var hashes: Set<String> = []
            while try query.step() {
                let options = Self.decode([String: String].self, query.string(0)) ?? [:]
                if options["bulk"] != "true" { hashes.insert(query.string(1) ?? "") }
            }
            return hashes
        }
    }

    /// The state of one intent, or nil when unknown (tests and `status`).
    public func batchIntentState(_ requestId: String) throws(LedgerError) -> String? {
        try locked { () throws(LedgerError) -> String? in try intentState(requestId) }
    }

    // MARK: - Under the lock, inside a transaction

    func closeBatchIntents(_ requestIds: [String], state: String, at now: Double) throws(LedgerError) {
        guard !requestIds.isEmpty else { return }
        try with(.closeIntent) { s throws(LedgerError) in
            for id in requestIds {
                s.bind(1, id)
                s.bind(2, state)
                s.bind(3, now)
                try s.run()
            }
        }
    }

    private func intentState(_ requestId: String) throws(LedgerError) -> String? {
        try with(.intentState) { s throws(LedgerError) -> String? in
            s.bind(1, requestId)
            return try s.step() ? s.string(0) : nil
        }
    }

    private func insertIntent(_ intent: BatchIntent, runId: Int64, at now: Double) throws(LedgerError) {
        try with(.insertIntent) { s throws(LedgerError) in
            s.bind(1, intent.requestId)
            s.bind(2, intent.badgeMetaId)
            s.bind(3, intent.ownerType)
            s.bind(4, intent.referenceId)
            s.bind(5, intent.earnEventDate)
            s.bind(6, runId)
            s.bind(7, now)
            try s.run()
        }
        try with(.insertMember) { s throws(LedgerError) in
            for member in intent.members {
                s.bind(1, intent.requestId)
                s.bind(2, member.requestId)
                s.bind(3, member.customerId)
                s.bind(4, member.source)
                s.bind(5, member.line)
                s.bind(6, member.generation)
                try s.run()
            }
        }
    }
}
