import Foundation
import Testing

/// The promise that matters most: kill the importer at any moment, run it again, and every
/// row ends up earned exactly once, against a server that fails in every way it can.
@Suite(.serialized) struct ResumeAfterKillTests {
    /// The catalog's issue-and-earn badge: its rows are refused 811 until their customers are issued it.
    static let issueAndEarn = "66da90348bdb494a4f06576f"

    /// `keepRejectedIds`: the mock burns the requestIds it refuses (as the real service may).
    /// A first, whole run has 200 more rows refused 811 and recorded; their customers are then
    /// issued the badge, and the killed runs and reruns resend them under `-g1`: earned exactly
    /// once, a send whose answer a kill lost resent as `-g1` again (never `-g2`, which could earn
    /// twice).
    @Test(arguments: [false, true])
    func sigkillAtRandomPointsThenRerunEarnsEveryRowExactlyOnce(keepRejectedIds: Bool) throws {
        let refused: [Int64] = keepRejectedIds ? (0..<200).map { 80_000_001 + $0 } : []
        let rows = 3_000 + refused.count
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 3_000))
        try dir.write("refused.csv", "badgeMetaId,customerId,earnEventDate,ownerType,referenceId\n" + refused.map {
            "\(Self.issueAndEarn),\($0),2025-03-01T10:00:00Z,Historical_Import,streak\n"
        }.joined())
        let catalog = BadgeImportBinary.samples.appendingPathComponent("badges.json").path
        let mock = try MockServerProcess([
            "--seed", "42", "--latency-ms", "2", "--jitter-ms", "2",
            "--fail-before-rate", "0.05", "--fail-after-commit-rate", "0.03",
            "--drop-after-commit-rate", "0.03", "--throttle-rate", "0.03", "--retry-after", "0",
        ] + (keepRejectedIds ? ["--badges", catalog, "--keep-rejected-ids"] : []))
        let inputs = keepRejectedIds ? ["refused.csv", "earns.csv"] : ["earns.csv"]
        // A fixed pace: the mock's 429s here are random faults, not a limit to learn.
        let args = ["run"] + inputs + ["--base-url", mock.baseURL, "--ledger", "l.ledger", "--quiet",
                    "--concurrency", "8", "--max-attempts", "8", "--backoff-base", "0.01", "--backoff-cap", "0.1",
                    "--rate", "2000/s"]
        if keepRejectedIds {
            let first = try BinaryProcess.run(["run", "refused.csv"] + args.dropFirst(3) + ["--report-dir", "refused"],
                                              directory: dir.url)
            #expect(first.exitCode == 1, "\(first.stdout)")
            #expect(try mock.stat("rejectedRequests") == refused.count)
            for customer in refused {
                #expect(try mock.post("/__issue", #"{"badgeMetaId":"\#(Self.issueAndEarn)","customerId":\#(customer)}"#) == 200)
            }
        }
        var generator = SplitMix(seed: 2026)
        for round in 0..<4 {
            let run = try BinaryProcess(args + ["--report-dir", "killed-\(round)"], directory: dir.url)
            usleep(UInt32(150_000 + generator.next() % 700_000))
            run.signal(SIGKILL)
            run.wait()
        }
        var last = ProcessResult(exitCode: -1, stdout: "", stderr: "")
        for round in 0..<5 where last.exitCode != 0 {
            last = try BinaryProcess.run(args + ["--report-dir", "final-\(round)"], directory: dir.url, timeout: 180)
        }
        #expect(last.exitCode == 0, "\(last.stdout)\n\(last.stderr)")
        #expect(try mock.stat("doubleEarns") == 0)
        #expect(try mock.stat("committedEarns") == rows, "a refused row answered 809 for its burned id was never earned")
        if keepRejectedIds {
            let again = try CSVText.rows(dir.read("final-0/results.csv")).dropFirst().filter { $0.first == "refused.csv" }
            #expect(again.count == refused.count && again.allSatisfy { $0[11] == $0[2] + "-g1" }, "\(again.prefix(3))")
        }

        // Every input key is on the server exactly once.
        let earns = String(decoding: try mock.get("/__earns"), as: UTF8.self)
        var customers: [Int64: Int] = [:]
        for line in earns.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let customer = (object["customerId"] as? NSNumber)?.int64Value else { continue }
            customers[customer, default: 0] += 1
        }
        #expect(customers.count == rows)
        #expect(customers.values.allSatisfy { $0 == 1 })
    }
}

/// A small seeded generator so the kill points are the same on every machine.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt32 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt32(truncatingIfNeeded: z ^ (z >> 31))
    }
}
