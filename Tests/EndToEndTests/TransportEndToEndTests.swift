import Foundation
import Testing

/// What the transport promises, through the real binary: the counts it reports are what went
/// on the wire, and a misconfigured endpoint stops the run at once with a message that says why.
@Suite(.serialized) struct TransportEndToEndTests {
    /// The mock closes a fifth of the connections right after committing, without an answer.
    /// libcurl used to resend those POSTs on its own, so the server saw more requests than the
    /// run reported (2,584 against 2,098 in the review). Now every resend is the sender's,
    /// counted, and the run's request count is the server's.
    @Test func requestsReportedAreRequestsTheServerSaw() throws {
        let rows = 400
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: rows))
        let mock = try MockServerProcess(["--seed", "7", "--drop-after-commit-rate", "0.2"])
        let result = try BinaryProcess.run(
            ["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--report-dir", "out", "--quiet",
             "--concurrency", "4", "--max-attempts", "10", "--backoff-base", "0.001", "--backoff-cap", "0.005"],
            directory: dir.url)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(dir.read("out/summary.json").utf8)) as! [String: Any]
        let reported = try #require(summary["requestsSent"] as? Int)
        let dropped = try mock.stat("droppedAfterCommit")
        #expect(dropped > 20, "the fault must actually have fired")
        #expect(try mock.stat("requests") == reported, "the server saw exactly the requests the run reported")
        #expect((summary["retries"] as? Int) == reported - rows)
        #expect(try mock.stat("committedEarns") == rows)
        #expect(try mock.stat("doubleEarns") == 0)
    }

    /// https:// to a plain-HTTP port took 131 s to fail (six retries per row, then the breaker)
    /// and blamed a 30 s timeout. Now the first handshake stops the run: exit 3, like every
    /// configuration problem found on the wire, with a message that names the cause.
    @Test func httpsToAPlainHTTPPortStopsAtOnceAndSaysWhy() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 200))
        let mock = try MockServerProcess()
        let https = mock.baseURL.replacingOccurrences(of: "http://", with: "https://")
        let started = Date()
        let result = try BinaryProcess.run(
            ["run", "earns.csv", "--base-url", https, "--ledger", "l.ledger", "--report-dir", "out", "--quiet"],
            environment: ["CAP_USERNAME": "store.server", "CAP_PASSWORD": "server123"], directory: dir.url, timeout: 60)
        #expect(Date().timeIntervalSince(started) < 10, "fails fast")
        #expect(result.exitCode == 3, "\(result.stdout)\n\(result.stderr)")
        let output = result.stdout + result.stderr
        #expect(output.contains("does not speak TLS"), "\(output)")
        #expect(output.contains("http:// vs https://"), "\(output)")
        #expect(!output.contains("timed out"), "\(output)")
        #expect(try mock.stat("requests") == 0)
        let summary = try JSONSerialization.jsonObject(with: Data(dir.read("out/summary.json").utf8)) as! [String: Any]
        #expect((summary["requestsSent"] as? Int ?? 99) <= 8, "one attempt per worker at most, no retries")
        #expect((summary["retries"] as? Int) == 0)
    }

    /// Credentials over plain http:// to another machine are readable on the way: say so loudly.
    /// Only --dry-run runs here (it opens no connection: no worker starts, the OAuth token is
    /// fetched lazily), and the hosts are under .invalid, which never resolves.
    @Test func plainHTTPWithCredentialsToAnotherHostWarns() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 3))
        let basic = ["CAP_USERNAME": "store.server", "CAP_PASSWORD": "server123"]
        let oauth = ["CAP_CLIENT_KEY": "client-key", "CAP_CLIENT_SECRET": "client-secret"]
        var round = 0
        func dryRun(_ target: [String], _ environment: [String: String]) throws -> ProcessResult {
            round += 1
            let result = try BinaryProcess.run(["run", "earns.csv", "--dry-run", "--quiet", "--ledger", "l\(round).ledger",
                                                "--report-dir", "out\(round)"] + target,
                                               environment: environment, directory: dir.url, timeout: 60)
            #expect(result.exitCode == 0, "\(target): \(result.stdout)\n\(result.stderr)")
            return result
        }
        let warning = "http://badge-api.invalid sends your credentials unencrypted; use https://"
        #expect(try dryRun(["--base-url", "http://badge-api.invalid"], basic).stderr.contains(warning))
        #expect(try dryRun(["--base-url", "http://BADGE-API.invalid:8080/"], oauth).stderr.contains("unencrypted"))
        for quiet in [["--base-url", "https://badge-api.invalid"], ["--base-url", "http://127.0.0.1:9"],
                      ["--base-url", "http://127.8.9.10:9"], ["--base-url", "http://localhost:9"],
                      ["--base-url", "http://[::1]:9"], ["--mock"]] {
            let result = try dryRun(quiet, basic)
            #expect(!result.stderr.contains("unencrypted"), "\(quiet): \(result.stderr)")
        }
        // No credentials, nothing to leak.
        #expect(!(try dryRun(["--base-url", "http://badge-api.invalid"], [:]).stderr.contains("unencrypted")))
    }
}
