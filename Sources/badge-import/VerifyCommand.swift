import ArgumentParser
import BadgeImport
import Foundation
import Logging
import MockEarnAPI

/// `badge-import verify`: check what the ledger says is done against what the CRM holds.
/// Options only; the work is `VerifyRun` in the library.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every row the ledger holds as done against the customer's badges on the server.",
        discussion: """
        Examples:
          badge-import verify --ledger eu.ledger --base-url https://eu.api.capillarytech.com --rate 1000/min
          badge-import verify --ledger shard-0.ledger --ledger shard-1.ledger --profile eu-prod --sample 1000

        Reads each distinct customer's earned badges once (GET /api_gateway/v1/badges/customer/{id}) with the same credentials, profiles and pacing as run, and writes verify.csv (one verdict per row: confirmed, missing, unverifiable) and summary.json to --report-dir. A killed verify continues where it stopped when run again with the same --report-dir.

        Exit status: 0 every checked row confirmed; 1 some rows missing or unverifiable; 2 usage or configuration error; 3 stopped early (signal, refused credentials), run again to continue.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Ledger to verify (repeatable; default \(RunOptions.defaultLedger)).", valueName: "file"))
    var ledger: [String] = []

    @OptionGroup(title: "API")
    var connection: ConnectionOptions

    @Flag(help: "Verify against a fresh embedded mock (holds nothing: for trying the command).")
    var mock = false

    @Option(help: "Pace for all workers together, e.g. 1000/min or 20/s; without it the pace adapts to 429s.")
    var rate: String?

    @Option(help: "Reads in flight at once (default \(RunOptions.defaultConcurrency)).")
    var concurrency: Int?

    @Option(name: .customLong("max-attempts"), help: "Attempts per read before its rows count as unverifiable (default \(RunOptions.defaultMaxAttempts)).")
    var maxAttempts: Int?

    @Option(help: "Seconds before one request times out (default \(RunOptions.defaultTimeout)).")
    var timeout: Double?

    @Option(name: .customLong("report-dir"), help: "Where verify.csv and summary.json go (default \(VerifyOptions.defaultReportDir)).",
            completion: .directory)
    var reportDir: String?

    @Option(help: "Check a random sample of this many rows instead of all.")
    var sample: Int?

    @Option(help: "Seed of the sample (default \(VerifyOptions.defaultSeed)): the same seed picks the same rows.")
    var seed: UInt64?

    @OptionGroup(title: "Logging")
    var log: LogOptions

    func run() throws {
        log.bootstrap()
        let logger = Logger(label: "badge-import.verify")
        if let sample, sample < 1 { throw fail("--sample must be at least 1") }
        var mockServer: MockEarnServer?
        defer { mockServer?.shutdown() }
        let options: VerifyOptions
        do {
            var resolver = try RunOptionsResolver.loadingProfile(flags: flagsLayer, configPath: connection.config, profileName: connection.profile,
                                                                 environment: ProcessInfo.processInfo.environment)
            let api = try resolver.resolve(inputs: [], mapping: MappingOptions()) {
                let server = try MockEarnServer.start(MockConfiguration())
                mockServer = server
                return server.baseURL
            }
            var resolved = VerifyOptions(ledgers: ledger.isEmpty ? [api.ledgerPath] : ledger, api: api)
            resolved.reportDir = reportDir ?? VerifyOptions.defaultReportDir
            resolved.sample = sample
            resolved.seed = seed ?? VerifyOptions.defaultSeed
            options = resolved
        } catch {
            throw fail("\(error)")
        }
        if let warning = options.api.plaintextCredentialsWarning { logger.warning("\(warning)") }

        let verify = VerifyRun(options: options, logger: logger)
        let signals = SignalWatcher { name in
            verify.control.stop(because: "interrupted by \(name)")
            logger.warning("\(name): finishing reads in flight, then writing verify.csv")
        }
        defer { signals.cancel() }
        let summary: VerifySummary
        do {
            summary = try verify.execute()
        } catch {
            throw fail(error.description, exitCode: error.status.code)
        }
        print(summary.text(reportDirectory: options.reportDir))
        if summary.exitCode != 0 { throw ExitCode(summary.exitCode) }
    }

    private var flagsLayer: RunOptionsLayer {
        var flags = RunOptionsLayer()
        connection.apply(to: &flags)
        flags.mock = mock ? true : nil
        flags.rate = rate
        flags.concurrency = concurrency
        flags.maxAttempts = maxAttempts
        flags.timeout = timeout
        return flags
    }
}
