import ArgumentParser
import BadgeImport
import Foundation
import MockEarnAPI

extension RunCommand {
    /// Resolves flags, environment, profile and defaults into one checked configuration, and
    /// starts the embedded mock when asked. Throws on the first problem, before any request.
    /// `warnings` are for the operator, to log before the run starts.
    func prepare(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> (configuration: ImportConfiguration, mock: MockEarnServer?, warnings: [String]) {
        let (files, mapping, unsettled) = try input.resolve(inputs, environment: environment)
        // An empty drop folder is a quiet night, not a mistake; so is one whose files are all
        // still being written (each named in a warning above).
        guard !files.isEmpty else { throw NothingToDo(arguments: inputs, unsettled: unsettled.count) }

        // Layers: flags, then environment, then profile, then defaults.
        let flags = RunSettingsInput(
            baseURL: baseURL, authKind: self.mock ? AuthKind.none : nil, username: username,
            passwordFile: passwordFile, rate: rate, concurrency: concurrency, ledger: ledger, origin: "flags")
        var profileLayer: RunSettingsInput?
        let configPath = try ConfigFile.locate(explicitPath: config, environment: environment,
                                               fileExists: { FileManager.default.fileExists(atPath: $0) })
        if let configPath {
            let file = try ConfigFile.load(path: configPath)
            if let name = file.selectedProfileName(flag: profile, environment: environment) {
                profileLayer = try file.profile(named: name)
            }
        } else if let profile {
            throw ValidationError("--profile \(profile): no configuration file (give --config FILE or create badge-import.toml)")
        }
        let settings = try ResolvedSettings.resolve(
            flags: flags, environment: environment, profile: profileLayer,
            readFile: { path in try String(contentsOfFile: path, encoding: .utf8) })

        guard maxAttempts >= 1 else { throw ValidationError("--max-attempts must be at least 1") }
        guard timeout > 0, backoffBase >= 0, backoffCap >= 0, breakerSeconds >= 0 else {
            throw ValidationError("--timeout must be positive; --backoff-base, --backoff-cap and --breaker-seconds not negative")
        }

        var mock: MockEarnServer?
        var warnings: [String] = []
        let target: String
        var auth: EarnAuthSettings
        if self.mock {
            guard baseURL == nil else { throw ValidationError("--mock and --base-url exclude each other") }
            var catalog: BadgeCatalog?
            // The sample catalog from a checkout, else where the container image keeps it.
            let defaultCatalogs = ["samples/badges.json", "/opt/badge-import/samples/badges.json"]
            if let path = mockBadges ?? defaultCatalogs.first(where: { FileManager.default.fileExists(atPath: $0) }) {
                catalog = try BadgeCatalog.load(path: path)
            }
            let server = try MockEarnServer.start(MockConfiguration(catalog: catalog))
            mock = server
            target = server.baseURL
            auth = .none
        } else {
            guard let base = settings.baseURL else {
                throw ValidationError("no API to send to: give --base-url URL (or CAP_BASE_URL, or a profile), or --mock")
            }
            try Self.checkBaseURL(base)
            target = base
            switch settings.auth {
            case .none: auth = .none
            case .basic(let user, let password): auth = .basic(username: user, password: password.revealed)
            case .oauth(let key, let secret): auth = .oauth(clientKey: key.revealed, clientSecret: secret.revealed)
            }
            if let warning = Self.plaintextCredentialsWarning(baseURL: base, auth: auth) { warnings.append(warning) }
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw ValidationError("--ca-file \(caFile): cannot read the file")
        }

        var selectedShard: Shard?
        if let shard { selectedShard = try Shard(parsing: shard) }
        if let shards {
            guard shard == nil else { throw ValidationError("--shard and --shards exclude each other") }
            selectedShard = try Shard.fromEnvironment(environment, shards: shards)
        }

        // The mock's "earned" rows exist nowhere else: its default ledger is its own.
        let ledgerPath = self.mock && settings.origins["ledger"] == "default" ? Ledger.defaultMockPath : settings.ledger
        var configuration = ImportConfiguration(
            inputs: files, mapping: mapping, baseURL: target, auth: auth, ledgerPath: ledgerPath)
        if self.mock { configuration.ledgerTarget = .embeddedMock }
        configuration.rebindLedger = rebindLedger
        configuration.caFile = caFile
        configuration.concurrency = settings.concurrency
        configuration.rate = settings.rate
        configuration.maxAttempts = maxAttempts
        configuration.timeout = timeout
        configuration.backoffBase = backoffBase
        configuration.backoffCap = backoffCap
        configuration.breakerWindow = breakerSeconds
        configuration.reportDir = reportDir ?? settings.reportDirectoryTemplate
        configuration.skipRejected = skipRejected
        configuration.dryRun = dryRun
        configuration.reprocess = reprocess
        configuration.shard = selectedShard
        configuration.archiveDir = archiveDir
        configuration.recordedOptions = recordedOptions(settings: settings, target: target, shard: selectedShard)
        return (configuration, mock, warnings)
    }

    /// Basic credentials (user name and password hash) or an OAuth secret over plain http://
    /// to another machine can be read by anyone on the path. Loopback (a local mock, a tunnel
    /// or sidecar proxy on this host) is fine; so is no auth at all.
    static func plaintextCredentialsWarning(baseURL: String, auth: EarnAuthSettings) -> String? {
        if case .none = auth { return nil }
        guard let url = URL(string: baseURL), url.scheme?.lowercased() == "http", let host = url.host,
              !isLoopback(host: host) else { return nil }
        return "http://\(host) sends your credentials unencrypted; use https://"
    }

    /// localhost, 127.0.0.0/8, ::1 (and ::ffff:127.x.y.z).
    static func isLoopback(host rawHost: String) -> Bool {
        var host = rawHost.lowercased()
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            let bytes = withUnsafeBytes(of: v6) { Array($0) }
            if bytes == [UInt8](repeating: 0, count: 15) + [1] { return true }
            // An IPv4-mapped loopback address.
            return bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff && bytes[12] == 127
        }
        return false
    }

    /// The options worth keeping with the run in the ledger and summary: never a secret.
    private func recordedOptions(settings: ResolvedSettings, target: String, shard: Shard?) -> [String: String] {
        var options = settings.scrubbedOptions
        options["base_url"] = mock ? "embedded mock (\(target))" : target
        if mock && settings.origins["ledger"] == "default" { options["ledger"] = Ledger.defaultMockPath }
        options["max_attempts"] = String(maxAttempts)
        options["timeout"] = String(timeout)
        if let shard { options["shard"] = shard.description }
        if skipRejected { options["skip_rejected"] = "true" }
        if dryRun { options["dry_run"] = "true" }
        if let namespace = input.keyNamespace { options["key_namespace"] = namespace }
        return options
    }

    static func checkBaseURL(_ text: String) throws {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(),
              scheme == "https" || scheme == "http", let host = url.host, !host.isEmpty else {
            throw ValidationError("base URL '\(text)' is not an http(s) URL, e.g. https://eu.api.capillarytech.com")
        }
        guard url.user == nil, url.password == nil else {
            throw ValidationError("base URL must not carry credentials; use CAP_USERNAME and CAP_PASSWORD")
        }
    }
}

/// Every input named was a folder, and none held an input file.
struct NothingToDo: Error {
    var arguments: [String]
    /// Files found but left for the next run, not settled yet.
    var unsettled = 0
}
