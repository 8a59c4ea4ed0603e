@testable import BadgeImport
import Foundation
import Testing

/// `badge-import status` as a user runs it: the built binary, real ledger files.
@Suite struct StatusCommandTests {
    /// The executable SwiftPM builds next to this test bundle.
    static let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("badge-import").path

    private func run(_ arguments: [String], in directory: String) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    @Test func missingLedgerExits2NamingThePathAndCreatesNothing() throws {
        let dir = LedgerTestDirectory()
        let result = try run(["status"], in: dir.path)
        #expect(result.status == 2)
        #expect(result.err.contains("no ledger at \(Ledger.defaultPath)"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func mergesSeveralLedgersAsTextAndJSON() throws {
        let dir = LedgerTestDirectory()
        try LedgerStatusTests.populatedLedger(at: dir.file("a.ledger"))
        try LedgerStatusTests.populatedLedger(at: dir.file("b.ledger"))
        let text = try run(["status", "--ledger", "a.ledger", "--ledger", "b.ledger"], in: dir.path)
        #expect(text.status == 0, "\(text.err)")
        #expect(text.out.hasPrefix("Ledgers a.ledger, b.ledger: 20 rows, 4 runs\n"))
        #expect(text.out.contains("  rejected  811  6  e.g. Badge issue is mandatory before earn"))

        let json = try run(["status", "--ledger", "a.ledger", "--ledger", "b.ledger", "--json"], in: dir.path)
        #expect(json.status == 0)
        let status = try JSONDecoder().decode(LedgerStatus.self, from: Data(json.out.utf8))
        #expect(status.rowsByStatus["earned"] == 10)
        #expect(status.runs.count == 4)
    }

    @Test func worksWhileARunHoldsTheLedger() throws {
        let dir = LedgerTestDirectory()
        let ledger = try Ledger(path: dir.file(Ledger.defaultPath))
        let run = try ledger.startRun(sampleStart())
        try ledger.record([sampleEntry("held-1")], runId: run)
        let result = try self.run(["status"], in: dir.path)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out.contains("earned  1"))
        ledger.close()
    }
}
