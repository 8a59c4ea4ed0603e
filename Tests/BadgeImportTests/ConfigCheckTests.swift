import Foundation
import Testing
@testable import BadgeImport

/// Every check of a `run` setting, with its one message, wherever the value came from.
@Suite("Run options: every check and its message")
struct ConfigCheckTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var flags: @Sendable (inout RunOptionsLayer) -> Void = { _ in }
        var environment: [String: String] = [:]
        var message: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "base URL form", flags: { $0.baseURL = "ftp://x" },
             message: "--base-url: base URL must be an http:// or https:// URL with a host, e.g. https://eu.api.capillarytech.com"),
        Case(name: "base URL credentials", environment: ["CAP_BASE_URL": "https://u:p@h.example"],
             message: "environment CAP_BASE_URL: base URL must not contain credentials; use the auth settings"),
        Case(name: "no base URL", environment: ["CAP_BASE_URL": ""],
             message: "no API to send to: give --base-url URL (or CAP_BASE_URL, or a profile), or --mock"),
        Case(name: "mock and base URL", flags: { $0.mock = true; $0.baseURL = "https://h.example" },
             message: "--mock and --base-url: they exclude each other"),
        Case(name: "rate", flags: { $0.rate = "fast" },
             message: "--rate: invalid rate 'fast': expected N/s, N/min or N/h with N > 0 (e.g. 1000/min), or 'unlimited'"),
        Case(name: "concurrency range", environment: ["BADGE_IMPORT_CONCURRENCY": "0"],
             message: "environment BADGE_IMPORT_CONCURRENCY: concurrency 0 must be between 1 and 256"),
        Case(name: "whole number", environment: ["BADGE_IMPORT_MAX_ATTEMPTS": "lots"],
             message: "environment BADGE_IMPORT_MAX_ATTEMPTS: 'lots' is not a whole number"),
        Case(name: "max attempts", flags: { $0.maxAttempts = 0 }, message: "--max-attempts: max attempts 0 must be at least 1"),
        Case(name: "timeout", flags: { $0.timeout = 0 }, message: "--timeout: timeout 0.0 must be more than 0 seconds"),
        Case(name: "number of seconds", environment: ["BADGE_IMPORT_TIMEOUT": "soon"],
             message: "environment BADGE_IMPORT_TIMEOUT: 'soon' is not a number of seconds"),
        Case(name: "backoff base", flags: { $0.backoffBase = -1 }, message: "--backoff-base: -1.0 must be a number of seconds, 0 or more"),
        Case(name: "backoff cap", environment: ["BADGE_IMPORT_BACKOFF_CAP": "-2"],
             message: "environment BADGE_IMPORT_BACKOFF_CAP: -2.0 must be a number of seconds, 0 or more"),
        Case(name: "breaker", flags: { $0.breakerSeconds = -1 }, message: "--breaker-seconds: -1.0 must be a number of seconds, 0 or more"),
        Case(name: "settle", flags: { $0.settle = -1 }, message: "--settle: -1.0 must be a number of seconds, 0 or more"),
        Case(name: "settle from the environment", environment: ["BADGE_IMPORT_SETTLE": "soon"],
             message: "environment BADGE_IMPORT_SETTLE: 'soon' is not a number of seconds"),
        Case(name: "switch", environment: ["BADGE_IMPORT_SKIP_REJECTED": "maybe"],
             message: "environment BADGE_IMPORT_SKIP_REJECTED: 'maybe' is not true or false"),
        Case(name: "ca file", flags: { $0.caFile = "/no/such.pem" }, message: "--ca-file /no/such.pem: cannot read the file"),
        Case(name: "shard form", flags: { $0.shard = "2" },
             message: "--shard: shard '2' is not of the form I/N (0-based index I, shard count N), e.g. 0/4"),
        Case(name: "shard index", environment: ["BADGE_IMPORT_SHARD": "4/4"],
             message: "environment BADGE_IMPORT_SHARD: shard index 4 is outside 0..<4 (indexes are 0-based, like JOB_COMPLETION_INDEX)"),
        Case(name: "bulk size", flags: { $0.bulkSize = 1001 }, message: "--bulk-size: bulk size 1001 must be between 1 and 1000"),
        Case(name: "bulk size from the environment", environment: ["BADGE_IMPORT_BULK_SIZE": "0"],
             message: "environment BADGE_IMPORT_BULK_SIZE: bulk size 0 must be between 1 and 1000"),
        Case(name: "shard count", flags: { $0.shards = 0 }, message: "--shards: shard count 0 must be at least 1"),
        Case(name: "shards without an index", flags: { $0.shards = 2 },
             message: "--shards: JOB_COMPLETION_INDEX is not set: --shards without --shard needs a Kubernetes Indexed Job"),
        Case(name: "shard and shards", flags: { $0.shard = "0/2"; $0.shards = 2 },
             message: "--shard and --shards: they exclude each other"),
        Case(name: "pushgateway URL", flags: { $0.pushgateway = "gateway:9091" },
             message: "--pushgateway: must be an http:// or https:// URL with a host"),
        Case(name: "notify URL", environment: ["BADGE_IMPORT_NOTIFY_URL": "hooks.slack.com/x"],
             message: "environment BADGE_IMPORT_NOTIFY_URL: must be an http:// or https:// URL with a host"),
        Case(name: "notify on", flags: { $0.notifyOn = "sometimes" }, message: "--notify-on: 'sometimes' must be always or failure"),
        Case(name: "metrics listen", flags: { $0.metricsListen = "9464" },
             message: "--metrics-listen: '9464' must be HOST:PORT, e.g. 0.0.0.0:9464 or [::1]:9464"),
        Case(name: "metrics instance", environment: ["BADGE_IMPORT_METRICS_INSTANCE": "a/b"],
             message: "environment BADGE_IMPORT_METRICS_INSTANCE: metrics instance 'a/b' must be non-empty and without '/'"),
    ]

    @Test(arguments: cases)
    func checkSaysWhatAndWhere(_ check: Case) {
        var flags = RunOptionsLayer()
        check.flags(&flags)
        var env = ["CAP_BASE_URL": "https://api.example"]
        env.merge(check.environment) { _, new in new }
        if flags.mock == true { env["CAP_BASE_URL"] = nil }
        var resolver = RunOptionsResolver(flags: flags, environment: env, profile: nil, isReadable: { _ in false })
        do {
            _ = try resolver.resolve(inputs: [], mapping: MappingOptions(), startMock: { "http://127.0.0.1:1" })
            Issue.record("\(check.name) accepted")
        } catch {
            #expect("\(error)" == check.message)
        }
    }

    /// Moved from the input tests when --settle joined the other settings.
    @Test func settleComesFromTheFlagElseTheEnvironmentElseTheDefault() throws {
        func settle(flag: Double?, _ env: [String: String]) throws -> Double {
            var flags = RunOptionsLayer()
            flags.settle = flag
            var resolver = RunOptionsResolver(flags: flags, environment: env, profile: nil)
            return try resolver.settle()
        }
        #expect(try settle(flag: nil, [:]) == 30)
        #expect(try settle(flag: nil, ["BADGE_IMPORT_SETTLE": "5"]) == 5)
        #expect(try settle(flag: 0, ["BADGE_IMPORT_SETTLE": "5"]) == 0)
        #expect(throws: ConfigError.self) { try settle(flag: nil, ["BADGE_IMPORT_SETTLE": "soon"]) }
        #expect(throws: ConfigError.self) { try settle(flag: -1, [:]) }
    }

    @Test func aProfileWithoutAConfigFileSaysSo() {
        #expect(throws: ConfigError.invalidSetting(
            source: "--profile eu", message: "no configuration file (give --config FILE or create badge-import.toml)")) {
            try RunOptionsResolver.loadingProfile(flags: RunOptionsLayer(), configPath: nil, profileName: "eu",
                                                  environment: [:], fileExists: { _ in false })
        }
    }

    // MARK: the same checks on a profile, naming file:line

    func profileError(_ body: String) throws -> ConfigError? {
        do {
            _ = try ConfigFile.parse("[profiles.p]\n" + body + "\n", path: "c.toml")
            return nil
        } catch { return error }
    }

    @Test func profileValuesGetTheSameChecksWithFileAndLine() throws {
        #expect(try profileError("max_attempts = 0")
                == .invalidValue(file: "c.toml", line: 2, key: "max_attempts", message: "max attempts 0 must be at least 1"))
        #expect(try profileError("timeout = 0")
                == .invalidValue(file: "c.toml", line: 2, key: "timeout", message: "timeout 0.0 must be more than 0 seconds"))
        #expect(try profileError("backoff_cap = -1.5")
                == .invalidValue(file: "c.toml", line: 2, key: "backoff_cap", message: "-1.5 must be a number of seconds, 0 or more"))
        #expect(try profileError("settle = \"soon\"")
                == .invalidValue(file: "c.toml", line: 2, key: "settle", message: "must be a number of seconds, not a string"))
        #expect(try profileError("skip_rejected = \"yes\"")
                == .invalidValue(file: "c.toml", line: 2, key: "skip_rejected", message: "must be true or false, not a string"))
        #expect(try profileError("shards = 1.5")
                == .invalidValue(file: "c.toml", line: 2, key: "shards", message: "must be an integer, not a float"))
        #expect(try profileError("shard = \"9/4\"")
                == .invalidValue(file: "c.toml", line: 2, key: "shard",
                                 message: "shard index 9 is outside 0..<4 (indexes are 0-based, like JOB_COMPLETION_INDEX)"))
        #expect(try profileError("max_attempt = 3") == .unknownKey(file: "c.toml", line: 2, key: "max_attempt"))
    }

    @Test func everyNewKeyLoadsFromAProfile() throws {
        let file = try ConfigFile.parse("""
            [profiles.p]
            max_attempts = 9
            timeout = 12
            backoff_base = 0.25
            backoff_cap = 20.5
            breaker_seconds = 0
            ca_file = "/etc/ca.pem"
            skip_rejected = true
            reprocess = false
            archive_dir = "/data/done"
            settle = 60
            progress_interval = 30
            rebind_ledger = true
            shard = "1/3"
            metrics_file = "/var/lib/node_exporter/badge_import.prom"
            pushgateway = "http://pushgateway:9091"
            metrics_instance = "eu"
            metrics_listen = "0.0.0.0:9464"
            notify_on = "always"
            """, path: "c.toml")
        let p = try file.profile(named: "p")
        #expect(p.maxAttempts == 9 && p.timeout == 12 && p.backoffBase == 0.25 && p.backoffCap == 20.5)
        #expect(p.breakerSeconds == 0 && p.caFile == "/etc/ca.pem" && p.skipRejected == true && p.reprocess == false)
        #expect(p.archiveDir == "/data/done" && p.settle == 60 && p.progressInterval == 30 && p.rebindLedger == true)
        #expect(p.shard == "1/3")
        #expect(p.origin(of: "shard") == "profile 'p' (c.toml:14)")
        #expect(p.metricsFile == "/var/lib/node_exporter/badge_import.prom" && p.pushgateway == "http://pushgateway:9091")
        #expect(p.metricsInstance == "eu" && p.metricsListen == "0.0.0.0:9464" && p.notifyOn == "always")
        #expect(p.profileName == "p")
    }
}
