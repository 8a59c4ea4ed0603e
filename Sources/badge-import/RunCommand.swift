import ArgumentParser
import BadgeImport
import Foundation
import Logging
import MockEarnAPI

/// `badge-import run`: send every valid row to the earn API once, resuming where an earlier
/// run stopped. Options only; the work is `ImportRun` in the library.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Send every valid row to the earn API once; a rerun continues where the last one stopped.",
        discussion: """
        Examples:
          badge-import run --mock samples/backfill.csv
          export CAP_USERNAME=store.server CAP_PASSWORD=...
          badge-import run drops/ --base-url https://eu.api.capillarytech.com \\
            --rate 1000/min --ledger eu.ledger
          badge-import run --profile eu-prod --dry-run 'nightly/*.csv.gz'

        Credentials come from the environment (CAP_USERNAME, CAP_PASSWORD or --password-file; CAP_CLIENT_KEY and CAP_CLIENT_SECRET for OAuth) or from files named in a profile, never from the command line.

        Exit status: 0 every valid row earned or already there; 1 some rows rejected, failed or invalid; 2 usage or configuration error (nothing sent); 3 run stopped early (signal, refused credentials, circuit breaker), progress kept: run again to continue.
        """
    )

    @Argument(help: "Input files (.csv, .jsonl, .ndjson, optionally .gz), directories, globs, or - for standard input.",
              completion: .file())
    var inputs: [String]

    @OptionGroup(title: "Input")
    var input: InputOptions

    @OptionGroup(title: "API")
    var connection: ConnectionOptions

    @Flag(help: "Start the embedded mock earn API on a free loopback port and send there.")
    var mock = false

    @Option(name: .customLong("mock-badges"), help: "Badge catalog for --mock (default samples/badges.json, or the image's /opt/badge-import/samples/badges.json).",
            completion: .file(extensions: ["json"]))
    var mockBadges: String?

    @Option(help: "Ledger file: what is done, for resume (default \(RunOptions.defaultLedger); with --mock \(RunOptions.defaultMockLedger)).",
            completion: .file())
    var ledger: String?

    @Flag(name: .customLong("rebind-ledger"),
          help: "Use a ledger written for another base URL or user as if it were this one's (recorded with the run).")
    var rebindLedger = false

    @Option(help: "Requests in flight at once (default \(RunOptions.defaultConcurrency)).")
    var concurrency: Int?

    @Option(name: .customLong("duplicate-memory"),
            help: "MiB the in-input duplicate check keeps in memory, whatever the input's size; beyond it, it spills to scratch files next to the ledger (default \(RunOptions.defaultDuplicateMemory)).")
    var duplicateMemory: Int?

    @Option(help: "Pace for all workers together, e.g. 1000/min or 20/s; without it the pace adapts to 429s.")
    var rate: String?

    @Option(name: .customLong("max-attempts"), help: "Requests per row before it counts as failed (default \(RunOptions.defaultMaxAttempts)).")
    var maxAttempts: Int?

    @Option(help: "Seconds before one request times out (default \(RunOptions.defaultTimeout)).")
    var timeout: Double?

    @Option(name: .customLong("backoff-base"), help: "Seconds: first retry waits up to this, doubling each time, full jitter (default \(RunOptions.defaultBackoffBase)).")
    var backoffBase: Double?

    @Option(name: .customLong("backoff-cap"), help: "Seconds: the longest wait between two attempts (default \(RunOptions.defaultBackoffCap)).")
    var backoffCap: Double?

    @Option(name: .customLong("breaker-seconds"), help: "Stop the run when the API has failed this long with no good answer (0: never; default \(RunOptions.defaultBreakerSeconds)).")
    var breakerSeconds: Double?

    @Option(name: .customLong("report-dir"), help: "Where results.csv, failed.csv, summary.json and report.html go (default \(RunOptions.reportDirectory(root: RunOptions.defaultReportRoot))).",
            completion: .directory)
    var reportDir: String?

    @Flag(name: .customLong("skip-rejected"), help: "Do not resend rows the API rejected in an earlier run.")
    var skipRejected = false

    @Flag(help: "Send rows that share badge, ownerType, referenceId and event date through earnBulk, many customers per request.")
    var bulk = false

    @Option(name: .customLong("bulk-size"), help: "Customers per bulk earn at most, 1 to \(RunOptions.maxBulkSize) (default \(RunOptions.defaultBulkSize)); halved for the rest of a run when the API says a batch is too large.")
    var bulkSize: Int?

    @Flag(name: .customLong("dry-run"), help: "Validate and plan against the ledger (and the badges' definitions); send no earn.")
    var dryRun = false

    @Flag(name: .customLong("no-preflight"), help: "Do not read each badge's definition before its first row (by default rows it shows would be refused are not sent).")
    var noPreflight = false

    @Flag(help: "Read inputs the ledger has as fully processed (same content) instead of skipping them; done rows are still not sent.")
    var reprocess = false

    @Option(help: "Process only shard I of N (0-based), e.g. 2/8.")
    var shard: String?

    @Option(help: "Number of shards; the index comes from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs).")
    var shards: Int?

    @Option(name: .customLong("archive-dir"), help: "Move each fully processed input here after its report is written.",
            completion: .directory)
    var archiveDir: String?

    @Flag(help: "No progress line or progress log.")
    var quiet = false

    @Option(name: .customLong("progress-interval"), help: "Seconds between progress log lines when stderr is not a terminal (default \(RunOptions.defaultProgressInterval)).")
    var progressInterval: Double?

    @OptionGroup(title: "Monitoring")
    var monitoring: MonitoringOptions

    @OptionGroup(title: "Logging")
    var log: LogOptions
}
