import Foundation
import Testing
@testable import BadgeImport

/// Every layered setting of `run`, one row each: flags beat the environment, which beats the
/// profile, which beats the default. (Credentials and the auth kind: ConfigResolutionTests.)
@Suite("Run options: precedence of every setting")
struct ConfigPrecedenceTests {
    struct Row: CustomTestStringConvertible, Sendable {
        var key: String
        var flag: @Sendable (inout RunOptionsLayer) -> Void
        var environment: String
        var profile: @Sendable (inout RunOptionsLayer) -> Void
        var read: @Sendable (RunOptions) -> String
        /// What `read` gives when the flag, the environment, the profile or nothing sets it.
        var expected: [String]
        var testDescription: String { key }
    }

    static let rows: [Row] = [
        Row(key: "base_url", flag: { $0.baseURL = "https://f.example" }, environment: "https://e.example",
            profile: { $0.baseURL = "https://p.example" }, read: \.baseURL,
            expected: ["https://f.example", "https://e.example", "https://p.example", "https://api.example"]),
        Row(key: "rate", flag: { $0.rate = "10/s" }, environment: "20/s", profile: { $0.rate = "30/min" },
            read: { $0.rate?.description ?? "unlimited" }, expected: ["10/s", "20/s", "30/min", "unlimited"]),
        Row(key: "concurrency", flag: { $0.concurrency = 32 }, environment: "12", profile: { $0.concurrency = 4 },
            read: { "\($0.concurrency)" }, expected: ["32", "12", "4", "8"]),
        Row(key: "duplicate_memory", flag: { $0.duplicateMemory = 8 }, environment: "16", profile: { $0.duplicateMemory = 64 },
            read: { "\($0.duplicateMemory)" }, expected: ["8", "16", "64", "32"]),
        Row(key: "ledger", flag: { $0.ledger = "/f" }, environment: "/e", profile: { $0.ledger = "/p" },
            read: \.ledgerPath, expected: ["/f", "/e", "/p", "badge-import.ledger"]),
        Row(key: "report_dir", flag: { $0.reportDir = "f" }, environment: "/e", profile: { $0.reportDir = "/p/" },
            read: \.reportDir, expected: ["f", "/e/run-{id}", "/p/run-{id}", "reports/run-{id}"]),
        Row(key: "max_attempts", flag: { $0.maxAttempts = 2 }, environment: "3", profile: { $0.maxAttempts = 4 },
            read: { "\($0.maxAttempts)" }, expected: ["2", "3", "4", "6"]),
        Row(key: "timeout", flag: { $0.timeout = 1 }, environment: "2", profile: { $0.timeout = 3 },
            read: { "\($0.timeout)" }, expected: ["1.0", "2.0", "3.0", "30.0"]),
        Row(key: "backoff_base", flag: { $0.backoffBase = 0.1 }, environment: "0.2", profile: { $0.backoffBase = 0.3 },
            read: { "\($0.backoffBase)" }, expected: ["0.1", "0.2", "0.3", "0.5"]),
        Row(key: "backoff_cap", flag: { $0.backoffCap = 1 }, environment: "2", profile: { $0.backoffCap = 3 },
            read: { "\($0.backoffCap)" }, expected: ["1.0", "2.0", "3.0", "30.0"]),
        Row(key: "breaker_seconds", flag: { $0.breakerSeconds = 0 }, environment: "2", profile: { $0.breakerSeconds = 3 },
            read: { "\($0.breakerWindow)" }, expected: ["0.0", "2.0", "3.0", "60.0"]),
        Row(key: "settle", flag: { $0.settle = 0 }, environment: "5", profile: { $0.settle = 7 },
            read: { "\($0.settle)" }, expected: ["0.0", "5.0", "7.0", "30.0"]),
        Row(key: "progress_interval", flag: { $0.progressInterval = 1 }, environment: "2", profile: { $0.progressInterval = 3 },
            read: { "\($0.progressInterval)" }, expected: ["1.0", "2.0", "3.0", "10.0"]),
        Row(key: "ca_file", flag: { $0.caFile = "/f.pem" }, environment: "/e.pem", profile: { $0.caFile = "/p.pem" },
            read: { $0.caFile ?? "none" }, expected: ["/f.pem", "/e.pem", "/p.pem", "none"]),
        Row(key: "archive_dir", flag: { $0.archiveDir = "/fa" }, environment: "/ea", profile: { $0.archiveDir = "/pa" },
            read: { $0.archiveDir ?? "none" }, expected: ["/fa", "/ea", "/pa", "none"]),
        Row(key: "skip_rejected", flag: { $0.skipRejected = true }, environment: "false", profile: { $0.skipRejected = true },
            read: { "\($0.skipRejected)" }, expected: ["true", "false", "true", "false"]),
        Row(key: "reprocess", flag: { $0.reprocess = true }, environment: "no", profile: { $0.reprocess = true },
            read: { "\($0.reprocess)" }, expected: ["true", "false", "true", "false"]),
        Row(key: "rebind_ledger", flag: { $0.rebindLedger = true }, environment: "0", profile: { $0.rebindLedger = true },
            read: { "\($0.rebindLedger)" }, expected: ["true", "false", "true", "false"]),
        Row(key: "preflight", flag: { $0.preflight = false }, environment: "true", profile: { $0.preflight = false },
            read: { "\($0.preflight)" }, expected: ["false", "true", "false", "true"]),
        Row(key: "shard", flag: { $0.shard = "1/4" }, environment: "2/4", profile: { $0.shard = "3/4" },
            read: { $0.shard?.description ?? "none" }, expected: ["1/4", "2/4", "3/4", "none"]),
        Row(key: "bulk", flag: { $0.bulk = true }, environment: "no", profile: { $0.bulk = true },
            read: { "\($0.bulk)" }, expected: ["true", "false", "true", "false"]),
        Row(key: "bulk_size", flag: { $0.bulkSize = 10 }, environment: "20", profile: { $0.bulkSize = 30 },
            read: { "\($0.bulkSize)" }, expected: ["10", "20", "30", "100"]),
        Row(key: "shards", flag: { $0.shards = 2 }, environment: "3", profile: { $0.shards = 4 },
            read: { $0.shard?.description ?? "none" }, expected: ["1/2", "1/3", "1/4", "none"]),
        Row(key: "metrics_file", flag: { $0.metricsFile = "/f.prom" }, environment: "/e.prom", profile: { $0.metricsFile = "/p.prom" },
            read: { $0.metricsFile ?? "none" }, expected: ["/f.prom", "/e.prom", "/p.prom", "none"]),
        Row(key: "pushgateway", flag: { $0.pushgateway = "http://f:9091" }, environment: "http://e:9091",
            profile: { $0.pushgateway = "http://p:9091" }, read: { $0.pushgateway ?? "none" },
            expected: ["http://f:9091", "http://e:9091", "http://p:9091", "none"]),
        // The default instance is the shard index (1 here, from JOB_COMPLETION_INDEX) or the host name.
        Row(key: "metrics_instance", flag: { $0.metricsInstance = "f" }, environment: "e", profile: { $0.metricsInstance = "p" },
            read: { $0.metricsInstance ?? "none" }, expected: ["f", "e", "p", "none"]),
        Row(key: "metrics_listen", flag: { $0.metricsListen = "127.0.0.1:1" }, environment: "0.0.0.0:2",
            profile: { $0.metricsListen = "[::1]:3" }, read: { $0.metricsListen ?? "none" },
            expected: ["127.0.0.1:1", "0.0.0.0:2", "[::1]:3", "none"]),
        Row(key: "notify_url", flag: { $0.notifyURL = "https://f.example/h" }, environment: "https://e.example/h",
            profile: { $0.notifyURL = "https://p.example/h" }, read: { $0.notifyURL ?? "none" },
            expected: ["https://f.example/h", "https://e.example/h", "https://p.example/h", "none"]),
        Row(key: "notify_on", flag: { $0.notifyOn = "always" }, environment: "failure", profile: { $0.notifyOn = "ALWAYS" },
            read: { $0.notifyOn.rawValue }, expected: ["always", "failure", "always", "failure"]),
    ]

