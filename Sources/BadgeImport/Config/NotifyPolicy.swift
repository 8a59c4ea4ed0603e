/// When `--notify-url` is called: a nightly job's channel wants to hear about failures only,
/// a backfill's owner may want every ending.
public enum NotifyPolicy: String, Sendable, CaseIterable {
    case always
    /// Any exit other than 0: rows that need a look, a stopped run, a configuration error.
    case failure

    public func shouldNotify(exitCode: Int32) -> Bool {
        self == .always || exitCode != 0
    }
}
