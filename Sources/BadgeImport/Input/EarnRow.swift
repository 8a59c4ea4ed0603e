#if canImport(EarnAPI)  // fuzz/run.sh compiles EarnAPI into the same module
import EarnAPI
#endif

/// One valid earn event, ready to send: the input layer's product and the unit of work
/// for the rest of the pipeline.
public struct EarnRow: Sendable, Equatable {
    /// The input's display name (its path as given, or `-` for standard input).
    public var source: String
    /// Physical line on which the record starts (CSV header is line 1).
    public var line: Int
    /// The row's identity: the input's `requestId` column, or derived by `RequestID`. Never
    /// changes; what is sent is `sentRequestId`.
    public var requestId: String
    /// How many definitive rejections the row has had before this send (see `RequestID.sent`).
    public var generation: Int = 0
    /// 24 lower-case hex characters.
    public var badgeMetaId: String
    public var customerId: Int64
    /// The event instant normalised to UTC `YYYY-MM-DDTHH:MM:SS.SSSZ`; nil only with `--allow-missing-date`.
    public var earnEventDate: String?
    public var ownerType: OwnerType
    public var referenceId: String

    public init(source: String, line: Int, requestId: String, badgeMetaId: String, customerId: Int64,
                earnEventDate: String?, ownerType: OwnerType, referenceId: String) {
        self.source = source
        self.line = line
        self.requestId = requestId
        self.badgeMetaId = badgeMetaId
        self.customerId = customerId
        self.earnEventDate = earnEventDate
        self.ownerType = ownerType
        self.referenceId = referenceId
    }

    /// The idempotency key actually sent: the identity for generation 0, else with its suffix.
    public var sentRequestId: String { RequestID.sent(requestId, generation: generation) }
}
