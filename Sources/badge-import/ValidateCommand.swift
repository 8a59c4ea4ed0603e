import ArgumentParser
import BadgeImport
import Foundation

/// `badge-import validate`: a dry run that reads every input with the same rules as `run`
/// and lists every bad row in one pass. Exit 0 all valid, 1 some invalid, 2 usage/I/O error.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check input files without sending anything; list every invalid row.",
        discussion: """
        Exit status: 0 every row valid, 1 some rows invalid, 2 usage or I/O error.
        With --report-dir DIR, writes DIR/invalid.csv, DIR/duplicates.csv and DIR/summary.json.
        """
    )

    @Argument(help: "Input files (.csv, .jsonl, .ndjson, optionally .gz), or - for standard input.")
    var inputs: [String] = []

    @Option(help: "Input format, required for standard input (csv or jsonl).")
    var format: String?

    @Option(name: .customLong("map"), help: ArgumentHelp("Read FIELD from another column.", valueName: "FIELD=COLUMN"))
    var maps: [String] = []

    @Option(name: .customLong("badge-meta-id"), help: "badgeMetaId for rows whose column is absent or empty.")
    var badgeMetaId: String?

    @Option(name: .customLong("owner-type"), help: "ownerType for rows whose column is absent or empty.")
    var ownerType: String?

    @Option(name: .customLong("reference-id"), help: "referenceId for rows whose column is absent or empty.")
    var referenceId: String?

    @Flag(name: .customLong("allow-missing-date"), help: "Accept rows without an earnEventDate.")
    var allowMissingDate = false

    @Option(name: .customLong("key-namespace"), help: "Namespace of derived requestIds (default \(RequestID.defaultNamespace)); a new one re-issues every event.")
    var keyNamespace: String?

    @Option(name: .customLong("report-dir"), help: "Write invalid.csv, duplicates.csv and summary.json here.")
    var reportDir: String?

    func run() throws {
        do {
            var explicitFormat: InputFormat?
            if let format {
                guard let f = InputFormat(rawValue: format.lowercased()) else {
                    throw InputError(path: "", message: "--format '\(format)': expected csv or jsonl")
                }
                explicitFormat = f
            }
            let mapping = try MappingOptions.fromCommandLine(
                maps: maps, badgeMetaId: badgeMetaId, ownerType: ownerType, referenceId: referenceId,
                allowMissingDate: allowMissingDate, keyNamespace: keyNamespace, now: Date())
            guard !inputs.isEmpty else { throw InputError(path: "", message: "no input files (give paths, or - with --format)") }
            var files: [InputFile] = []
            for path in inputs { files.append(try InputFile(path: path, format: explicitFormat)) }
            let summary = try InputValidation(files: files, mapping: mapping, reportDirectory: reportDir).run()
            print(summary.humanDescription)
            if let reportDir { print("reports written to \(reportDir)") }
            if summary.invalid > 0 { throw ExitCode(1) }
        } catch let error as InputError {
            FileHandle.standardError.write(Data("badge-import: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
    }
}
