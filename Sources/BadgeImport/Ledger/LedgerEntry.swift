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

    public init(requestId: String, status: RowStatus, attempts: Int, httpStatus: Int? = nil,
                errorCode: String? = nil, errorMessage: String? = nil, earnedBadgeId: String? = nil,
                issuedId: String? = nil, expiresOn: Double? = nil, source: String, line: Int,
                badgeMetaId: String, customerId: Int64) {
        self.requestId = requestId
        self.status = status
        self.attempts = attempts
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.earnedBadgeId = earnedBadgeId
        self.issuedId = issuedId
        self.expiresOn = expiresOn
        self.source = source
        self.line = line
        self.badgeMetaId = badgeMetaId
        self.customerId = customerId
    }
}

/// A stored entry with the bookkeeping the ledger adds: which run last touched it, and when.
public struct StoredLedgerEntry: Sendable, Equatable {
    public var entry: LedgerEntry
    public var runId: Int64
    public var updatedAt: Date
}
