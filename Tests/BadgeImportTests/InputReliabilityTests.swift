import Foundation
import Testing
import Digest
import Synchronization
@testable import BadgeImport

/// Inputs read once (pipes, FIFOs), bounded records, drops still being written.
@Suite struct InputReliabilityTests {
    static let header = "badgeMetaId,customerId,earnEventDate,ownerType,referenceId\n"
    static func row(_ index: Int) -> String {
        "66276dc68fe258516a88ff8e,\(70_000_001 + index),2025-03-01T00:00:00Z,Historical_Import,ref-\(index)"
    }

    // MARK: Streams

    @Test func onlyRegularFilesAreReadMoreThanOnce() throws {
        let dir = try InputTempDir()
        let file = try dir.write("a.csv", Self.header)
        let fifo = dir.path("f.csv")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(try !InputFile(path: file).isStream)
        #expect(try InputFile(path: fifo).isStream)
        #expect(try InputFile(path: "/dev/null", format: .csv).isStream)
        #expect(try InputFile(path: "-", format: .csv).isStream)
        #expect(try !InputFile(path: dir.path("missing.csv")).isStream)
    }

    @Test func aStreamIsHashedWhileReadAndOnlyOnceReadToTheEnd() throws {
        let text = Self.header + (0..<300).map(Self.row).joined(separator: "\n") + "\n"
        let file = try InputFile(path: "-", format: .csv)
        let reader = try EarnFileReader(file: file, mapping: testMapping(),
                                        source: ByteSource(bytes: Array(text.utf8), name: "-", hashing: true))
        var count = 0
        while let _ = try reader.next() {
            count += 1
            #expect(reader.contentHash == nil || count == 300, "no hash of a part")
        }
        #expect(count == 300)
        #expect(reader.contentHash == SHA256.hex(SHA256.digest(Array(text.utf8))))
    }

    // MARK: Bounds

