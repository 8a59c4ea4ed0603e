/// A bulk earn as the ledger keeps it before it is sent: the batch's requestId, what its members
/// share, and each member's row requestId and generation with what it takes to send the batch again (another
/// run may not read that row, or group it differently).
public struct BatchIntent: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        /// The row's identity (its ledger entry's key).
        public var requestId: String
        public var customerId: Int64
        public var source: String
        public var line: Int
        /// The generation the row went in with (see `RequestID.sent`).
        public var generation: Int

        public init(requestId: String, customerId: Int64, source: String, line: Int, generation: Int = 0) {
            self.requestId = requestId
            self.customerId = customerId
            self.source = source
            self.line = line
            self.generation = generation
        }

        /// The row's requestId as sent: what the batch's requestId is derived from.
        public var sentRequestId: String { RequestID.sent(requestId, generation: generation) }
    }

    public var requestId: String
    public var badgeMetaId: String
    /// The canonical spelling.
    public var ownerType: String
    public var referenceId: String
    /// As sent (UTC milliseconds form), or nil.
    public var earnEventDate: String?
    public var members: [Member]

    public init(requestId: String, badgeMetaId: String, ownerType: String, referenceId: String,
                earnEventDate: String?, members: [Member]) {
        self.requestId = requestId
        self.badgeMetaId = badgeMetaId
        self.ownerType = ownerType
        self.referenceId = referenceId
        self.earnEventDate = earnEventDate
        self.members = members
    }

    /// A single earn's intent (see `BatchJob.singleIntent`): resent as a single earn.
    public var isSingle: Bool { members.count == 1 && members[0].sentRequestId == requestId }

    /// What opening an intent found.
    public enum Opening: Sendable, Equatable {
        /// Committed now: the batch may be sent.
        case opened
        /// Already open (a batch being resent): send it as it is.
        case alreadyOpen
        /// This requestId was used and closed before (done or refused): the server may hold
        /// it, so it must not be sent again as a new batch.
        case closedBefore(state: String)
    }
}
