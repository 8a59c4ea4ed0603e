import Foundation
import Testing

/// Trusting the outcome, with the real binary against the real mock over HTTP: the preflight
/// keeps back rows a badge would refuse (with the code the API itself gives them), a preflight
/// that cannot read changes nothing, verify finds earns the server lost, and the documented
/// example bodies replay as they are.
@Suite struct TrustEndToEndTests {
    static let header = "badgeMetaId,customerId,earnEventDate,ownerType,referenceId\n"
    static let catalog = BadgeImportBinary.samples.appendingPathComponent("badges.json").path

    private func results(_ dir: TemporaryDirectory, _ report: String) throws -> [[String]] {
        try dir.read(report + "/results.csv").split(separator: "\n").dropFirst().map { $0.components(separatedBy: ",") }
    }

    @Test func preflightKeepsBackRowsTheBadgeWouldRefuseWithTheAPIsOwnCodes() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", Self.header + """
            66276dc68fe258516a88ff8e,1,2024-01-01T00:00:00Z,Historical_Import,ok
            6650a1b2c3d4e5f601234567,2,2024-01-01T00:00:00Z,Historical_Import,not-live
            6672c0ffee0123456789abcd,3,2024-07-01T00:00:00Z,Loyalty,not-the-claim
            66276dc68fe258516a88ff8e,4,2022-06-01T00:00:00Z,Historical_Import,before-the-window
            aaaaaaaaaaaaaaaaaaaaaaaa,5,2024-01-01T00:00:00Z,Historical_Import,unknown
            6672c0ffee0123456789abcd,6,2024-07-01T00:00:00Z,Loyalty_Promotion,PROMO-SUMMER

