import ArgumentParser
import BadgeImport
import Foundation

/// `badge-import status`: what the ledger(s) know. Read-only: takes no run lock (works while a
/// run is going) and never creates a ledger; a missing one is a usage error (exit 2).
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the runs and row outcomes recorded in one or more ledgers.",
        discussion: """
        Examples:
          badge-import status --ledger eu.ledger
          badge-import status --ledger shard-0.ledger --ledger shard-1.ledger --json

        Several --ledger values are merged: counts are summed and each run is listed with its ledger. Reading works while a run holds the ledger.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Ledger file to read (repeatable).", valueName: "file"))
    var ledger: [String] = []

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let paths = ledger.isEmpty ? [Ledger.defaultPath] : ledger
        var parts: [LedgerStatus] = []
        do {
            for path in paths {
                let opened = try Ledger.openForReading(path: path)
                defer { opened.close() }
                parts.append(try opened.status())
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let status = parts.count == 1 ? parts[0] : LedgerStatus.merged(parts)
        print(json ? status.json() : status.render(), terminator: json ? "\n" : "")
    }
}
