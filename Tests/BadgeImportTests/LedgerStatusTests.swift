@testable import BadgeImport
import Foundation
import Testing

/// What `badge-import status` is built from: the status model, its text and JSON, and merging.
@Suite struct LedgerStatusTests {
    /// A ledger with one finished run (two inputs, errors of two codes) and one unfinished run.
    static func populatedLedger(at path: String, badge: String = "66da90348bdb494a4f06576f") throws {
        let ledger = try Ledger(path: path)
        defer { ledger.close() }
        let input = RunInput(path: "nightly.csv", sha256: String(repeating: "0f", count: 32), bytes: 2_048)
        let run = try ledger.startRun(sampleStart([input], options: ["concurrency": "4", "client-secret": "x"]))
        var entries = (0..<5).map { sampleEntry("\(path)-e\($0)", status: .earned) }
        for index in 0..<3 {
            var entry = sampleEntry("\(path)-r\(index)", status: .rejected)
            entry.httpStatus = 409
            entry.errorCode = "811"
            entry.errorMessage = "Badge issue is mandatory before earn"
            entries.append(entry)
        }
        var failed = sampleEntry("\(path)-f0", status: .failed, attempts: 6)
        failed.errorCode = "503"
        failed.errorMessage = "retries exhausted: HTTP 503"
        entries.append(failed)
        entries.append(sampleEntry("\(path)-d0", status: .duplicate))
        try ledger.record(entries, runId: run)
        try ledger.markInputFullyProcessed(input, runId: run)
        try ledger.finishRun(run, RunEnd(endedAt: Date(timeIntervalSince1970: 1_780_000_100),
                                         counts: [.earned: 5, .rejected: 3, .failed: 1, .duplicate: 1],
                                         requestsSent: 15, retries: 5, exitCode: 1))
        _ = try ledger.startRun(sampleStart([RunInput(path: "next.csv", sha256: "aa", bytes: 1)]))
    }

    @Test func statusCountsRowsErrorsAndRuns() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("one.ledger")
        try Self.populatedLedger(at: path)
        let status = try Ledger.openForReading(path: path).status()
        #expect(status.ledgers == [path])
        #expect(status.rowsByStatus == ["earned": 5, "rejected": 3, "failed": 1, "duplicate": 1])
        #expect(status.totalRows == 10)
        #expect(status.errors == [
            .init(status: "rejected", code: "811", sampleMessage: "Badge issue is mandatory before earn", count: 3),
            .init(status: "failed", code: "503", sampleMessage: "retries exhausted: HTTP 503", count: 1),
        ])
        #expect(status.runs.count == 2)
        #expect(status.runs[0].inputs == [.init(path: "nightly.csv", sha256: String(repeating: "0f", count: 32),
                                                bytes: 2_048, fullyProcessed: true)])
        #expect(status.runs[0].options["client-secret"] == "[redacted]")
        #expect(status.runs[1].endedAt == nil && status.runs[1].exitCode == nil)
    }

    @Test func textRenderingShowsEverySection() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("one.ledger")
        try Self.populatedLedger(at: path)
        let text = try Ledger.openForReading(path: path).status().render()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "Ledger \(path): 10 rows, 2 runs")
        #expect(lines.contains("  earned     5"))
        #expect(lines.contains("  rejected   3"))
        #expect(lines.contains("  rejected  811  3  e.g. Badge issue is mandatory before earn"))
        #expect(lines.contains("  failed    503  1  e.g. retries exhausted: HTTP 503"))
        #expect(lines.contains { $0.hasPrefix("  #1  2026-05-28T20:26:40.000Z to 2026-05-28T20:28:20.000Z, exit 1") })
        #expect(lines.contains("    input nightly.csv  2,048 bytes  sha256 0f0f0f0f0f0f…  fully processed"))
        #expect(lines.contains("    earned 5, duplicate 1, rejected 3, failed 1; 15 requests, 5 retries"))
        #expect(lines.contains { $0.hasPrefix("  #2  ") && $0.contains("not finished") })
        #expect(lines.contains("    options: client-secret=[redacted] concurrency=4"))
        #expect(!text.contains("client-secret=x"))
    }

    @Test func jsonRoundTrips() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("one.ledger")
        try Self.populatedLedger(at: path)
        let status = try Ledger.openForReading(path: path).status()
        let json = status.json()
        #expect(try JSONDecoder().decode(LedgerStatus.self, from: Data(json.utf8)) == status)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect((object["rowsByStatus"] as? [String: Int])?["earned"] == 5)
        #expect((object["runs"] as? [Any])?.count == 2)
    }

    @Test func twoLedgersMerge() throws {
        let dir = LedgerTestDirectory()
        let first = dir.file("a.ledger")
        let second = dir.file("b.ledger")
        try Self.populatedLedger(at: first)
        try Self.populatedLedger(at: second)
        let merged = LedgerStatus.merged([try Ledger.openForReading(path: first).status(),
                                          try Ledger.openForReading(path: second).status()])
        #expect(merged.ledgers == [first, second])
        #expect(merged.rowsByStatus == ["earned": 10, "rejected": 6, "failed": 2, "duplicate": 2])
        #expect(merged.errors.map(\.count) == [6, 2])
        #expect(merged.runs.map(\.ledger) == [first, first, second, second])
        let text = merged.render()
        #expect(text.hasPrefix("Ledgers \(first), \(second): 20 rows, 4 runs\n"))
        #expect(text.contains("  \(second) #2  "))
    }

    @Test func readingWhileARunHoldsTheLockSeesCommittedBatches() throws {
        let dir = LedgerTestDirectory()
        let path = dir.file("live.ledger")
        let writer = try Ledger(path: path)
        let run = try writer.startRun(sampleStart())
        try writer.record((0..<700).map { sampleEntry("live-\($0)") }, runId: run)
        let reader = try Ledger.openForReading(path: path)
        #expect(try reader.status().rowsByStatus == ["earned": 700])
        #expect(try reader.entry(requestId: "live-699")?.status == .earned)
        #expect(throws: LedgerError.self) { try reader.record([sampleEntry("x")], runId: run) }
        try writer.record([sampleEntry("live-700")], runId: run)
        #expect(try reader.status().totalRows == 701)
        reader.close()
        writer.close()
    }
}
