import Foundation

/// One `run` setting that goes through every layer the same way: its key in a profile, its
/// environment variable, its field in a layer, how the environment's text becomes a value,
/// and its check. The catalog below is the one list of them: the config file learns its keys
/// from it and the resolver its precedence, so a setting cannot be known to one and not the
/// other. (The API's credentials and the auth kind are resolved apart, in
/// RunOptionsResolver+Auth.swift: a secret is one setting however it is given.)
struct RunSetting<Value> {
    let key: String
    let environmentName: String
    let field: WritableKeyPath<RunOptionsLayer, Value?>
    /// nil when the text is not a value of this kind.
    let parse: (String) -> Value?
    /// "a whole number", for the message when `parse` fails.
    let kind: String
    let check: (Value) -> String?

    /// `BADGE_IMPORT_<KEY>` unless the setting has an established name (CAP_BASE_URL).
    init(_ key: String, _ field: WritableKeyPath<RunOptionsLayer, Value?>, environmentName: String? = nil,
         parse: @escaping (String) -> Value?, kind: String, check: @escaping (Value) -> String? = { _ in nil }) {
        self.key = key
        self.field = field
        self.environmentName = environmentName ?? "BADGE_IMPORT_" + key.uppercased()
        self.parse = parse
        self.kind = kind
        self.check = check
    }
}

extension RunSetting where Value == String {
    init(_ key: String, _ field: WritableKeyPath<RunOptionsLayer, String?>, environmentName: String? = nil,
         check: @escaping (String) -> String? = { _ in nil }) {
        self.init(key, field, environmentName: environmentName, parse: { $0 }, kind: "text", check: check)
    }

    static var baseURL: Self { .init("base_url", \.baseURL, environmentName: "CAP_BASE_URL", check: RunOptions.baseURLProblem) }
    static var rate: Self { .init("rate", \.rate, check: RunOptions.rateProblem) }
    static var ledger: Self { .init("ledger", \.ledger) }
    static var reportDir: Self { .init("report_dir", \.reportDir) }
    static var caFile: Self { .init("ca_file", \.caFile) }
    static var archiveDir: Self { .init("archive_dir", \.archiveDir) }
    static var shard: Self { .init("shard", \.shard, check: RunOptions.shardProblem) }

    static var metricsFile: Self { .init("metrics_file", \.metricsFile) }
    static var pushgateway: Self { .init("pushgateway", \.pushgateway, check: RunOptions.monitoringURLProblem) }
    static var metricsInstance: Self { .init("metrics_instance", \.metricsInstance, check: RunOptions.metricsInstanceProblem) }
    static var metricsListen: Self { .init("metrics_listen", \.metricsListen, check: RunOptions.metricsListenProblem) }
    static var notifyURL: Self { .init("notify_url", \.notifyURL, check: RunOptions.monitoringURLProblem) }
    static var notifyOn: Self { .init("notify_on", \.notifyOn, check: RunOptions.notifyOnProblem) }

    static var all: [Self] {
        [baseURL, rate, ledger, reportDir, caFile, archiveDir, shard,
         metricsFile, pushgateway, metricsInstance, metricsListen, notifyURL, notifyOn]
    }
}

extension RunSetting where Value == Int {
    init(_ key: String, _ field: WritableKeyPath<RunOptionsLayer, Int?>, check: @escaping (Int) -> String?) {
        self.init(key, field, parse: { Int($0.trimmingCharacters(in: .whitespaces)) }, kind: "a whole number", check: check)
    }

    static var concurrency: Self { .init("concurrency", \.concurrency, check: RunOptions.concurrencyProblem) }
    static var maxAttempts: Self { .init("max_attempts", \.maxAttempts, check: RunOptions.maxAttemptsProblem) }
    static var shards: Self { .init("shards", \.shards, check: RunOptions.shardCountProblem) }
    static var bulkSize: Self { .init("bulk_size", \.bulkSize, check: RunOptions.bulkSizeProblem) }
    static var duplicateMemory: Self { .init("duplicate_memory", \.duplicateMemory, check: RunOptions.duplicateMemoryProblem) }

    static var all: [Self] { [concurrency, maxAttempts, shards, bulkSize, duplicateMemory] }
}

extension RunSetting where Value == Double {
    init(_ key: String, _ field: WritableKeyPath<RunOptionsLayer, Double?>,
         check: @escaping (Double) -> String? = RunOptions.secondsProblem) {
        self.init(key, field, parse: { Double($0.trimmingCharacters(in: .whitespaces)) }, kind: "a number of seconds",
                  check: check)
    }

    static var timeout: Self { .init("timeout", \.timeout, check: RunOptions.timeoutProblem) }
    static var backoffBase: Self { .init("backoff_base", \.backoffBase) }
    static var backoffCap: Self { .init("backoff_cap", \.backoffCap) }
    static var breakerSeconds: Self { .init("breaker_seconds", \.breakerSeconds) }
    static var settle: Self { .init("settle", \.settle) }
    /// Unchecked, as it always was: the progress log clamps it to at least half a second.
    static var progressInterval: Self { .init("progress_interval", \.progressInterval, check: { _ in nil }) }

    static var all: [Self] { [timeout, backoffBase, backoffCap, breakerSeconds, settle, progressInterval] }
}

extension RunSetting where Value == Bool {
    init(_ key: String, _ field: WritableKeyPath<RunOptionsLayer, Bool?>) {
        self.init(key, field, parse: Self.parseSwitch, kind: "true or false")
    }

    static func parseSwitch(_ text: String) -> Bool? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: return nil
        }
    }

    static var skipRejected: Self { .init("skip_rejected", \.skipRejected) }
    static var reprocess: Self { .init("reprocess", \.reprocess) }
    static var rebindLedger: Self { .init("rebind_ledger", \.rebindLedger) }
    static var preflight: Self { .init("preflight", \.preflight) }
    static var bulk: Self { .init("bulk", \.bulk) }

    static var all: [Self] { [skipRejected, reprocess, rebindLedger, preflight, bulk] }
}
