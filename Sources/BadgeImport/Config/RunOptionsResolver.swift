import Foundation

/// Turns the layers of `run` settings into one checked `RunOptions`. Precedence, highest
/// first, field by field:
///
/// 1. flags (the `RunOptionsLayer` the command maps its options onto);
/// 2. environment: `BADGE_IMPORT_<KEY>` for every key of the catalog (RunSetting.swift),
///    CAP_BASE_URL, and the credentials' CAP_* names (empty values count as unset;
///    BADGE_IMPORT_PROFILE picks the profile, see ConfigFile.selectedProfileName);
/// 3. the selected profile of the config file;
/// 4. the defaults, in `RunOptions`.
///
/// The first problem found is thrown, before anything is started or sent.
public struct RunOptionsResolver {
    public var flags: RunOptionsLayer
    public var profile: RunOptionsLayer?
    let environment: [String: String]
    /// Secret files are read through this, so tests can prove which ones were (not) read.
    let readFile: (String) throws -> String
    let isReadable: (String) -> Bool
    /// Where each setting came from ("--rate", "environment CAP_BASE_URL",
    /// "profile 'x' (file:3)", "default"), keyed like the config file's keys; recorded with the run.
    public internal(set) var origins: [String: String] = [:]

    public init(flags: RunOptionsLayer, environment: [String: String], profile: RunOptionsLayer?,
                readFile: @escaping (String) throws -> String = { try String(contentsOfFile: $0, encoding: .utf8) },
                isReadable: @escaping (String) -> Bool = { FileManager.default.isReadableFile(atPath: $0) }) {
        self.flags = flags
        self.profile = profile
        self.environment = environment.filter { !$0.value.isEmpty }
        self.readFile = readFile
        self.isReadable = isReadable
    }

