import Foundation

/// The latest known state of one requestId, as the pipeline reports it after handling a row.
/// When recorded, `attempts` is this run's count and is added to the stored total; when read
/// back it is the total over all runs.
public struct LedgerEntry: Sendable, Equatable {
    public var requestId: String
    public var status: RowStatus
    public var attempts: Int
    public var httpStatus: Int?
    public var errorCode: String?
    public var errorMessage: String?
    public var earnedBadgeId: String?
    public var issuedId: String?
    /// Epoch seconds with a fraction, as the API sends it.
    public var expiresOn: Double?
    /// The input file and physical line the row came from.
    public var source: String
    public var line: Int
    public var badgeMetaId: String
    public var customerId: Int64
    /// The generation of the row's last send (see `RequestID.sent`); 0 until a definitive rejection.
    public var generation: Int = 0

    /// The requestId the last send carried.
    public var sentRequestId: String { RequestID.sent(requestId, generation: generation) }
}

/// A stored entry with the bookkeeping the ledger adds: which run last touched it, and when.
public struct StoredLedgerEntry: Sendable, Equatable {
    public var entry: LedgerEntry
    public var runId: Int64
    public var updatedAt: Date
}
