import ArgumentParser
import BadgeImport
import Foundation
import MockEarnAPI

extension RunCommand {
    /// Maps the flags onto the library's settings (which add the environment, the profile, the
    /// defaults and every check), and starts the embedded mock when asked. Throws on the first
    /// problem, before any request. `warnings` are for the operator, to log before the run starts.
    func prepare(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> (configuration: RunOptions, mock: MockEarnServer?, warnings: [String]) {
        var resolver = try RunOptionsResolver.loadingProfile(
            flags: flagsLayer, configPath: connection.config, profileName: connection.profile, environment: environment)
        let (files, mapping, unsettled) = try input.resolve(inputs, settle: try resolver.settle())
        // An empty drop folder is a quiet night, not a mistake; so is one whose files are all
        // still being written (each named in a warning above).
        guard !files.isEmpty else { throw NothingToDo(arguments: inputs, unsettled: unsettled.count) }

        var mock: MockEarnServer?
        let options = try resolver.resolve(inputs: files, mapping: mapping) {
            let server = try EmbeddedMock.start(catalogPath: mockBadges)
            mock = server
            return server.baseURL
        }
        return (options, mock, options.plaintextCredentialsWarning.map { [$0] } ?? [])
    }

    /// The flags as the library's top layer: a flag not given is nil, so the environment, the
    /// profile or the default decides. An on/off flag is only ever "on" here: off is "not given".
    private var flagsLayer: RunOptionsLayer {
        var flags = RunOptionsLayer()
        connection.apply(to: &flags)
        flags.mock = mock ? true : nil
        flags.ledger = ledger
        flags.rebindLedger = rebindLedger ? true : nil
        flags.concurrency = concurrency
        flags.duplicateMemory = duplicateMemory
        flags.rate = rate
        flags.maxAttempts = maxAttempts
        flags.timeout = timeout
        flags.backoffBase = backoffBase
        flags.backoffCap = backoffCap
        flags.breakerSeconds = breakerSeconds
        flags.reportDir = reportDir
        flags.skipRejected = skipRejected ? true : nil
        flags.dryRun = dryRun ? true : nil
        flags.preflight = noPreflight ? false : nil
        flags.reprocess = reprocess ? true : nil
        flags.shard = shard
        flags.shards = shards
        flags.archiveDir = archiveDir
        flags.settle = input.settle
        flags.progressInterval = progressInterval
        monitoring.apply(to: &flags)
        flags.bulk = bulk ? true : nil
        flags.bulkSize = bulkSize
        return flags
    }
}

/// Every input named was a folder, and none held an input file.
struct NothingToDo: Error {
    var arguments: [String]
    /// Files found but left for the next run, not settled yet.
    var unsettled = 0
}
