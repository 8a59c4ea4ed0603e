/// Everything one `verify` uses: the ledgers to check, the API settings as `run` resolves them
/// (base URL, credentials, rate, concurrency, retries), where the report goes and the sample.
public struct VerifyOptions: Sendable {
    public static let defaultReportDir = "reports/verify"
    public static let defaultSeed: UInt64 = 1

    public var ledgers: [String]
    public var api: RunOptions
    public var reportDir: String = defaultReportDir
    /// Check this many rows, chosen by `seed`, instead of all.
    public var sample: Int?
    public var seed: UInt64 = defaultSeed

    public init(ledgers: [String], api: RunOptions) {
        self.ledgers = ledgers
        self.api = api
    }
}