    @Test func aHeaderOfTooManyColumnsIsAConfigurationError() throws {
        let dir = try InputTempDir()
        let path = try dir.write("wide.csv", String(repeating: ",", count: 200_000) + "\n" + Self.row(0) + "\n")
        #expect {
            try EarnFileReader(file: InputFile(path: path), mapping: testMapping())
        } throws: { error in
            let text = "\(error)"
            return text.contains("wide.csv") && text.contains("more than 1000 columns")
        }
    }

    @Test func aRowOfTooManyCellsIsInvalidAndReadingGoesOn() throws {
        let dir = try InputTempDir()
        let path = try dir.write("rows.csv", Self.header + Self.row(0) + "\n" + String(repeating: ",", count: 200_000)
                                 + "\n" + Self.row(1) + "\n")
        let records = try readAll(path)
        #expect(records.count == 3)
        #expect(records[0].validRow != nil && records[2].validRow?.line == 4)
        let bad = try #require(records[1].invalidRecord)
        #expect(bad.line == 3)
        #expect(bad.errors.first?.key == "csv.tooManyCells")
        #expect(bad.errors.first?.reason.contains("1000") == true)
        #expect(bad.original.count == CSVRecordReader.maxCells, "the rest of the record is not kept")
    }

    @Test func aJSONObjectOfTooManyKeysIsInvalid() throws {
        let dir = try InputTempDir()
        let wide = "{" + (0..<1_500).map { "\"k\($0)\":1" }.joined(separator: ",") + "}"
        let good = #"{"badgeMetaId":"66276dc68fe258516a88ff8e","customerId":70000001,"earnEventDate":"2025-03-01T00:00:00Z","ownerType":"Historical_Import","referenceId":"r"}"#
        let path = try dir.write("wide.jsonl", wide + "\n" + good + "\n")
        let records = try readAll(path)
        #expect(records.count == 2)
        #expect(records[0].errorKeys == ["json.tooManyKeys"])
        #expect(records[0].invalidRecord?.errors.first?.reason.contains("1000") == true)
        #expect(records[1].validRow != nil)
    }

    // MARK: Line ends

    @Test func aLastRecordWithoutLineEndIsStillReadButFlagged() throws {
        let dir = try InputTempDir()
        for (name, text, format) in [("a.csv", Self.header + Self.row(0) + "\n" + Self.row(1), InputFormat.csv),
                                     ("a.jsonl", "{\"x\":1}\n{\"x\":2}", InputFormat.jsonl)] {
            let reader = try EarnFileReader(file: InputFile(path: dir.write(name, text), format: format), mapping: testMapping())
            _ = try #require(try reader.next())
            #expect(!reader.lastRecordUnterminated)
            _ = try #require(try reader.next())
            #expect(reader.lastRecordUnterminated, "\(name)")
            #expect(try reader.next() == nil)
        }
    }

    // MARK: Settle

    @Test func foldersAndGlobsTakeOnlySettledFilesNamedFilesAlways() throws {
        let dir = try InputTempDir()
        let now = Date()
        let old = try dir.write("old.csv", Self.header)
        let fresh = try dir.write("fresh.csv", Self.header)
        try setModified(old, now.addingTimeInterval(-3_600))
        try setModified(fresh, now.addingTimeInterval(-10))

        let folder = try InputPaths.expand([dir.url.path], settle: 30, now: now)
        #expect(folder.paths == [old])
        #expect(folder.unsettled.map(\.path) == [fresh])
        #expect(abs(folder.unsettled[0].settlesIn - 20) < 1)
        #expect(folder.unsettled[0].describe(settle: 30).contains("fresh.csv"))
        #expect(try InputPaths.expand([dir.url.path + "/*.csv"], settle: 30, now: now).paths == [old])
        #expect(try InputPaths.expand([dir.url.path], settle: 0, now: now).paths == [fresh, old])
        // Named explicitly: read whatever its age.
        #expect(try InputPaths.expand([fresh], settle: 30, now: now) == .init(paths: [fresh], unsettled: []))
    }

    // MARK: A file that changes while it is read

    @Test func aFileThatGrowsWhileReadIsReportedChangedAndItsCutLastRecordIsNotSent() throws {
        let dir = try InputTempDir()
        // 99 whole rows, then the start of the 100th (a writer paused mid-line).
        let start = Self.header + (0..<99).map { Self.row($0) + "\n" }.joined() + String(Self.row(99).dropLast(2))
        let path = try dir.write("drop.csv", start)
        let hash = SHA256.hex(SHA256.digest(Array(start.utf8)))
        // The writer goes on as soon as the first row is sent: the reader is then held by the
        // full queue (one worker, 16 places), far from the end of the file.
        let appended = Mutex(false)
        let transport = ScriptedTransport([ScriptedTransport.json(200, earnedBody)])
        transport.onSend = { _ in
            appended.withLock { done in
                guard !done else { return }
                done = true
                let handle = FileHandle(forWritingAtPath: path)!
                handle.seekToEndOfFile()
                handle.write(Data("9".utf8))   // "ref-9" of "ref-99", still no line end
                handle.closeFile()
            }
        }
        var config = RunOptions(inputs: [try InputFile(path: path)], mapping: testMapping(),
                                         baseURL: "https://api.example", auth: .none, ledgerPath: dir.path("l.ledger"))
        config.preflight = false  // a scripted earn API: it answers every request as an earn
        config.concurrency = 1
        config.reportDir = dir.path("report")
        let outcome = try ImportRun(configuration: config, makeTransport: { transport }).execute()

        #expect(outcome.exitCode == 1)
        #expect(transport.requests.count == 99, "every whole row, not the cut last one")
        let input = try #require(outcome.summary.inputs.first)
        #expect(input.changedWhileRead && !input.fullyProcessed)
        #expect(input.problem?.contains("changed while it was read") == true)
        #expect(outcome.summary.counts["failed"] == 1 && outcome.summary.counts["earned"] == 99)
        let results = try String(contentsOfFile: dir.path("report/results.csv"), encoding: .utf8)
        let held = results.split(separator: "\n").filter { $0.contains("not-sent") }
        #expect(held.count == 1)
        #expect(held.first?.contains(",101,") == true && held.first?.contains("failed") == true)
        #expect(SummaryText.render(outcome.summary, reportDirectory: "r").contains("CHANGED while read"))

        let ledger = try Ledger.openForReading(path: dir.path("l.ledger"))
        defer { ledger.close() }
        #expect(try !ledger.isInputFullyProcessed(sha256: hash))
        #expect(try !ledger.isInputFullyProcessed(sha256: SHA256.hex(SHA256.digest(Array((start + "9").utf8)))))
    }

    @Test func anUnchangedFileWithoutAFinalNewlineIsImportedWhole() throws {
        let dir = try InputTempDir()
        let path = try dir.write("done.csv", Self.header + (0..<20).map(Self.row).joined(separator: "\n"))
        let transport = ScriptedTransport([ScriptedTransport.json(200, earnedBody)])
        var config = RunOptions(inputs: [try InputFile(path: path)], mapping: testMapping(),
                                         baseURL: "https://api.example", auth: .none, ledgerPath: dir.path("l.ledger"))
        config.preflight = false  // a scripted earn API: it answers every request as an earn
        config.reportDir = dir.path("report")
        let outcome = try ImportRun(configuration: config, makeTransport: { transport }).execute()
        #expect(outcome.exitCode == 0)
        #expect(transport.requests.count == 20)
        #expect(outcome.summary.inputs.first?.fullyProcessed == true)
        #expect(outcome.summary.inputs.first?.changedWhileRead == false)
    }

    @Test func validateReportsAFileThatChangedWhileRead() throws {
        // The stamp check itself: a file rewritten after it was opened.
        let dir = try InputTempDir()
        let path = try dir.write("a.csv", Self.header + Self.row(0) + "\n")
        let reader = try EarnFileReader(file: InputFile(path: path), mapping: testMapping())
        let before = try #require(reader.openedStamp)
        let handle = FileHandle(forWritingAtPath: path)!
        handle.seekToEndOfFile(); handle.write(Data((Self.row(1) + "\n").utf8)); handle.closeFile()
        let after = try #require(reader.currentStamp())
        #expect(after != before)
        #expect(after.difference(from: before).contains("size"))
    }

    private func setModified(_ path: String, _ date: Date) throws {
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
    }
}