            """)
        let mock = try MockServerProcess(["--badges", Self.catalog])
        let run = try BinaryProcess.run(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                         "--report-dir", "r1", "--quiet"], directory: dir.url)
        #expect(run.exitCode == 1, "\(run.stderr)")
        #expect(try mock.stat("requests") == 2, "only the two rows that can succeed were sent")
        #expect(try mock.stat("badgeReads") == 4, "one read per distinct badge")
        let rows = try results(dir, "r1")
        let rejected = rows.filter { $0[3] == "rejected" }
        #expect(Set(rejected.map { $0[5] }) == ["815", "810", "816", "1054"])
        // results.csv: ...,expiresOn,attempts,sentRequestId,batchRequestId
        #expect(rejected.allSatisfy { $0[10] == "0" }, "rejected with attempts 0")
        #expect(rows.filter { $0[3] == "earned" }.count == 2)
        let summary = try JSONSerialization.jsonObject(with: Data(dir.read("r1/summary.json").utf8)) as! [String: Any]
        let badges = try #require(summary["badges"] as? [[String: Any]])
        #expect(badges.count == 4)
        #expect(badges.first { $0["badgeMetaId"] as? String == "aaaaaaaaaaaaaaaaaaaaaaaa" }?["outcome"] as? String == "unknown")
        #expect(try dir.read("r1/report.html").contains("Badges checked before sending"))

        // Sent without the preflight, the API answers the same codes: the preflight said what it would.
        let again = try BinaryProcess.run(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                           "--report-dir", "r2", "--no-preflight", "--quiet"], directory: dir.url)
        #expect(again.exitCode == 1)
        #expect(try mock.stat("requests") == 6)
        let sent = try results(dir, "r2").filter { $0[3] == "rejected" }
        #expect(Set(sent.map { $0[5] }) == ["815", "810", "816", "1054"])
        #expect(sent.allSatisfy { $0[10] == "1" })
        #expect(try mock.stat("badgeReads") == 4)
    }

    @Test func aPreflightReadAnswering403WarnsAndTheRowsGoOutAsUsual() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 5))
        let mock = try MockServerProcess(["--badges", Self.catalog, "--deny-reads"])
        let run = try BinaryProcess.run(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                         "--report-dir", "r", "--quiet"], directory: dir.url)
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("preflight: cannot read the badge's definition"))
        #expect(run.stderr.contains("HTTP 403"))
        #expect(try mock.stat("requests") == 5)
        #expect(try mock.stat("badgeReads") == 1, "a refusal is not retried")
        let summary = try JSONSerialization.jsonObject(with: Data(dir.read("r/summary.json").utf8)) as! [String: Any]
        #expect((summary["badges"] as? [[String: Any]])?.first?["outcome"] as? String == "unavailable")
    }

    @Test func verifyFindsTheEarnsTheServerLostAndContinuesAfterAKill() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 12))
        let mock = try MockServerProcess(["--badges", Self.catalog])
        let run = try BinaryProcess.run(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                         "--report-dir", "r", "--quiet"], directory: dir.url)
        #expect(run.exitCode == 0, "\(run.stderr)")
        let earned = try results(dir, "r").filter { $0[3] == "earned" }.map { $0[2] }
        let lost = Array(earned.prefix(2))
        for requestId in lost { #expect(try mock.post("/__forget", #"{"requestId":"\#(requestId)"}"#) == 200) }

        let verify = try BinaryProcess.run(["verify", "--ledger", "l.ledger", "--base-url", mock.baseURL, "--report-dir", "v",
                                            "--concurrency", "4"], directory: dir.url)
        #expect(verify.exitCode == 1, "\(verify.stderr)")
        #expect(verify.stdout.contains("missing       2"))
        let lines = try dir.read("v/verify.csv").split(separator: "\n")
        #expect(lines.first?.hasPrefix("source,line,requestId,customerId,badgeMetaId,verdict") == true)
        let missing = lines.dropFirst().map { $0.components(separatedBy: ",") }.filter { $0[5] == "missing" }.map { $0[2] }
        #expect(Set(missing) == Set(lost))
        #expect(try mock.stat("customerReads") == 12)

        // A verify killed halfway: its verify.csv holds some verdicts and no summary says it
        // finished. The next one keeps them and reads only the customers left.
        try FileManager.default.removeItem(at: dir.url.appendingPathComponent("v/summary.json"))
        try dir.write("v/verify.csv", lines.prefix(6).joined(separator: "\n") + "\n" + lines[6].prefix(10))
        let resumed = try BinaryProcess.run(["verify", "--ledger", "l.ledger", "--base-url", mock.baseURL, "--report-dir", "v"],
                                            directory: dir.url)
        #expect(resumed.exitCode == 1)
        let summary = try JSONSerialization.jsonObject(with: Data(dir.read("v/summary.json").utf8)) as! [String: Any]
        #expect(summary["resumedRows"] as? Int == 5)
        #expect(summary["customersRead"] as? Int == 7)
        #expect(summary["missing"] as? Int == 2 && summary["confirmed"] as? Int == 10)
        #expect(try dir.read("v/verify.csv").split(separator: "\n").count == 13)

        let sample = try BinaryProcess.run(["verify", "--ledger", "l.ledger", "--base-url", mock.baseURL, "--report-dir", "s",
                                            "--sample", "3", "--seed", "7"], directory: dir.url)
        #expect([0, 1].contains(sample.exitCode))
        #expect(try dir.read("s/verify.csv").split(separator: "\n").count == 4)
        let unreachable = try BinaryProcess.run(["verify", "--ledger", "nope.ledger", "--base-url", mock.baseURL], directory: dir.url)
        #expect(unreachable.exitCode == 2)
    }

    @Test func theDocumentedExampleBodiesReplayAsTheyAre() throws {
        let dir = try TemporaryDirectory()
        // Capillary's example earn bodies, one per line: a numeric requestId, a string
        // customerId, triggeredBy nested. All three carry requestId 2132.
        try dir.write("bodies.jsonl", """
            {"badgeMetaId":"66276dc68fe258516a88ff8e","earnEventDate":"2023-11-03T21:51:00.192Z","customerId":62090013,"requestId":2132,"triggeredBy":{"ownerType":"Loyalty","referenceId":"123694"}}
            {"badgeMetaId":"66276dc68fe258516a88ff8e","earnEventDate":"2023-11-03T21:51:00.192Z","customerId":62090013,"requestId":"2132","triggeredBy":{"ownerType":"Historical_Import","referenceId":"123694"}}
            {"badgeMetaId":"66276dc68fe258516a88ff8e","earnEventDate":"2023-11-03T21:51:00.192Z","customerId":"23423","requestId":2132,"triggeredBy":{"ownerType":"Loyalty","referenceId":"123694"}}

            """)
        let mock = try MockServerProcess(["--badges", Self.catalog])
        let run = try BinaryProcess.run(["run", "bodies.jsonl", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                         "--report-dir", "r", "--quiet"], directory: dir.url)
        #expect(run.exitCode == 0, "\(run.stdout)\(run.stderr)")
        let rows = try results(dir, "r")
        #expect(rows.sorted { Int($0[1])! < Int($1[1])! }.map(\.[3]) == ["earned", "duplicate-in-input", "duplicate-in-input"])
        let earns = String(decoding: try mock.get("/__earns"), as: UTF8.self)
        #expect(earns.contains(#""requestId":"2132""#) && earns.contains(#""customerId":62090013"#))
        #expect(earns.contains(#""ownerType":"Loyalty""#))
    }
}
