import Foundation
import Testing

/// The promise that matters most: kill the importer at any moment, run it again, and every
/// row ends up earned exactly once, against a server that fails in every way it can.
@Suite(.serialized) struct ResumeAfterKillTests {
    @Test func sigkillAtRandomPointsThenRerunEarnsEveryRowExactlyOnce() throws {
        let rows = 3_000
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: rows))
        let mock = try MockServerProcess([
            "--seed", "42", "--latency-ms", "2", "--jitter-ms", "2",
            "--fail-before-rate", "0.05", "--fail-after-commit-rate", "0.03",
            "--drop-after-commit-rate", "0.03", "--throttle-rate", "0.03", "--retry-after", "0",
        ])
        // A fixed pace: the mock's 429s here are random faults, not a limit to learn.
        let args = ["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--quiet",
                    "--concurrency", "8", "--max-attempts", "8", "--backoff-base", "0.01", "--backoff-cap", "0.1",
                    "--rate", "2000/s"]
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
        #expect(try mock.stat("committedEarns") == rows)

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
