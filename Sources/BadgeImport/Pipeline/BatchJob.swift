import EarnAPI

/// A bulk earn on its way to a worker: its intent (requestId, shared fields, members) and each
/// member as a row with what the reports need.
struct BatchJob: Sendable {
    struct Member: Sendable {
        var row: EarnRow
        var original: [String]
        /// False for a member of a resent batch that this run's input does not hold.
        var inInput: Bool
    }

    var intent: BatchIntent
    var members: [Member]
    /// The intent is in the ledger already (an earlier run's, or a replacement after an 818):
    /// send it as it is.
    var intentCommitted: Bool

    /// A new batch of rows sharing badge, owner, reference and date; its requestId is derived
    /// from their sent requestIds (`BatchRequestID`), so a row rotated after a rejection makes
    /// a batch the server has never seen; members keep their identity for the ledger.
    init(rows: [Job]) {
        let first = rows[0].row
        intent = BatchIntent(
            requestId: BatchRequestID.derive(members: rows.map(\.row.sentRequestId)), badgeMetaId: first.badgeMetaId,
            ownerType: first.ownerType.rawValue, referenceId: first.referenceId, earnEventDate: first.earnEventDate,
            members: rows.map { BatchIntent.Member(requestId: $0.row.requestId, customerId: $0.row.customerId,
                                                   source: $0.row.source, line: $0.row.line, generation: $0.row.generation) })
        members = rows.map { Member(row: $0.row, original: $0.original, inInput: true) }
        intentCommitted = false
    }

    /// An intent from the ledger, resent with exactly its members: those this run read keep
    /// their rows and columns, the others are rebuilt from the intent. Every member takes the
    /// generation it was committed with: the ledger then records what this request carries.
    init(resending intent: BatchIntent, read: [String: Job]) {
        self.intent = intent
        let owner = OwnerType(bytes: intent.ownerType.utf8) ?? .historicalImport
        members = intent.members.map { member in
            if var job = read[member.requestId] {
                job.row.generation = member.generation
                return Member(row: job.row, original: job.original, inInput: true)
            }
            var row = EarnRow(source: member.source, line: member.line, requestId: member.requestId,
                              badgeMetaId: intent.badgeMetaId, customerId: member.customerId,
                              earnEventDate: intent.earnEventDate, ownerType: owner, referenceId: intent.referenceId)
            row.generation = member.generation
            return Member(row: row, original: [], inInput: false)
        }
        intentCommitted = true
    }

    /// A part of this batch under a new intent (after "too many customers").
    init(part members: [Member]) {
        self.init(rows: members.map { Job(row: $0.row, original: $0.original) })
        self.members = members
    }

    /// One row as a single earn's intent: its sent requestId, itself as the member. In a `--bulk`
    /// run every request leaves announced, so a later run never puts a row whose single earn may
    /// have gone through into a batch under another requestId.
    static func singleIntent(_ row: EarnRow) -> BatchIntent {
        BatchIntent(requestId: row.sentRequestId, badgeMetaId: row.badgeMetaId, ownerType: row.ownerType.rawValue,
                    referenceId: row.referenceId, earnEventDate: row.earnEventDate,
                    members: [BatchIntent.Member(requestId: row.requestId, customerId: row.customerId,
                                                 source: row.source, line: row.line, generation: row.generation)])
    }

    /// The earnBulk body.
    var body: [UInt8] {
        EarnBulkRequestBody(badgeMetaId: intent.badgeMetaId, customerIds: intent.members.map { .value($0.customerId) },
                            requestId: intent.requestId, earnEventDate: intent.earnEventDate,
                            ownerType: intent.ownerType, referenceId: intent.referenceId).encoded()
    }
}
