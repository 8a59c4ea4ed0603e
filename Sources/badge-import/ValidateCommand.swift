import ArgumentParser
import BadgeImport
import Foundation
import Logging
import MockEarnAPI

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

          badge-import validate drop.csv --check-badges --profile eu-prod --report-dir out

        With --check-badges, each distinct badge's definition is read once from the API (--base-url, CAP_BASE_URL, a profile, or --mock) and every row run would send is judged as run's preflight judges it; nothing is earned.

        Exit status: 0 every row valid, 1 some rows invalid or refused by the badge check (or an input changed while read), 2 usage or I/O error.
        With --report-dir DIR, writes DIR/invalid.csv, DIR/duplicates.csv and DIR/summary.json (and DIR/rejected.csv with --check-badges).
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

    @Flag(name: .customLong("check-badges"),
          help: "Read each badge's definition from the API and count the rows it would refuse (1054, 815, 816, 810); sends no earn.")
    var checkBadges = false

    @OptionGroup(title: "API (for --check-badges)")
    var connection: ConnectionOptions

    @Flag(help: "With --check-badges: read the badges from the embedded mock.")
    var mock = false

    @Option(name: .customLong("mock-badges"), help: "Badge catalog for --mock (default samples/badges.json, or the image's /opt/badge-import/samples/badges.json).",
            completion: .file(extensions: ["json"]))
    var mockBadges: String?

    func run() throws {
        var mockServer: MockEarnServer?
        defer { mockServer?.shutdown() }
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
            if !checkBadges, mock || mockBadges != nil { throw fail("--mock and --mock-badges only serve --check-badges") }
            if checkBadges {
                validation.checkBadges = try badgeAPI { mockServer = $0 }
                LogSetup.bootstrap(format: .text, level: .info)
                validation.logger = Logger(label: "badge-import.validate")
            }
            let summary = try validation.run()
            print(summary.humanDescription)
            if let reportDir { print("reports written to \(TerminalText.escaped(reportDir))") }
            if summary.invalid > 0 || summary.refused > 0 || summary.changedInputs != nil { throw ExitCode(1) }
        } catch let error as InputError {
            throw fail(error.description)
        } catch let error as ConfigError {
            throw fail(error.description)
        }
    }

    /// The API settings as `verify` resolves them (flags > environment > profile); starts the
    /// embedded mock for --mock. Without any API, --check-badges is a usage error.
    private func badgeAPI(started: (MockEarnServer) -> Void) throws -> RunOptions {
        var flags = RunOptionsLayer()
        connection.apply(to: &flags)
        flags.mock = mock ? true : nil
        var resolver = try RunOptionsResolver.loadingProfile(flags: flags, configPath: connection.config, profileName: connection.profile,
                                                             environment: ProcessInfo.processInfo.environment)
        do {
            return try resolver.resolve(inputs: [], mapping: MappingOptions()) {
                let server = try EmbeddedMock.start(catalogPath: mockBadges)
                started(server)
                return server.baseURL
            }
        } catch ConfigError.missingBaseURL {
            throw fail("--check-badges needs the API to read badges from: give --base-url URL (or CAP_BASE_URL, or a profile's base URL), or --mock")
        } catch let error as ConfigError {
            throw error
        } catch {
            throw fail("--mock: \(error)")
        }
    }
}