    /// With the profile the command line or the environment selects: `configPath` is
    /// `--config`, `profileName` is `--profile` (see ConfigFile.locate and selectedProfileName).
    public static func loadingProfile(flags: RunOptionsLayer, configPath: String?, profileName: String?,
                                      environment: [String: String],
                                      fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) })
        throws(ConfigError) -> RunOptionsResolver {
        var profile: RunOptionsLayer?
        if let path = try ConfigFile.locate(explicitPath: configPath, environment: environment, fileExists: fileExists) {
            let file = try ConfigFile.load(path: path)
            if let name = file.selectedProfileName(flag: profileName, environment: environment) {
                profile = try file.profile(named: name)
            }
        } else if let profileName {
            throw .invalidSetting(source: "--profile \(profileName)",
                                  message: "no configuration file (give --config FILE or create badge-import.toml)")
        }
        return RunOptionsResolver(flags: flags, environment: environment, profile: profile)
    }

    /// Needed before the rest, to know which files of a folder are complete enough to read.
    public mutating func settle() throws(ConfigError) -> Double {
        try value(.settle, default: RunOptions.defaultSettle)
    }

    /// Every setting of the run. `startMock` is called, last and only for `--mock`, once every
    /// check has passed, and answers the mock's base URL.
    public mutating func resolve(inputs: [InputFile], mapping: MappingOptions,
                                 startMock: () throws -> String) throws -> RunOptions {
        let mock = flags.mock == true
        let baseURL = try value(.baseURL)
        if mock, flags.baseURL != nil {
            throw ConfigError.conflictingSettings(source: "--mock and --base-url", message: "they exclude each other")
        }
        if !mock, baseURL == nil { throw ConfigError.missingBaseURL }
        // Checked by value(_:): only "unlimited" and its synonyms come back nil here.
        let rate = try value(.rate).flatMap { text in try? RateSpec.parseSetting(text) }
        let concurrency = try value(.concurrency, default: RunOptions.defaultConcurrency)
        let ledger = try value(.ledger, default: mock ? RunOptions.defaultMockLedger : RunOptions.defaultLedger)
        let reportDir = try reportDirectory()
        let auth = try mock ? noAuthForTheMock() : resolveAuth()

        var options = RunOptions(inputs: inputs, mapping: mapping, baseURL: baseURL ?? "", auth: auth, ledgerPath: ledger)
        options.concurrency = concurrency
        options.rate = rate
        options.reportDir = reportDir
        try resolveRetries(into: &options)
        options.caFile = try value(.caFile)
        if let caFile = options.caFile, let problem = RunOptions.caFileProblem(caFile, isReadable: isReadable) {
            throw ConfigError.invalidSetting(source: "\(origins["ca_file"] ?? "ca_file") \(caFile)", message: problem)
        }
        options.shard = try resolveShard()
        options.rebindLedger = try value(.rebindLedger, default: false)
        options.skipRejected = try value(.skipRejected, default: false)
        options.reprocess = try value(.reprocess, default: false)
        options.dryRun = flags.dryRun ?? false
        options.preflight = try value(.preflight, default: true)
        options.archiveDir = try value(.archiveDir)
        options.settle = try settle()
        options.progressInterval = try value(.progressInterval, default: RunOptions.defaultProgressInterval)
        try resolveMonitoring(into: &options)
        options.bulk = try value(.bulk, default: false)
        options.bulkSize = try value(.bulkSize, default: RunOptions.defaultBulkSize)
        options.duplicateMemory = try value(.duplicateMemory, default: RunOptions.defaultDuplicateMemory)
        if mock {
            options.baseURL = try startMock()
            options.ledgerTarget = .embeddedMock
        }
        options.recordedOptions = recordedOptions(of: options, mock: mock)
        return options
    }

    private mutating func resolveRetries(into options: inout RunOptions) throws(ConfigError) {
        options.maxAttempts = try value(.maxAttempts, default: RunOptions.defaultMaxAttempts)
        options.timeout = try value(.timeout, default: RunOptions.defaultTimeout)
        options.backoffBase = try value(.backoffBase, default: RunOptions.defaultBackoffBase)
        options.backoffCap = try value(.backoffCap, default: RunOptions.defaultBackoffCap)
        options.breakerWindow = try value(.breakerSeconds, default: RunOptions.defaultBreakerSeconds)
    }

    private mutating func resolveMonitoring(into options: inout RunOptions) throws(ConfigError) {
        options.profileName = profile?.profileName
        options.metricsFile = try value(.metricsFile)
        options.pushgateway = try value(.pushgateway)
        options.metricsInstance = try value(.metricsInstance)
        options.metricsListen = try value(.metricsListen)
        options.notifyURL = try value(.notifyURL)
        // Checked by value(_:).
        options.notifyOn = try value(.notifyOn).flatMap { NotifyPolicy(rawValue: $0.lowercased()) } ?? RunOptions.defaultNotifyOn
    }

    // MARK: - One setting through the layers

    /// The first layer's value, checked, or nil when no layer has one.
    mutating func value<Value>(_ setting: RunSetting<Value>) throws(ConfigError) -> Value? {
        let found: Value, origin: String
        if let flag = flags[keyPath: setting.field] {
            (found, origin) = (flag, flags.origin(of: setting.key))
        } else if let raw = environment[setting.environmentName] {
            origin = "environment \(setting.environmentName)"
            guard let parsed = setting.parse(raw) else {
                throw .invalidSetting(source: origin, message: "'\(raw)' is not \(setting.kind)")
            }
            found = parsed
        } else if let profile, let fromProfile = profile[keyPath: setting.field] {
            (found, origin) = (fromProfile, profile.origin(of: setting.key))
        } else {
            return nil
        }
        if let problem = setting.check(found) { throw .invalidSetting(source: origin, message: problem) }
        origins[setting.key] = origin
        return found
    }

    mutating func value<Value>(_ setting: RunSetting<Value>, default fallback: Value) throws(ConfigError) -> Value {
        if let found = try value(setting) { return found }
        origins[setting.key] = "default"
        return fallback
    }

    /// A flag names this run's directory; the environment and profiles name the parent of
    /// every run's directory (so runs do not overwrite each other's reports), as do the defaults.
    private mutating func reportDirectory() throws(ConfigError) -> String {
        let root = try value(.reportDir, default: RunOptions.defaultReportRoot)
        return flags.reportDir != nil ? root : RunOptions.reportDirectory(root: root)
    }

    /// `--shard I/N` and `--shards N` are one setting given two ways: the highest layer giving
    /// either wins, and a layer giving both is a conflict.
    private mutating func resolveShard() throws(ConfigError) -> Shard? {
        let byIndex = layer(giving: RunSetting.shard), byCount = layer(giving: RunSetting.shards)
        if let byIndex, byIndex == byCount {
            throw .conflictingSettings(source: "\(origin(in: byIndex, of: .shard)) and \(origin(in: byIndex, of: .shards))",
                                       message: "they exclude each other")
        }
        if let byIndex, byIndex < byCount ?? .max, let text = try value(.shard) {
            return try? Shard(parsing: text)  // checked by value(_:)
        }
        guard let count = try value(.shards) else { return nil }
        do { return try Shard.fromEnvironment(environment, shards: count) } catch {
            throw .invalidSetting(source: origins["shards"] ?? "shards", message: error.description)
        }
    }

    /// 0 flags, 1 environment, 2 profile: the highest layer that gives the setting.
    private func layer<Value>(giving setting: RunSetting<Value>) -> Int? {
        if flags[keyPath: setting.field] != nil { return 0 }
        if environment[setting.environmentName] != nil { return 1 }
        if profile?[keyPath: setting.field] != nil { return 2 }
        return nil
    }

    private func origin<Value>(in layer: Int, of setting: RunSetting<Value>) -> String {
        switch layer {
        case 0: return flags.origin(of: setting.key)
        case 1: return "environment \(setting.environmentName)"
        default: return profile?.origin(of: setting.key) ?? setting.key
        }
    }
}
