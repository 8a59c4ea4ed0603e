extension Ledger {
    /// One row the ledger holds as done on the server, as `verify` checks it.
    public struct DoneRow: Sendable, Equatable {
        public var source: String
        public var line: Int
        /// The row's identity (reports, duplicate detection).
        public var requestId: String
        /// The requestId its last send carried: the identity, or the identity with its
        /// generation suffix after a definitive rejection (`RequestID.sent`).
        public var sentRequestId: String
        public var customerId: Int64
        public var badgeMetaId: String
        public var status: RowStatus
    }

    /// Every entry held as earned, duplicate or already done, in the order they were first recorded.
    public func doneRows() throws(LedgerError) -> [DoneRow] {
        try locked { () throws(LedgerError) -> [DoneRow] in
            guard let database else { throw LedgerError(.closed, path: path) }
            endReadSnapshot()
            let query = try database.prepare("""
                SELECT source, line, request_id, \(hasGenerations ? "coalesce(sent_request_id, request_id)" : "request_id"),
                       customer_id, badge_meta_id, status FROM entries
                WHERE status IN ('earned', 'duplicate', 'already-done') ORDER BY id
                """)
            defer { query.finalize() }
            var rows: [DoneRow] = []
            while try query.step() {
                rows.append(DoneRow(source: query.string(0) ?? "", line: Int(query.int64(1)), requestId: query.string(2) ?? "",
                                    sentRequestId: query.string(3) ?? "", customerId: query.int64(4),
                                    badgeMetaId: (query.string(5) ?? "").lowercased(), status: query.rowStatus(6) ?? .earned))
            }
            return rows
        }
    }
}