    /// Resolves with every file readable and JOB_COMPLETION_INDEX=1; a profile always names an
    /// API (the lowest layer that can), so a row about something else resolves.
    static func resolve(flags: RunOptionsLayer = RunOptionsLayer(), env: [String: String] = [:],
                        profile: RunOptionsLayer? = nil) throws -> RunOptions {
        var layer = profile ?? RunOptionsLayer(origin: "profile 'p' (c.toml)")
        if layer.baseURL == nil { layer.baseURL = "https://api.example" }
        var resolver = RunOptionsResolver(flags: flags, environment: env.merging(["JOB_COMPLETION_INDEX": "1"]) { a, _ in a },
                                          profile: layer, readFile: { _ in "" }, isReadable: { _ in true })
        return try resolver.resolve(inputs: [], mapping: MappingOptions(), startMock: { "http://127.0.0.1:9" })
    }

    @Test(arguments: rows)
    func flagsBeatEnvironmentBeatsProfileBeatsDefault(_ row: Row) throws {
        let name = row.key == "base_url" ? "CAP_BASE_URL" : "BADGE_IMPORT_" + row.key.uppercased()
        var flags = RunOptionsLayer(), profile = RunOptionsLayer(origin: "profile 'p' (c.toml)")
        row.flag(&flags)
        row.profile(&profile)
        let env = [name: row.environment]
        let got = [
            try Self.resolve(flags: flags, env: env, profile: profile),
            try Self.resolve(env: env, profile: profile),
            try Self.resolve(profile: profile),
            try Self.resolve(),
        ].map(row.read)
        #expect(got == row.expected)
        let origins = try Self.resolve(env: env, profile: profile).recordedOptions
        #expect(origins["source.\(row.key)"] == "environment \(name)")
    }

