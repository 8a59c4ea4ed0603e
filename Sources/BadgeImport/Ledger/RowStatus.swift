/// What happened to one input record; the vocabulary of the ledger, results.csv and summary.json.
public enum RowStatus: String, Sendable, CaseIterable, Codable {
    /// 200 with data: the server earned the badge in this run.
    case earned
    /// 809: the server already had this requestId (an earlier, unrecorded send succeeded).
    case duplicate
    /// The ledger already had this requestId as earned or duplicate: not sent.
    case alreadyDone = "already-done"
    /// The same requestId appeared earlier in this input: not sent twice.
    case duplicateInInput = "duplicate-in-input"
    /// A permanent API error (811, 810, 815, 750, validation codes).
    case rejected
    /// Retries exhausted on a transient error, or the run stopped before an answer.
    case failed
    /// The record itself is malformed; never sent.
    case invalid
    /// Dry run only: valid, not done yet, and would be sent. Never stored in the ledger.
    case wouldSend = "would-send"

    /// Done on the server: a later run must not send it again.
    public var isDone: Bool { self == .earned || self == .duplicate || self == .alreadyDone }
}
