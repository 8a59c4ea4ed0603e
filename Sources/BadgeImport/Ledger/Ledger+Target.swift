import Foundation

extension Ledger {
    /// The API this ledger was written for, or nil for a ledger no run has bound yet (a new
    /// one, or one written before ledgers were bound: the next run adopts it).
    public func boundTarget() throws(LedgerError) -> LedgerTarget? {
        try locked { () throws(LedgerError) -> LedgerTarget? in
            guard let database else { throw LedgerError(.closed, path: path) }
            endReadSnapshot()
            // A read-only open does not migrate: an older file has no table yet.
            guard try database.integer("SELECT count(*) FROM sqlite_master WHERE name = 'target'") > 0 else { return nil }
            let query = try database.prepare("SELECT base_url, identity FROM target WHERE id = 1")
            defer { query.finalize() }
            guard try query.step() else { return nil }
            return LedgerTarget(baseURL: query.string(0) ?? "", identity: query.string(1) ?? "")
        }
    }

    /// Binds the ledger to `target`, replacing any earlier binding (the caller decides when
    /// that is allowed, and records it with the run).
    public func bind(to target: LedgerTarget) throws(LedgerError) {
        try requireWritable()
        let now = Self.iso(clock.wallNow())
        try locked { () throws(LedgerError) in
            guard let database else { throw LedgerError(.closed, path: path) }
            try transaction { () throws(LedgerError) in
                let statement = try database.prepare(
                    "INSERT OR REPLACE INTO target (id, base_url, identity, bound_at) VALUES (1, ?1, ?2, ?3)")
                defer { statement.finalize() }
                statement.bind(1, target.baseURL)
                statement.bind(2, target.identity)
                statement.bind(3, now)
                try statement.run()
            }
        }
    }
}
