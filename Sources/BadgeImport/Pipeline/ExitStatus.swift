/// What a run's exit code means, decided here and nowhere else: the command layer turns an
/// `ImportOutcome` or an `ImportError` into a process exit through `code`.
public enum ExitStatus: Int32, Sendable {
    /// Every valid row earned, or already on the server.
    case success = 0
    /// Finished, with rows rejected, failed or invalid, or an input not read whole.
    case rowsNeedALook = 1
    /// A usage or configuration problem found before any request: nothing was sent.
    case usage = 2
    /// The run stopped early (signal, refused credentials, circuit breaker, the ledger); the
    /// ledger keeps what was done, so the same command continues.
    case aborted = 3

    public var code: Int32 { rawValue }
}
