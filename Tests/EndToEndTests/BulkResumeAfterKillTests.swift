import Foundation
import Testing

/// The bulk promise: kill a `--bulk` run at any moment (SIGKILL), run again with another order,
/// bulk size or without `--bulk`, and every event is earned exactly once, against a server that
/// commits and then drops the connection or answers 500, and that refuses batches too large.
@Suite(.serialized) struct BulkResumeAfterKillTests {
    /// Groups of 20 to 300 customers sharing badge, owner, reference and date, rows shuffled.
    static func groupedCSV(rows: Int, seed: UInt64) -> String {
        var generator = SplitMix(seed: seed)
        var lines: [String] = []
        var group = 0
        while lines.count < rows {
            let size = min(rows - lines.count, 20 + Int(generator.next() % 281))
            for member in 0..<size {
                lines.append("\(EarnFixtures.badge),\(80_000_001 + lines.count),2025-04-\(10 + group % 18)T0\(group % 10):15:00Z,"
                             + "Historical_Import,hist-\(group),\(member)")
            }
            group += 1
        }
        for index in stride(from: lines.count - 1, to: 0, by: -1) {
            lines.swapAt(index, Int(generator.next() % UInt32(index + 1)))
        }
        return "badgeMetaId,customerId,earnEventDate,ownerType,referenceId,member\n" + lines.joined(separator: "\n") + "\n"
    }

    @Test func sigkillDuringBulkRunsThenRerunEarnsEveryEventExactlyOnce() throws {
        let rows = 12_000
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", Self.groupedCSV(rows: rows, seed: 9))
        // Read by the round without --bulk, so the runs after it must send its unrecorded rows
        // one by one (that round announced nothing).
        let strays = 400
        try dir.write("strays.csv", EarnFixtures.csv(rows: strays, firstCustomer: 90_000_001))
        let mock = try MockServerProcess([
            "--seed", "43", "--latency-ms", "3", "--jitter-ms", "3", "--bulk-max", "60",
            "--fail-before-rate", "0.05", "--fail-after-commit-rate", "0.1",
            "--drop-after-commit-rate", "0.1", "--throttle-rate", "0.03", "--retry-after", "0",
        ])
        let base = ["run", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--quiet",
                    "--concurrency", "4", "--max-attempts", "8", "--backoff-base", "0.01", "--backoff-cap", "0.05",
                    "--timeout", "5", "--rate", "150/s"]
        // Each round another bulk size (80 is over the mock's 60: 818, halved); one without --bulk.
        let sizes: [String?] = ["50", "80", nil, "25", "40"]
        var generator = SplitMix(seed: 2027)
        for (round, size) in sizes.enumerated() {
            let bulk = size.map { ["earns.csv", "--bulk", "--bulk-size", $0] } ?? ["strays.csv"]
            let run = try BinaryProcess(base + bulk + ["--report-dir", "killed-\(round)"], directory: dir.url)
            usleep(UInt32(200_000 + generator.next() % 900_000))
            run.signal(SIGKILL)
            run.wait()
        }
        var last = ProcessResult(exitCode: -1, stdout: "", stderr: "")
        for round in 0..<5 where last.exitCode != 0 {
            last = try BinaryProcess.run(base + ["earns.csv", "strays.csv", "--bulk", "--bulk-size", "30", "--report-dir", "final-\(round)"],
                                         directory: dir.url, timeout: 120)
        }
        #expect(last.exitCode == 0, "\(last.stdout)\n\(last.stderr)")
        #expect(try mock.stat("doubleEarns") == 0)
        #expect(try mock.stat("committedEarns") == rows + strays)
        #expect(try mock.stat("bulkRequests") > 0)
        #expect(try mock.stat("droppedAfterCommit") + mock.stat("500AfterCommit") > 0, "the faults that make resending matter happened")

        let earns = String(decoding: try mock.get("/__earns"), as: UTF8.self)
        var customers: [Int64: Int] = [:]
        for line in earns.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let customer = (object["customerId"] as? NSNumber)?.int64Value else { continue }
            customers[customer, default: 0] += 1
        }
        #expect(customers.count == rows + strays)
        #expect(customers.values.allSatisfy { $0 == 1 })
    }
}