    @Test func everyLayeredSettingHasARow() {
        let catalog = RunSetting<String>.all.map(\.key) + RunSetting<Int>.all.map(\.key)
            + RunSetting<Double>.all.map(\.key) + RunSetting<Bool>.all.map(\.key)
        #expect(Set(catalog) == Set(Self.rows.map(\.key)))
    }

    @Test func dryRunIsAFlagOnly() throws {
        #expect(try Self.resolve(env: ["BADGE_IMPORT_DRY_RUN": "true"]).dryRun == false)
        var flags = RunOptionsLayer()
        flags.dryRun = true
        let options = try Self.resolve(flags: flags)
        #expect(options.dryRun && options.recordedOptions["dry_run"] == "true")
    }

    @Test func shardAndShardsAreOneSettingTheHighestLayerWins() throws {
        var flags = RunOptionsLayer()
        flags.shards = 2
        #expect(try Self.resolve(flags: flags, env: ["BADGE_IMPORT_SHARD": "3/4"]).shard?.description == "1/2")
        var profile = RunOptionsLayer(origin: "profile 'p' (c.toml)")
        profile.shards = 8
        #expect(try Self.resolve(env: ["BADGE_IMPORT_SHARD": "3/4"], profile: profile).shard?.description == "3/4")
    }

    @Test func theMockNeedsNoAPIAndNoCredentialsAndHasItsOwnLedger() throws {
        var flags = RunOptionsLayer()
        flags.mock = true
        var resolver = RunOptionsResolver(flags: flags, environment: ["CAP_USERNAME": "u"], profile: nil)
        let options = try resolver.resolve(inputs: [], mapping: MappingOptions(), startMock: { "http://127.0.0.1:7" })
        #expect(options.baseURL == "http://127.0.0.1:7")
        #expect(options.auth == .none)
        #expect(options.ledgerPath == RunOptions.defaultMockLedger)
        #expect(options.ledgerTarget == .embeddedMock)
        #expect(options.recordedOptions["base_url"] == "embedded mock (http://127.0.0.1:7)")

        // A bad setting is found before the mock starts.
        flags.maxAttempts = 0
        var failing = RunOptionsResolver(flags: flags, environment: [:], profile: nil)
        var started = false
        #expect(throws: ConfigError.self) {
            try failing.resolve(inputs: [], mapping: MappingOptions(), startMock: { started = true; return "" })
        }
        #expect(!started)
    }

    @Test func theConstructorTheEngineTestsUseTakesEveryDefaultFromRunOptions() {
        let options = RunOptions(inputs: [], mapping: MappingOptions(), baseURL: "https://h.example",
                                          auth: .none, ledgerPath: "l")
        #expect(options.concurrency == RunOptions.defaultConcurrency)
        #expect(options.maxAttempts == RunOptions.defaultMaxAttempts)
        #expect(options.timeout == RunOptions.defaultTimeout)
        #expect(options.backoffBase == RunOptions.defaultBackoffBase)
        #expect(options.backoffCap == RunOptions.defaultBackoffCap)
        #expect(options.breakerWindow == RunOptions.defaultBreakerSeconds)
        #expect(options.reportDir == "reports/run-{id}")
        #expect(options.ledgerTarget == LedgerTarget(baseURL: "https://h.example", identity: "none"))
    }

    @Test func authSettingsNeverShowASecret() {
        let settings: [EarnAuthSettings] = [
            .basic(username: "store.server", password: Secret("hunter2-secret")),
            .oauth(clientKey: "key-1", clientSecret: Secret("hunter2-secret")),
        ]
        for auth in settings {
            var dumped = ""
            dump(auth, to: &dumped)
            var options = RunOptions(inputs: [], mapping: MappingOptions(), baseURL: "https://h", auth: auth, ledgerPath: "l")
            options.recordedOptions = ["auth": auth.kind.rawValue]
            var dumpedOptions = ""
            dump(options, to: &dumpedOptions)
            for text in [String(describing: auth), String(reflecting: auth), "\(auth)", dumped, dumpedOptions] {
                #expect(!text.contains("hunter2"), "\(text)")
            }
        }
        #expect(String(describing: settings[0]) == "basic(store.server)")
        #expect(String(describing: settings[1]) == "oauth")
    }
}
