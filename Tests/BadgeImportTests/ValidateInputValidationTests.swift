import Foundation
import Testing
@testable import BadgeImport

struct ValidateInputValidationTests {
    /// A budget far below the file (64 KiB: the table spills every couple of thousand ids): the
    /// counts and duplicates.csv are exactly those of a check all in memory, and the scratch
    /// files left nothing in the report directory.
    @Test func aSmallDuplicateBudgetGivesExactlyTheSameReport() throws {
        let dir = try InputTempDir()
        var csv = sampleHeader + "\n"
        for i in 0..<20_000 { csv += "\(goodBadge),\(62_090_000 + i),2024-03-01T10:00:00Z,Loyalty,r\(i)\n" }
        for i in stride(from: 0, to: 20_000, by: 1_000) { csv += "\(goodBadge),\(62_090_000 + i),2024-03-01T10:00:00Z,Loyalty,r\(i)\n" }
        let path = try dir.write("big.csv", csv)
        let small = InputValidation(files: [try InputFile(path: path)], mapping: testMapping(), reportDirectory: dir.path("small"),
                                    duplicateMemory: 1 << 16)
        let large = InputValidation(files: [try InputFile(path: path)], mapping: testMapping(), reportDirectory: dir.path("large"))
        let spilled = try small.run()
        #expect(try large.run() == spilled)
        #expect(spilled.duplicatesInInput == 20 && spilled.uniqueRequestIds == 20_000)
        let duplicates = try String(contentsOfFile: dir.path("small/duplicates.csv"), encoding: .utf8)
        #expect(duplicates == (try String(contentsOfFile: dir.path("large/duplicates.csv"), encoding: .utf8)))
        #expect(duplicates.contains(",20012,") && duplicates.hasSuffix(",\(path),19002\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path("small")).sorted()
                == ["duplicates.csv", "invalid.csv", "summary.json"])
    }

    @Test func countsReportsAndDuplicatesAcrossFiles() throws {
        let dir = try InputTempDir()
        let a = try dir.write("a.csv", """
            \(sampleHeader),note
            \(goodBadge),62090013,2024-03-01T10:00:00Z,Historical_Import,r1,"quoted, note"
            \(goodBadge),62O90013,2023-02-30T10:00:00Z,Historical-Import,r2,bad
            \(goodBadge),62090013,2024-03-01T15:30:00+05:30,historical_import,r1,same event

            """)
        let b = try dir.write("b.jsonl", """
            {"badgeMetaId":"\(goodBadge)","customerId":62090013,"earnEventDate":"2024-03-01T10:00:00.000Z","ownerType":"Historical_Import","referenceId":"r1"}
            {"badgeMetaId":"\(goodBadge)","customerId":"x"
            {"badgeMetaId":"\(goodBadge)","customerId":62090014,"earnEventDate":"2024-03-01T10:00:00Z","ownerType":"Loyalty","referenceId":"r9"}

            """)
        let reports = dir.path("reports/nested")
        let summary = try InputValidation(files: [try InputFile(path: a), try InputFile(path: b)], mapping: testMapping(),
                                          reportDirectory: reports).run()
        #expect(summary.records == 6)
        #expect(summary.valid == 4)
        #expect(summary.invalid == 2)
        #expect(summary.duplicatesInInput == 2)
        #expect(summary.uniqueRequestIds == 2)
        #expect(summary.invalidByReason == ["customerId.notInteger": 1, "earnEventDate.invalid": 1, "ownerType.unknown": 1, "json.malformed": 1])

        let invalid = try String(contentsOfFile: reports + "/invalid.csv", encoding: .utf8)
        let lines = invalid.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "source,line,field,reason,badgeMetaId,customerId,earnEventDate,ownerType,referenceId,note,requestId")
        #expect(lines[1].hasPrefix("\(a),3,customerId; earnEventDate; ownerType,'62O90013' is not a whole number (digits only); '2023-02-30T10:00:00Z' is not an ISO 8601"))
        #expect(lines[1].hasSuffix(",\(goodBadge),62O90013,2023-02-30T10:00:00Z,Historical-Import,r2,bad,"))
        #expect(lines[2].hasPrefix("\(b),2,row,\"malformed JSON at byte 59: expected ',' or '}'\""))
        #expect(lines[2].hasSuffix("\",,,,,,,"))  // a malformed line has no cells: 7 empty columns
        #expect(lines.count == 4 && lines[3].isEmpty)

        let duplicates = try String(contentsOfFile: reports + "/duplicates.csv", encoding: .utf8)
        let dupLines = duplicates.split(separator: "\n")
        #expect(dupLines.count == 3)
        #expect(dupLines[1].hasPrefix("\(a),4,"))
        #expect(dupLines[1].hasSuffix(",\(a),2"))
        #expect(dupLines[2].hasPrefix("\(b),1,"))
        #expect(dupLines[2].hasSuffix(",\(a),2"))

        let json = try JSONDecoder().decode(ValidationSummary.self, from: Data(contentsOf: URL(fileURLWithPath: reports + "/summary.json")))
        #expect(json == summary)
        #expect(summary.humanDescription.hasPrefix("6 records in 2 inputs: 4 valid (2 unique requestIds, 2 duplicate-in-input), 2 invalid"))
    }

    @Test func aMissingSecondInputFailsBeforeAnyRowIsRead() throws {
        let dir = try InputTempDir()
        let a = try dir.write("a.csv", "\(sampleHeader)\n\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,r\n")
        let reports = dir.path("out")
        do {
            _ = try InputValidation(files: [try InputFile(path: a), try InputFile(path: dir.path("missing.jsonl"))],
                                    mapping: testMapping(), reportDirectory: reports).run()
            Issue.record("expected an error")
        } catch {
            #expect(error.path == dir.path("missing.jsonl"))
        }
        #expect(!FileManager.default.fileExists(atPath: reports))
    }
}
