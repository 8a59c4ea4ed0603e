import Foundation

/// What the ledger records when a run ends (also after an abort, with the reason).
public struct RunEnd: Sendable {
    public var endedAt: Date
    public var counts: [RowStatus: Int]
    public var requestsSent: Int
    public var retries: Int
    public var exitCode: Int32
    public var abortReason: String?
    /// The run's summary.json, kept so the report can be rendered again later.
    public var summaryJSON: String?
}
