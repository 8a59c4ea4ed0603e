import ArgumentParser
import Dispatch
import Foundation
import MockEarnAPI

/// `badge-import mock-server`: the local stand-in for the earn API, for trying the tool without
/// a Capillary account and for benchmarks. Options map one-to-one onto `MockConfiguration`.
struct MockServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock-server",
        abstract: "Serve a local imitation of the earn API (with seeded, reproducible failures).",
        discussion: """
            Examples:
              badge-import mock-server --port 0 --badges samples/badges.json
              badge-import mock-server --username store.server --password server123 \\
                --latency-ms 20 --fail-before-rate 0.05 --rate-limit 1000/min

            Prints one line, `mock-server listening on http://HOST:PORT`, once it accepts connections, \
            and runs until SIGINT or SIGTERM. GET /__stats and GET /__earns show what it did; \
            POST /__forget {"requestId":"..."} loses an earn (for verify to find), \
            POST /__issue {"badgeMetaId":"...","customerId":N} enrols a customer for an issue-and-earn badge.
            """
    )

    @Option(help: "Address to bind (loopback by default).")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free one (read it from the printed line).")
    var port = 8080

    @Option(name: .customLong("badges"), help: "Badge catalog JSON (see samples/badges.json); without it any 24-hex id is a live badge.")
    var badgesFile: String?

    @Option(help: "Basic auth user name (with --password). Without any credentials, auth is off.")
    var username: String?

    @Option(help: "Basic auth password; clients send its lower-case MD5 hex.")
    var password: String?

    @Option(name: .customLong("oauth-key"), help: "OAuth client key (with --oauth-secret).")
    var oauthKey: String?

    @Option(name: .customLong("oauth-secret"), help: "OAuth client secret.")
    var oauthSecret: String?

    @Option(name: .customLong("token-ttl"), help: "Lifetime of OAuth tokens in seconds.")
    var tokenTTL = 300

    @Option(name: .customLong("latency-ms"), help: "Delay added to every earn answer.")
    var latencyMs = 0

    @Option(name: .customLong("jitter-ms"), help: "Uniform extra delay in [0, N) ms.")
    var jitterMs = 0

    @Option(help: "Seed of every fault decision (same seed, same arrival order: same faults).")
    var seed: UInt64 = 1

    @Option(name: .customLong("fail-before-rate"), help: "Share of earn requests answered 502/503/504/520 before processing.")
    var failBeforeRate = 0.0

    @Option(name: .customLong("fail-statuses"), help: "Comma-separated 5xx statuses for --fail-before-rate.")
    var failStatuses = "503,502,504,520"

    @Option(name: .customLong("fail-after-commit-rate"), help: "Share of earns committed, then answered 500.")
    var failAfterCommitRate = 0.0

    @Option(name: .customLong("drop-after-commit-rate"), help: "Share of earns committed, then the connection closed without an answer.")
    var dropAfterCommitRate = 0.0

    @Option(name: .customLong("throttle-rate"), help: "Share of earn requests answered 429 with Retry-After.")
    var throttleRate = 0.0

    @Option(name: .customLong("retry-after"), help: "Retry-After seconds sent with --throttle-rate answers.")
    var retryAfter = 1

    @Option(name: .customLong("rate-limit"), help: "Real rate limit over all earn requests: N/s or N/min (token bucket).")
    var rateLimit: String?

    @Option(name: .customLong("rate-burst"), help: "Token bucket size for --rate-limit (default: one second's worth).")
    var rateBurst: Int?

    @Option(name: .customLong("slow-rate"), help: "Share of earn answers delayed by --slow-ms more.")
    var slowRate = 0.0

    @Option(name: .customLong("slow-ms"), help: "Extra delay of slow answers.")
    var slowMs = 0

    @Option(name: .customLong("bulk-max"), help: "Most customers one earnBulk request takes; more is answered 400 with code 818.")
    var bulkMax = 100

    @Option(name: .customLong("earns-out"), help: "On shutdown, write the committed earns here as JSON lines.")
    var earnsOut: String?

    @Flag(name: .customLong("keep-rejected-ids"), help: "Remember requestIds a badge rule rejected and answer 809 to them later, as the real service may.")
    var keepRejectedIds = false

    @Flag(name: .customLong("deny-reads"), help: "Answer the badge definition and customer badge reads 403 (an access group without read rights).")
    var denyReads = false

    func validate() throws {
        if (username == nil) != (password == nil) { throw ValidationError("--username and --password go together") }
        if (oauthKey == nil) != (oauthSecret == nil) { throw ValidationError("--oauth-key and --oauth-secret go together") }
        if let rateLimit, MockRateLimit(parsing: rateLimit) == nil {
            throw ValidationError("--rate-limit must look like 100/min or 20/s (got '\(rateLimit)')")
        }
        if statuses == nil { throw ValidationError("--fail-statuses must be comma-separated 5xx codes") }
    }

    private var statuses: [Int]? {
        let values = failStatuses.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0.map { (500...599).contains($0) } ?? false }) else { return nil }
        return values.compactMap { $0 }
    }

    func run() throws {
        var configuration = MockConfiguration(host: host, port: port, tokenTTLSeconds: tokenTTL, seed: seed)
        if let badgesFile {
            do {
                configuration.catalog = try BadgeCatalog.load(path: badgesFile)
            } catch let error as BadgeCatalogError {
                throw ValidationError(error.description)
            }
        }
        if let username, let password {
            configuration.basic = .init(username: username, password: password)
        }
        if let oauthKey, let oauthSecret {
            configuration.oauth = .init(key: oauthKey, secret: oauthSecret)
        }
        configuration.faults = MockConfiguration.Faults(
            latencyMs: latencyMs, jitterMs: jitterMs,
            failBeforeRate: failBeforeRate, failBeforeStatuses: statuses ?? [],
            failAfterCommitRate: failAfterCommitRate, dropAfterCommitRate: dropAfterCommitRate,
            throttleRate: throttleRate, retryAfterSeconds: retryAfter,
            slowRate: slowRate, slowMs: slowMs)
        configuration.rateLimit = rateLimit.flatMap(MockRateLimit.init(parsing:))
        configuration.rateBurst = rateBurst
        configuration.keepRejectedIds = keepRejectedIds
        configuration.denyReads = denyReads
        configuration.bulkMax = bulkMax
        do {
            try configuration.validate()
        } catch let error as MockConfigurationError {
            throw ValidationError(error.description)
        }

        // Signals first, so a SIGTERM that arrives right after the line is printed is handled.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let server: MockEarnServer
        do {
            server = try MockEarnServer.start(configuration)
        } catch {
            throw ValidationError("cannot listen on \(host):\(port): \(error)")
        }
        let signalQueue = DispatchQueue(label: "mock-server.signals")
        let sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: signalQueue)
            source.setEventHandler { server.shutdown() }
            source.resume()
            return source
        }
        // Written straight to the descriptor (unbuffered) so a script reading a pipe sees it now.
        FileHandle.standardOutput.write(Data("mock-server listening on \(server.baseURL)\n".utf8))

        server.waitUntilShutdown()
        sources.forEach { $0.cancel() }
        if let earnsOut {
            do {
                try server.writeCommittedEarns(toFile: earnsOut)
            } catch {
                FileHandle.standardError.write(Data("mock-server: cannot write --earns-out \(earnsOut): \(error.localizedDescription)\n".utf8))
                throw ExitCode.failure
            }
        }
        let stats = server.stats()
        FileHandle.standardError.write(Data(
            "mock-server stopped: \(stats.requests) requests, \(stats.committedEarns) committed earns, \(stats.doubleEarns) double earns\n".utf8))
    }
}
