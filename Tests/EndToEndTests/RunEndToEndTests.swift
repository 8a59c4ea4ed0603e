import Foundation
import Testing

/// The real binary against the real mock server over loopback, with real ledgers and reports.
@Suite(.serialized) struct RunEndToEndTests {
    @Test func finishedFileRerunSendsNothingAndExitsZero() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 300))
        let mock = try MockServerProcess()
        let args = ["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--quiet"]

        let first = try BinaryProcess.run(args + ["--report-dir", "r1"], directory: dir.url)
        #expect(first.exitCode == 0, "\(first.stdout)\n\(first.stderr)")
        #expect(try mock.stat("committedEarns") == 300)
        let requestsAfterFirst = try mock.stat("requests")

        // Same bytes again: the ledger knows the file as fully processed and skips it whole.
        let second = try BinaryProcess.run(args + ["--report-dir", "r2"], directory: dir.url)
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(try mock.stat("requests") == requestsAfterFirst, "a rerun of a finished file sends nothing")
        let skipped = try JSONSerialization.jsonObject(with: Data(dir.read("r2/summary.json").utf8)) as! [String: Any]
        #expect(((skipped["inputs"] as? [[String: Any]])?.first?["skipped"] as? Bool) == true)

        // Read anyway: every row is found done in the ledger, none is sent.
        let third = try BinaryProcess.run(args + ["--report-dir", "r3", "--reprocess"], directory: dir.url)
        #expect(third.exitCode == 0, "\(third.stderr)")
        #expect(try mock.stat("requests") == requestsAfterFirst)
        let results = try CSVText.rows(dir.read("r3/results.csv"))
        #expect(results.count == 301)
        #expect(results.dropFirst().allSatisfy { $0[3] == "already-done" })
        let summary = try JSONSerialization.jsonObject(with: Data(dir.read("r3/summary.json").utf8)) as! [String: Any]
        #expect((summary["requestsSent"] as? Int) == 0)
    }

    @Test func concurrencyNMeansNRequestsInFlightAtOnce() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 96))
        // Every answer takes 150 ms, so the workers pile up on the server if they really run at once.
        let mock = try MockServerProcess(["--latency-ms", "150"])
        let result = try BinaryProcess.run(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                            "--report-dir", "out", "--quiet", "--concurrency", "16"], directory: dir.url)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(try mock.stat("maxInFlight") == 16)
        #expect(try mock.stat("committedEarns") == 96)
    }

    @Test func sampleBackfillAgainstEmbeddedMockExplainsEveryRow() throws {
        let dir = try TemporaryDirectory()
        let result = try BinaryProcess.run(
            ["run", "--mock", "--mock-badges", BadgeImportBinary.samples.appendingPathComponent("badges.json").path,
             BadgeImportBinary.samples.appendingPathComponent("backfill.csv").path,
             "--ledger", "l.ledger", "--report-dir", "out", "--quiet"], directory: dir.url)
        // The sample holds deliberately bad rows: invalid ones and ones the API rejects.
        #expect(result.exitCode == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("out/report.html"))
        let results = try CSVText.rows(dir.read("out/results.csv"))
        #expect(results[0].prefix(4) == ["source", "line", "requestId", "status"])
        let statuses = Set(results.dropFirst().map { $0[3] })
        #expect(statuses.isSubset(of: ["earned", "duplicate-in-input", "rejected", "invalid"]))
        #expect(statuses.contains("earned") && statuses.contains("invalid") && statuses.contains("rejected"))
        let failed = try CSVText.rows(dir.read("out/failed.csv"))
        #expect(Array(failed[0].suffix(3)) == ["line", "errorCode", "errorMessage"])
        let bad = results.dropFirst().filter { ["rejected", "invalid", "failed"].contains($0[3]) }
        #expect(failed.count - 1 == bad.count)
        for file in ["summary.json", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("out/\(file)").path))
        }
    }

    @Test func standardInputIsReadOnceAndImported() throws {
        let dir = try TemporaryDirectory()
        let mock = try MockServerProcess()
        let result = try BinaryProcess.run(
            ["run", "-", "--format", "csv", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--report-dir", "out", "--quiet"],
            directory: dir.url, stdin: Data(EarnFixtures.csv(rows: 25).utf8))
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(try mock.stat("committedEarns") == 25)
        #expect(try CSVText.rows(dir.read("out/results.csv")).dropFirst().allSatisfy { $0[0] == "-" && $0[3] == "earned" })
    }

    @Test func failedRowsFileFeedsBackAsInput() throws {
        let dir = try TemporaryDirectory()
        let samples = BadgeImportBinary.samples
        let first = try BinaryProcess.run(
            ["run", "--mock", "--mock-badges", samples.appendingPathComponent("badges.json").path,
             samples.appendingPathComponent("backfill.csv").path, "--ledger", "l.ledger", "--report-dir", "out", "--quiet"],
            directory: dir.url)
        #expect(first.exitCode == 1)
        // The failed file is an input again: same columns, the same rows fail the same way.
        let again = try BinaryProcess.run(["validate", "out/failed.csv", "--report-dir", "check"], directory: dir.url)
        #expect(again.exitCode == 1)
        let summary = try JSONSerialization.jsonObject(with: Data(dir.read("check/summary.json").utf8)) as! [String: Any]
        #expect(summary["records"] as? Int == 6)   // 4 invalid + 2 rejected
        #expect(summary["invalid"] as? Int == 4)
    }

    @Test func refusedCredentialsStopTheRunEarlyWithExitThree() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 2_000))
        let mock = try MockServerProcess(["--username", "store.server", "--password", "right-password"])
        let result = try BinaryProcess.run(
            ["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--report-dir", "out",
             "--concurrency", "4", "--quiet", "--username", "store.server"],
            environment: ["CAP_PASSWORD": "wrong-password"], directory: dir.url)
        #expect(result.exitCode == 3, "\(result.stdout)\n\(result.stderr)")
        #expect(try mock.stat("requests") <= 20, "stops after the first few refusals, not thousands")
        #expect(try mock.stat("committedEarns") == 0)
    }

    @Test func oauthTokenIsFetchedSharedAndRenewed() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 300))
        // Tokens live 1 s; the run takes longer, so it must renew them (before expiry, or once on a 401).
        let mock = try MockServerProcess(["--oauth-key", "client-key", "--oauth-secret", "client-secret-value",
                                          "--token-ttl", "1", "--latency-ms", "10"])
        let result = try BinaryProcess.run(
            ["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--report-dir", "out",
             "--quiet", "--concurrency", "2"],
            environment: ["CAP_CLIENT_KEY": "client-key", "CAP_CLIENT_SECRET": "client-secret-value"], directory: dir.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(try mock.stat("committedEarns") == 300)
        let tokens = try mock.stat("tokensIssued")
        #expect(tokens >= 2, "renewed at least once")
        #expect(tokens < 300, "shared by the workers, not fetched per request")
        #expect(!result.stderr.contains("client-secret-value") && !result.stdout.contains("client-secret-value"))

        let refused = try BinaryProcess.run(
            ["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l2.ledger", "--report-dir", "out2",
             "--quiet", "--reprocess"],
            environment: ["CAP_CLIENT_KEY": "client-key", "CAP_CLIENT_SECRET": "wrong"], directory: dir.url)
        #expect(refused.exitCode == 3, "\(refused.stdout)\n\(refused.stderr)")
    }

    @Test func secretsReachNoFileAndNoOutput() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 50))
        let password = "Sup3r-Secret-Passw0rd"
        let mock = try MockServerProcess(["--username", "store.server", "--password", password])
        let result = try BinaryProcess.run(
            ["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--report-dir", "out",
             "--username", "store.server", "--log-level", "debug"],
            environment: ["CAP_PASSWORD": password], directory: dir.url)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(!result.stdout.contains(password) && !result.stderr.contains(password))
        let files = FileManager.default.enumerator(atPath: dir.path)!.compactMap { $0 as? String }
        #expect(files.contains("l.ledger"))
        for file in files {
            let data = (try? Data(contentsOf: dir.url.appendingPathComponent(file))) ?? Data()
            #expect(data.range(of: Data(password.utf8)) == nil, "\(file) holds the password")
        }
    }

    @Test func secondProcessOnTheSameLedgerFailsAtOnce() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 400))
        let mock = try MockServerProcess(["--latency-ms", "50"])
        let args = ["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "shared.ledger", "--quiet",
                    "--concurrency", "2"]
        let first = try BinaryProcess(args + ["--report-dir", "r1"], directory: dir.url)
        // Give the first process time to open and lock the ledger.
        var waited = 0
        while try mock.stat("requests") < 1 && waited < 200 { usleep(50_000); waited += 1 }
        let started = Date()
        let second = try BinaryProcess.run(args + ["--report-dir", "r2"], directory: dir.url)
        #expect(second.exitCode == 2)
        #expect(second.stderr.contains("shared.ledger"))
        #expect(Date().timeIntervalSince(started) < 10)
        first.signal(SIGTERM)
        let firstResult = first.wait()
        #expect(firstResult.exitCode == 3, "SIGTERM stops the run with progress kept")
    }

    @Test func sigtermFinishesInFlightAndWritesTheReport() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 1_000))
        let mock = try MockServerProcess(["--latency-ms", "20"])
        let run = try BinaryProcess(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                     "--report-dir", "out", "--quiet", "--concurrency", "4"], directory: dir.url)
        var waited = 0
        while try mock.stat("committedEarns") < 50 && waited < 400 { usleep(25_000); waited += 1 }
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        #expect(result.exitCode == 3, "\(result.stderr)")
        let committed = try mock.stat("committedEarns")
        let results = try CSVText.rows(dir.read("out/results.csv")).dropFirst()
        let earned = results.filter { $0[3] == "earned" }.count
        // Every answer the server gave before the stop is in the report.
        #expect(earned == committed)

        // The next run completes the job, sending only what is left.
        let rest = try BinaryProcess.run(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                          "--report-dir", "out2", "--quiet"], directory: dir.url)
        #expect(rest.exitCode == 0)
        #expect(try mock.stat("committedEarns") == 1_000)
        #expect(try mock.stat("doubleEarns") == 0)
    }

    @Test func configurationErrorsExitTwoBeforeAnyRequest() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 5))
        let mock = try MockServerProcess()
        let cases: [[String]] = [
            ["run", "missing.csv", "--base-url", mock.baseURL],
            ["run", "earns.csv", "--base-url", mock.baseURL, "--rate", "fast"],
            ["run", "earns.csv"],
            ["run", "earns.csv", "--base-url", "not a url"],
            ["run", "earns.csv", "--base-url", mock.baseURL, "--concurrency", "0"],
        ]
        for args in cases {
            let result = try BinaryProcess.run(args + ["--ledger", "l.ledger", "--quiet"], directory: dir.url)
            #expect(result.exitCode == 2, "\(args): \(result.stderr)")
            #expect(!result.stderr.isEmpty)
        }
        #expect(try mock.stat("requests") == 0)
    }
}

/// Just enough CSV reading to check the reports (quoted fields, doubled quotes).
enum CSVText {
    static func rows(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text).makeIterator()
        var pending: Character? = nil
        while let c = pending ?? chars.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = chars.next() {
                        if next == "\"" { field.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { field.append(c) }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                row.append(field); field = ""
            } else if c == "\n" || c == "\r\n" || c == "\r" {
                row.append(field); field = ""
                rows.append(row); row = []
            } else {
                field.append(c)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
