import Foundation
import Logging
import MockEarnAPI
@testable import BadgeImport

/// A real run for the monitoring tests: the in-process mock, a CSV of valid rows (and invalid
/// ones on request, so the run exits 1), a ledger and report in a fresh folder.
final class MonitoringFixture {
    static let badge = "66276dc68fe258516a88ff8e"
    let directory: URL
    let mock: MockEarnServer

    init(mock configuration: MockConfiguration = MockConfiguration()) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("monitoring-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        mock = try MockEarnServer.start(configuration)
    }

    deinit {
        mock.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// `valid` earnable rows from `firstCustomer` on, then `invalid` rows with a bad customerId.
    func input(_ name: String, valid: Int, invalid: Int = 0, firstCustomer: Int = 70_000_001) throws -> InputFile {
        var csv = "badgeMetaId,customerId,earnEventDate,ownerType,referenceId\n"
        for index in 0..<valid {
            csv += "\(Self.badge),\(firstCustomer + index),2025-03-01T10:00:\(String(format: "%02d", index % 60))Z,Historical_Import,ref-\(index)\n"
        }
        for index in 0..<invalid { csv += "\(Self.badge),not-a-number-\(index),2025-03-01T10:00:00Z,Historical_Import,bad-\(index)\n" }
        try csv.write(toFile: path(name), atomically: true, encoding: .utf8)
        return try InputFile(path: path(name))
    }

    func options(_ inputs: [InputFile], report: String) -> RunOptions {
        var options = RunOptions(inputs: inputs, mapping: MappingOptions(), baseURL: mock.baseURL, auth: .none,
                                 ledgerPath: path("run.ledger"))
        options.reportDir = path(report)
        options.concurrency = 2
        options.progressInterval = 0.5
        return options
    }

    /// The summary.json the run wrote.
    func summary(_ report: String) throws -> RunSummary {
        try RunSummary.decode(Data(contentsOf: URL(fileURLWithPath: path(report) + "/summary.json")))
    }
}
