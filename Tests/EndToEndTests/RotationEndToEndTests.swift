import Foundation
import Testing

/// A fresh requestId after a definitive rejection, with the real binary against a mock that
/// burns rejected ids (`--keep-rejected-ids`, as the real service may): a row refused 811, then
/// issued its badge, is earned on the rerun under `<requestId>-g1`, never recorded `duplicate`
/// for an earn that never happened.
@Suite struct RotationEndToEndTests {
    static let catalog = BadgeImportBinary.samples.appendingPathComponent("badges.json").path
    /// The catalog's issue-and-earn badge; customer 62090099 is not enrolled in it.
    static let issueAndEarn = "66da90348bdb494a4f06576f"
    static let customer: Int64 = 62_090_099

    private func results(_ dir: TemporaryDirectory, _ report: String) throws -> [[String]] {
        try CSVText.rows(dir.read(report + "/results.csv"))
    }

    private func column(_ name: String, _ rows: [[String]]) -> Int { rows[0].firstIndex(of: name) ?? -1 }

    @Test(arguments: [false, true])
    func aRowRejectedThenIssuedIsEarnedUnderANewRequestIdNotCountedDuplicate(bulk: Bool) throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", """
            badgeMetaId,customerId,earnEventDate,ownerType,referenceId
            \(Self.issueAndEarn),\(Self.customer),2024-03-01T10:00:00Z,Historical_Import,streak
            66276dc68fe258516a88ff8e,\(Self.customer),2024-03-01T10:00:00Z,Historical_Import,welcome

            """)
        let mock = try MockServerProcess(["--badges", Self.catalog, "--keep-rejected-ids"])
        let extra = bulk ? ["--bulk"] : []
        let first = try BinaryProcess.run(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                           "--report-dir", "r1", "--quiet"] + extra, directory: dir.url)
        #expect(first.exitCode == 1, "\(first.stderr)")
        let r1 = try results(dir, "r1")
        let (status, code, id, sent) = (column("status", r1), column("errorCode", r1), column("requestId", r1),
                                        column("sentRequestId", r1))
        #expect(r1[0].last == "batchRequestId" && sent == r1[0].count - 2)
        let streak1 = try #require(r1.first { $0.count > sent && $0[1] == "2" })
        #expect(streak1[status] == "rejected" && streak1[code] == "811")
        #expect(streak1[sent] == streak1[id], "the first send carries the row's own requestId")

        #expect(try mock.post("/__issue", #"{"badgeMetaId":"\#(Self.issueAndEarn)","customerId":\#(Self.customer)}"#) == 200)
        let second = try BinaryProcess.run(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                            "--report-dir", "r2", "--quiet"] + extra, directory: dir.url)
        #expect(second.exitCode == 0, "\(second.stdout)\n\(second.stderr)")
        let r2 = try results(dir, "r2")
        let streak2 = try #require(r2.first { $0.count > sent && $0[1] == "2" })
        #expect(streak2[status] == "earned", "a burned requestId would have made this 'duplicate': never earned")
        #expect(streak2[id] == streak1[id], "the identity stays")
        #expect(streak2[sent] == streak1[id] + "-g1")
        #expect(r2.first { $0.count > sent && $0[1] == "3" }?[status] == "already-done")
        #expect(try mock.stat("doubleEarns") == 0)

        // A third run: done, not sent, and still shown under the id the server holds it by.
        let third = try BinaryProcess.run(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                           "--report-dir", "r3", "--quiet", "--reprocess"] + extra, directory: dir.url)
        #expect(third.exitCode == 0, "\(third.stderr)")
        let streak3 = try #require(try results(dir, "r3").first { $0.count > sent && $0[1] == "2" })
        #expect(streak3[status] == "already-done" && streak3[sent] == streak1[id] + "-g1")
        #expect(try mock.stat("doubleEarns") == 0)
    }

    /// Under `--bulk` the rows share one batch: refused per customer, then issued, the rerun's
    /// batch is derived from the rotated ids, a requestId the server has never seen.
    @Test func aRefusedBatchGoesAgainAsANewBatchOfRotatedRows() throws {
        let dir = try TemporaryDirectory()
        let customers: [Int64] = [62_090_097, 62_090_098, 62_090_099]
        try dir.write("earns.csv", "badgeMetaId,customerId,earnEventDate,ownerType,referenceId\n" + customers.map {
            "\(Self.issueAndEarn),\($0),2024-03-01T10:00:00Z,Historical_Import,streak\n"
        }.joined())
        let mock = try MockServerProcess(["--badges", Self.catalog, "--keep-rejected-ids"])
        let run = { (report: String) throws -> [[String]] in
            _ = try BinaryProcess.run(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--bulk",
                                       "--report-dir", report, "--quiet"], directory: dir.url)
            return try self.results(dir, report)
        }
        let r1 = try run("r1")
        let (status, id, sent, batch) = (column("status", r1), column("requestId", r1), column("sentRequestId", r1),
                                         column("batchRequestId", r1))
        let first = r1.dropFirst().filter { $0.count > batch }
        #expect(first.count == 3 && first.allSatisfy { $0[status] == "rejected" && $0[sent] == $0[id] })
        #expect(Set(first.map { $0[batch] }).count == 1 && first[0][batch].count == 64, "one batch")

        for customer in customers {
            #expect(try mock.post("/__issue", #"{"badgeMetaId":"\#(Self.issueAndEarn)","customerId":\#(customer)}"#) == 200)
        }
        let second = try run("r2").dropFirst().filter { $0.count > batch }
        #expect(second.count == 3 && second.allSatisfy { $0[status] == "earned" && $0[sent] == $0[id] + "-g1" },
                "\(second)")
        #expect(Set(second.map { $0[batch] }).count == 1 && second[0][batch] != first[0][batch])
        #expect(try mock.stat("doubleEarns") == 0)
    }
}
