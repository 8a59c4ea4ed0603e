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
        Examples:
          badge-import validate samples/backfill.csv samples/backfill.jsonl --report-dir out
          zcat drop.csv.gz | badge-import validate - --format csv --badge-meta-id 66276dc68fe258516a88ff8e

        Exit status: 0 every row valid, 1 some rows invalid (or an input changed while read), 2 usage or I/O error.
        With --report-dir DIR, writes DIR/invalid.csv, DIR/duplicates.csv and DIR/summary.json.
        """
    )

    @Argument(help: "Input files (.csv, .jsonl, .ndjson, optionally .gz), directories, globs, or - for standard input.",
              completion: .file())
    var inputs: [String] = []

    @OptionGroup(title: "Input")
    var input: InputOptions

    @Option(name: .customLong("report-dir"), help: "Write invalid.csv, duplicates.csv and summary.json here.",
            completion: .directory)
    var reportDir: String?

    @Flag(name: .customLong("bulk-preview"), help: "Also say how many requests the valid rows would take with run --bulk, and without.")
    var bulkPreview = false

    @Option(name: .customLong("bulk-size"), help: "Bulk size for --bulk-preview (default \(RunOptions.defaultBulkSize), 1 to \(RunOptions.maxBulkSize)).")
    var bulkSize = RunOptions.defaultBulkSize

    @Option(name: .customLong("duplicate-memory"),
            help: "MiB the duplicate check keeps in memory, whatever the input's size; beyond it, it spills to scratch files in the report directory, else $TMPDIR (default \(RunOptions.defaultDuplicateMemory)).")
    var duplicateMemory: Int = RunOptions.defaultDuplicateMemory

    func run() throws {
        do {
            guard !inputs.isEmpty else { throw InputError(path: "", message: "no input files (give paths, or - with --format)") }
            // validate takes no profile: the flag, else BADGE_IMPORT_SETTLE, else the default.
            var settings = RunOptionsLayer()
            settings.settle = input.settle
            var resolver = RunOptionsResolver(flags: settings, environment: ProcessInfo.processInfo.environment, profile: nil)
            let (files, mapping, _) = try input.resolve(inputs, settle: try resolver.settle())
            if let problem = RunOptions.bulkSizeProblem(bulkSize) { throw InputError(path: "", message: "--bulk-size: " + problem) }
            if let problem = RunOptions.duplicateMemoryProblem(duplicateMemory) {
                throw fail("--duplicate-memory: \(problem)")
            }
            var validation = InputValidation(files: files, mapping: mapping, reportDirectory: reportDir,
                                             duplicateMemory: duplicateMemory << 20)
            validation.bulkPreviewSize = bulkPreview ? bulkSize : nil
            let summary = try validation.run()
            print(summary.humanDescription)
            if let reportDir { print("reports written to \(TerminalText.escaped(reportDir))") }
            if summary.invalid > 0 || summary.changedInputs != nil { throw ExitCode(1) }
        } catch let error as InputError {
            throw fail(error.description)
        } catch let error as ConfigError {
            throw fail(error.description)
        }
    }
}
