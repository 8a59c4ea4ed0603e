import Foundation

/// What a verify found, in numbers: summary.json beside verify.csv, and the screen summary.
public struct VerifySummary: Codable, Sendable, Equatable {
    public var ledgers: [String]
    public var baseURL: String
    public var startedAt: String
    public var durationSeconds: Double
    /// Rows the ledgers hold as earned, duplicate or already done.
    public var doneRows: Int
    /// Rows chosen for checking (all of them, or the `--sample`).
    public var checkedRows: Int
    public var sample: Int?
    public var seed: UInt64?
    /// Verdicts carried over from the verify this one continued.
    public var resumedRows: Int
    public var confirmed: Int
    public var missing: Int
    public var unverifiable: Int
    /// Customer badge reads made by this process.
    public var customersRead: Int
    /// false while a verify is unfinished (killed, or stopped): the next one continues it.
    public var complete: Bool
    public var aborted: String?
    /// 0 every checked row confirmed, 1 some missing or unverifiable, 3 stopped early.
    public var exitCode: Int32

    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The few lines printed at the end.
    public func text(reportDirectory: String) -> String {
        let headline: String
        switch exitCode {
        case 0: headline = "verify: every checked row is on the server"
        case 3: headline = "verify stopped early (\(aborted ?? "stopped")); run the same command again to continue"
        default: headline = "verify: some rows are not confirmed on the server"
        }
        let scope = sample.map { _ in "a sample of \(checkedRows) (seed \(seed ?? 0)) of \(doneRows) done rows" } ?? "\(checkedRows) done rows"
        return """
        \(headline)
          checked       \(scope)\(resumedRows > 0 ? ", \(resumedRows) carried over from the unfinished verify" : "")
          confirmed     \(confirmed)
          missing       \(missing)
          unverifiable  \(unverifiable)
          \(customersRead) customer reads in \(String(format: "%.1f", durationSeconds)) s
        report: \(TerminalText.escaped(reportDirectory))/verify.csv (summary.json beside it)
        """
    }
}
