import Foundation
import Testing

/// `validate --check-badges`, the real binary against the real mock over HTTP: the rows a badge
/// would refuse are reported with the API's own codes and nothing is earned.
@Suite struct ValidateBadgeCheckEndToEndTests {
    static let catalog = TrustEndToEndTests.catalog

    private func writeEarns(_ dir: TemporaryDirectory) throws {
        try dir.write("earns.csv", TrustEndToEndTests.header + """
            66276dc68fe258516a88ff8e,1,2024-01-01T00:00:00Z,Historical_Import,ok
            6650a1b2c3d4e5f601234567,2,2024-01-01T00:00:00Z,Historical_Import,not-live
            6672c0ffee0123456789abcd,3,2024-07-01T00:00:00Z,Loyalty,not-the-claim
            66276dc68fe258516a88ff8e,4,2022-06-01T00:00:00Z,Historical_Import,before-the-window
            aaaaaaaaaaaaaaaaaaaaaaaa,5,2024-01-01T00:00:00Z,Historical_Import,unknown
            6672c0ffee0123456789abcd,6,2024-07-01T00:00:00Z,Loyalty_Promotion,PROMO-SUMMER
            6650a1b2c3d4e5f601234567,7,2024-01-01T00:00:00Z,Historical_Import,not-live-again

            """)
    }

    @Test func checkBadgesReportsTheRowsTheAPIWouldRefuseAndSendsNoEarn() throws {
        let dir = try TemporaryDirectory()
        try writeEarns(dir)
        let mock = try MockServerProcess(["--badges", Self.catalog])

        let plain = try BinaryProcess.run(["validate", "earns.csv", "--report-dir", "plain"], directory: dir.url)
        #expect(plain.exitCode == 0, "\(plain.stderr)")
        #expect(!plain.stdout.contains("refuse"))
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("plain/rejected.csv").path))
        #expect(try mock.stat("badgeReads") == 0, "without --check-badges, no network")

        let checked = try BinaryProcess.run(["validate", "earns.csv", "--check-badges", "--base-url", mock.baseURL,
                                             "--report-dir", "r"], directory: dir.url)
        #expect(checked.exitCode == 1, "\(checked.stderr)")
        #expect(checked.stdout.contains("7 valid"))
        #expect(checked.stdout.contains("badges checked: 4; rows the API would refuse: 5"), "\(checked.stdout)")
        for line in ["  1054: 1", "  810: 1", "  815: 2", "  816: 1"] { #expect(checked.stdout.contains(line)) }
        #expect(try mock.stat("requests") == 0, "no earn sent")
        #expect(try mock.stat("badgeReads") == 4, "one read per distinct badge")

        let lines = try dir.read("r/rejected.csv").split(separator: "\n").map(String.init)
        #expect(lines.first == "source,line,field,reason,badgeMetaId,customerId,earnEventDate,ownerType,referenceId")
        let rows = lines.dropFirst().map { $0.components(separatedBy: ",") }
        #expect(rows.map { $0[1] } == ["3", "4", "5", "6", "8"], "the input's line numbers")
        #expect(rows.map { $0[2] } == ["badgeMetaId", "triggeredBy", "earnEventDate", "badgeMetaId", "badgeMetaId"])
        // The reason starts with the API's code (a reason listing claims is quoted: it holds commas).
        #expect(rows.map { String($0[3].trimmingCharacters(in: ["\""]).prefix(4)) } == ["815:", "810:", "816:", "1054", "815:"])
        #expect(rows[0].suffix(5) == ["6650a1b2c3d4e5f601234567", "2", "2024-01-01T00:00:00Z", "Historical_Import", "not-live"])
        let summary = try JSONSerialization.jsonObject(with: Data(dir.read("r/summary.json").utf8)) as! [String: Any]
        #expect(summary["refusedByCode"] as? [String: Int] == ["1054": 1, "810": 1, "815": 2, "816": 1])
        #expect((summary["badges"] as? [[String: Any]])?.count == 4)

        // The embedded mock with the same catalog judges the same.
        let embedded = try BinaryProcess.run(["validate", "earns.csv", "--check-badges", "--mock", "--mock-badges", Self.catalog],
                                             directory: dir.url)
        #expect(embedded.exitCode == 1, "\(embedded.stderr)")
        #expect(embedded.stdout.contains("rows the API would refuse: 5"))
    }

    @Test func checkBadgesWithoutAnAPIIsAUsageError() throws {
        let dir = try TemporaryDirectory()
        try writeEarns(dir)
        let result = try BinaryProcess.run(["validate", "earns.csv", "--check-badges"], directory: dir.url)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("--check-badges needs the API to read badges from: give --base-url URL"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        let stray = try BinaryProcess.run(["validate", "earns.csv", "--mock"], directory: dir.url)
        #expect(stray.exitCode == 2)
        #expect(stray.stderr.contains("--mock and --mock-badges only serve --check-badges"))
    }
}
