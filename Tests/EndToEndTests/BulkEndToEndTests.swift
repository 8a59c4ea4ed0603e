import Foundation
import Testing

/// `run --bulk`, `--dry-run --bulk` and `validate --bulk-preview` through the real binary.
@Suite struct BulkEndToEndTests {
    @Test func bulkRunReportsBatchesRowsPerRequestAndTheHalving() throws {
        let dir = try TemporaryDirectory()
        try dir.write("g.csv", BulkResumeAfterKillTests.groupedCSV(rows: 900, seed: 4))
        // 150 is over the embedded mock's 100: one halving, said on the screen and in the summary.
        let run = try BinaryProcess.run(["run", "--mock", "g.csv", "--bulk", "--bulk-size", "150", "--ledger", "l.ledger",
                                         "--report-dir", "r", "--quiet"], directory: dir.url)
        #expect(run.exitCode == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("earned              900"))
        #expect(run.stdout.contains("rows per request") && run.stdout.contains("bulk size halved 1x to 75"))
        #expect(run.stderr.contains("bulk size halved for the rest of the run"))
        let results = try dir.read("r/results.csv").split(separator: "\n")
        #expect(results.first?.hasSuffix(",attempts,sentRequestId,batchRequestId") == true)
        #expect(results.dropFirst().allSatisfy { $0.split(separator: ",").last?.count == 64 })
        let summary = try JSONSerialization.jsonObject(with: Data(try dir.read("r/summary.json").utf8)) as? [String: Any]
        let bulk = try #require(summary?["bulk"] as? [String: Any])
        #expect((bulk["rowsPerRequest"] as? Double ?? 0) > 10)
        #expect((bulk["halvings"] as? [String])?.count == 1)
        #expect(try dir.read("r/report.html").contains("data-metric=\"rows-per-request\""))

        // A rerun: everything already done, nothing sent.
        let again = try BinaryProcess.run(["run", "--mock", "g.csv", "--bulk", "--reprocess", "--ledger", "l.ledger",
                                           "--report-dir", "r2", "--quiet"], directory: dir.url)
        #expect(again.exitCode == 0 && again.stdout.contains("already-done        900"))
    }

    @Test func dryRunAndValidateSayHowManyRequestsWithAndWithoutBulk() throws {
        let dir = try TemporaryDirectory()
        try dir.write("g.csv", BulkResumeAfterKillTests.groupedCSV(rows: 500, seed: 5))
        let dry = try BinaryProcess.run(["run", "--mock", "g.csv", "--bulk", "--dry-run", "--ledger", "l.ledger",
                                         "--report-dir", "d", "--quiet"], directory: dir.url)
        #expect(dry.exitCode == 0, "\(dry.stdout)\n\(dry.stderr)")
        let line = dry.stdout.split(separator: "\n").first { $0.contains("would send 500 rows:") }
        #expect(line?.contains("requests with --bulk (bulk size 100") == true && line?.hasSuffix("500 without") == true)
        let validate = try BinaryProcess.run(["validate", "g.csv", "--bulk-preview", "--bulk-size", "50"], directory: dir.url)
        #expect(validate.exitCode == 0)
        #expect(validate.stdout.contains("bulk preview: 500 rows:") && validate.stdout.contains("(bulk size 50,"))
    }
}
