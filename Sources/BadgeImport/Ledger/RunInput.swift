/// One input file of a run, identified by its content so a renamed nightly drop is still known.
public struct RunInput: Sendable, Codable, Equatable {
    public var path: String
    /// SHA-256 of the file's bytes, lower-case hex.
    public var sha256: String
    public var bytes: Int64
}
