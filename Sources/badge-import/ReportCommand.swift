import ArgumentParser
import BadgeImport
import Foundation

/// `badge-import report`: report.html and summary.json again, for any past run in a ledger,
/// or for the latest run of several shard ledgers merged into one.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write report.html and summary.json for a past run from its ledger.",
        discussion: """
        Examples:
          badge-import report --ledger eu.ledger                 # the latest run
          badge-import report --ledger eu.ledger --run 12 --output-dir /tmp/run-12
          badge-import report --ledger shard-0.ledger --ledger shard-1.ledger --output-dir all

        Exit status: 0 written; 2 no such ledger or run.
        """
    )

    @Option(name: .customLong("ledger"), help: "Ledger file (repeat for shard ledgers: their latest runs are merged).")
    var ledgers: [String] = []

    @Option(name: .customLong("run"), help: "Run id (default: the latest finished run).")
    var runId: Int64?

    @Option(name: .customLong("output-dir"), help: "Where to write (default reports/run-<id>, or reports/merged for several ledgers).")
    var outputDir: String?

    func run() throws {
        let paths = ledgers.isEmpty ? [Ledger.defaultPath] : ledgers
        guard runId == nil || paths.count == 1 else { throw fail("--run goes with a single --ledger") }
        var summaries: [RunSummary] = []
        do {
            for path in paths {
                let ledger = try Ledger.openForReading(path: path)
                defer { ledger.close() }
                guard let stored = try ledger.runSummaryJSON(runId: runId) else {
                    throw fail(runId.map { "\(path): no finished run \($0)" } ?? "\(path): no finished run yet")
                }
                summaries.append(try RunSummary.decode(Data(stored.json.utf8)))
            }
        } catch let error as LedgerError {
            throw fail(error.description)
        }
        guard let summary = SummaryMerge.merge(summaries) else { throw fail("nothing to report") }
        let directory = outputDir ?? (paths.count == 1 ? RunOptions.reportDirectory(root: RunOptions.defaultReportRoot, runId: summary.runId) : "reports/merged")
        do {
            try ReportFiles.write(summary, to: directory)
        } catch {
            throw fail("\(error)")
        }
        print("report: \(TerminalText.escaped(directory))/report.html (summary.json beside it)")
    }
}
