import Foundation
import EarnAPI
import Testing
@testable import BadgeImport

struct InputCSVReaderTests {
    @Test func bomCRLFAndHeaderCaseAndPadding() throws {
        let dir = try InputTempDir()
        let path = try dir.write("a.csv", bytes: [0xEF, 0xBB, 0xBF] + Array((
            " BadgeMetaID , CUSTOMERID,earneventdate ,OwnerType,referenceId\r\n" +
            "\(goodBadge), 62090013 ,2024-03-01T10:00:00Z,Historical_Import,r1\r\n" +
            "\(goodBadge),62090014,2024-03-01T10:00:00Z,loyalty,  r2  \r\n").utf8))
        let records = try readAll(path)
        #expect(records.map(\.line) == [2, 3])
        let rows = records.compactMap(\.validRow)
        #expect(rows.count == 2)
        #expect(rows[0].customerId == 62090013)
        #expect(rows[0].source == path)
        #expect(rows[1].ownerType == .loyalty)
        #expect(rows[1].referenceId == "r2")
        #expect(rows[1].earnEventDate == "2024-03-01T10:00:00.000Z")
    }

    @Test func loneCREndings() throws {
        let dir = try InputTempDir()
        let path = try dir.write("cr.csv", "\(sampleHeader)\r\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,a\r\r\(goodBadge),2,2024-01-01T00:00:00Z,Loyalty,b\r")
        let records = try readAll(path)
        #expect(records.map(\.line) == [2, 4])
        #expect(records.compactMap(\.validRow).map(\.customerId) == [1, 2])
    }

    @Test func quotedNewlineDoesNotShiftLaterLineNumbers() throws {
        let dir = try InputTempDir()
        let path = try dir.write("q.csv", """
            \(sampleHeader),note
            \(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,a,"first
            second\r\nthird"
            \(goodBadge),2,2024-01-01T00:00:00Z,Loyalty,b,plain
            \(goodBadge),3,2024-01-01T00:00:00Z,Loyalty,"multi
            line ref",x

            """)
        let records = try readAll(path)
        #expect(records.map(\.line) == [2, 5, 6])
        #expect(records[0].originalCells[5] == "first\nsecond\r\nthird")
        #expect(records[2].validRow?.referenceId == "multi\nline ref")
    }

    @Test func doubledQuotesAndCommasInsideQuotes() throws {
        let dir = try InputTempDir()
        let path = try dir.write("dq.csv", "\(sampleHeader),note\n\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,\"ref, with comma\",\"he said \"\"hi\"\", ok\"\n")
        let records = try readAll(path)
        #expect(records.count == 1)
        #expect(records[0].validRow?.referenceId == "ref, with comma")
        #expect(records[0].originalCells == [goodBadge, "1", "2024-01-01T00:00:00Z", "Loyalty", "ref, with comma", "he said \"hi\", ok"])
    }

    @Test func tooFewAndTooManyFieldsAreInvalidAndReadingGoesOn() throws {
        let dir = try InputTempDir()
        let path = try dir.write("shape.csv", """
            \(sampleHeader)
            \(goodBadge),1,2024-01-01T00:00:00Z
            \(goodBadge),2,2024-01-01T00:00:00Z,Loyalty,b,extra
            \(goodBadge),3,2024-01-01T00:00:00Z,Loyalty,c
            """)
        let records = try readAll(path)
        #expect(records.map(\.line) == [2, 3, 4])
        #expect(records[0].errorKeys == ["csv.tooFewFields"])
        #expect(records[0].invalidRecord?.errors.first?.reason == "3 fields, the header has 5")
        #expect(records[1].errorKeys == ["csv.tooManyFields"])
        #expect(records[2].validRow?.customerId == 3)
    }

    @Test func unterminatedQuoteAtEndOfFile() throws {
        let dir = try InputTempDir()
        let path = try dir.write("u.csv", "\(sampleHeader)\n\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,a\n\(goodBadge),2,2024-01-01T00:00:00Z,Loyalty,\"never closed\nmore\n")
        let records = try readAll(path)
        #expect(records.count == 2)
        #expect(records[0].validRow != nil)
        #expect(records[1].line == 3)
        #expect(records[1].errorKeys == ["csv.unterminatedQuote"])
    }

    @Test func invalidUTF8IsAnInvalidRowNotAStop() throws {
        let dir = try InputTempDir()
        let bytes = Array("\(sampleHeader)\n\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,ab".utf8) + [0xFF, 0xFE] +
            Array("\n\(goodBadge),2,2024-01-01T00:00:00Z,Loyalty,ok\n".utf8)
        let path = try dir.write("bad-utf8.csv", bytes: bytes)
        let records = try readAll(path)
        #expect(records.count == 2)
        #expect(records[0].errorKeys == ["csv.invalidUTF8"])
        #expect(records[0].invalidRecord?.errors.first?.field == "referenceId")
        #expect(records[1].validRow?.referenceId == "ok")
    }

    @Test func blankAndWhitespaceOnlyLinesAreSkipped() throws {
        let dir = try InputTempDir()
        let path = try dir.write("blank.csv", "\n\(sampleHeader)\n\n   \n\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,a\n\r\n\t\n\(goodBadge),2,2024-01-01T00:00:00Z,Loyalty,b")
        let reader = try EarnFileReader(file: try InputFile(path: path), mapping: testMapping())
        #expect(reader.headerLine == 2)
        var lines: [Int] = []
        while let record = try reader.next() {
            #expect(record.validRow != nil)
            lines.append(record.line)
        }
        #expect(lines == [5, 8])
    }

    @Test func columnOrderDoesNotMatterAndUnknownColumnsAreKept() throws {
        let dir = try InputTempDir()
        let a = try dir.write("a.csv", "\(sampleHeader)\n\(goodBadge),7,2024-05-05T05:05:05Z,Journeys,ref\n")
        let b = try dir.write("b.csv", "extra,referenceId,ownerType,earnEventDate,customerId,badgeMetaId\nkeep me,ref,JOURNEYS,2024-05-05T07:05:05+02:00,7,\(goodBadge.uppercased())\n")
        let ra = try readAll(a), rb = try readAll(b)
        let reader = try EarnFileReader(file: try InputFile(path: b), mapping: testMapping())
        #expect(reader.columns == ["extra", "referenceId", "ownerType", "earnEventDate", "customerId", "badgeMetaId"])
        #expect(rb[0].originalCells[0] == "keep me")
        #expect(ra[0].validRow?.requestId == rb[0].validRow?.requestId)
        #expect(rb[0].validRow?.badgeMetaId == goodBadge)
    }

    @Test func mapReadsAFieldFromAnotherColumn() throws {
        let dir = try InputTempDir()
        let path = try dir.write("m.csv", "badge,member_id,when,owner,ref\n\(goodBadge),42,2024-01-01T00:00:00Z,Loyalty,r\n")
        let mapping = testMapping {
            $0.columnForField = [.badgeMetaId: "badge", .customerId: "Member_ID", .earnEventDate: "when", .ownerType: "owner", .referenceId: "ref"]
        }
        let rows = try readAll(path, mapping: mapping).compactMap(\.validRow)
        #expect(rows.map(\.customerId) == [42])
    }

    @Test func defaultsFillAbsentColumnsAndEmptyCells() throws {
        let dir = try InputTempDir()
        let path = try dir.write("d.csv", "customerId,earnEventDate,ownerType\n1,2024-01-01T00:00:00Z,\n2,2024-01-01T00:00:00Z,Journeys\n")
        let mapping = testMapping {
            $0.defaultBadgeMetaId = goodBadge
            $0.defaultOwnerType = .historicalImport
            $0.defaultReferenceId = "backfill-2024"
        }
        let rows = try readAll(path, mapping: mapping).compactMap(\.validRow)
        #expect(rows.count == 2)
        #expect(rows[0].ownerType == .historicalImport)
        #expect(rows[1].ownerType == .journeys)
        #expect(rows.allSatisfy { $0.badgeMetaId == goodBadge && $0.referenceId == "backfill-2024" })
    }

    @Test func aRequiredColumnMissingFromTheHeaderFailsBeforeReading() throws {
        let dir = try InputTempDir()
        let path = try dir.write("nocol.csv", "badgeMetaId,earnEventDate,ownerType,referenceId\n\(goodBadge),2024-01-01T00:00:00Z,Loyalty,r\n")
        do {
            _ = try EarnFileReader(file: try InputFile(path: path), mapping: testMapping())
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains(path))
            #expect(error.description.contains("customerId"))
        }
    }

    @Test func gzipReadsLikeThePlainFile() throws {
        let dir = try InputTempDir()
        var text = sampleHeader + "\n"
        for i in 1...5000 { text += "\(goodBadge),\(i),2024-01-01T00:00:00Z,Loyalty,\"r,\(i)\"\n" }
        let plain = try dir.write("big.csv", text)
        let gz = try dir.gzip("big.csv")
        let file = try InputFile(path: gz)
        #expect(file.isGzip && file.format == .csv)
        let a = try readAll(plain).compactMap(\.validRow), b = try readAll(gz).compactMap(\.validRow)
        #expect(a.count == 5000)
        #expect(a.map(\.requestId) == b.map(\.requestId))
        #expect(a.map(\.line) == b.map(\.line))
    }

    @Test func concatenatedGzipMembersAndCorruptGzip() throws {
        let dir = try InputTempDir()
        try dir.write("p1.csv", "\(sampleHeader)\n\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,a\n")
        try dir.write("p2.csv", "\(goodBadge),2,2024-01-01T00:00:00Z,Loyalty,b\n")
        let both = try Data(contentsOf: URL(fileURLWithPath: dir.gzip("p1.csv"))) + Data(contentsOf: URL(fileURLWithPath: dir.gzip("p2.csv")))
        let joined = try dir.write("joined.csv.gz", bytes: Array(both))
        #expect(try readAll(joined).compactMap(\.validRow).map(\.customerId) == [1, 2])

        let corrupt = try dir.write("corrupt.csv.gz", bytes: Array(both.prefix(20)) + [UInt8](repeating: 0x41, count: 50))
        #expect(throws: InputError.self) { _ = try readAll(corrupt) }
    }

    @Test func missingFileAndUnknownExtensionNameThePath() throws {
        let dir = try InputTempDir()
        let missing = dir.path("nope.csv")
        do {
            _ = try EarnFileReader(file: try InputFile(path: missing), mapping: testMapping())
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "\(missing): cannot open: No such file or directory")
        }
        #expect(throws: InputError.self) { _ = try InputFile(path: "data.txt") }
        #expect(throws: InputError.self) { _ = try InputFile(path: "-") }
        #expect(try InputFile(path: "x.NDJSON.gz").format == .jsonl)
        #expect(try InputFile(path: "-", format: .csv).displayName == "-")
    }

    /// Memory stays bounded: a record over the cap is cut, reported, and reading goes on.
    @Test func anOverlongRecordIsCutAndReported() throws {
        let dir = try InputTempDir()
        let huge = String(repeating: "x", count: CSVRecordReader.maxRecordBytes + 100)
        let path = try dir.write("long.csv", "\(sampleHeader)\n\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,\"\(huge)\nmore\"\n\(goodBadge),2,2024-01-01T00:00:00Z,Loyalty,b\n")
        let records = try readAll(path)
        #expect(records.map(\.line) == [2, 4])
        #expect(records[0].errorKeys == ["csv.recordTooLong"])
        #expect(records[0].originalCells[4].utf8.count < CSVRecordReader.maxRecordBytes)
        #expect(records[1].validRow?.customerId == 2)
    }

    @Test func emptyFileHasNoRecords() throws {
        let dir = try InputTempDir()
        #expect(try readAll(try dir.write("empty.csv", "")).isEmpty)
        #expect(try readAll(try dir.write("header-only.csv", sampleHeader + "\r\n")).isEmpty)
    }

    /// The same bytes split at every chunk boundary: CR/LF pairs, quotes and BOM never
    /// depend on where a read ends (the reader uses 256 KiB chunks; a file just over one
    /// chunk with a CRLF across the boundary covers that path).
    @Test func crlfAcrossTheChunkBoundary() throws {
        let dir = try InputTempDir()
        let row = "\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,"
        let header = sampleHeader + "\r\n"
        var text = header
        var n = 0
        while text.utf8.count < ByteSource.chunkSize - 200 { n += 1; text += row + "r\(n)\r\n" }
        // Pad the next row so its CR is the chunk's last byte.
        let pad = ByteSource.chunkSize - text.utf8.count - row.utf8.count - 1
        text += row + String(repeating: "p", count: pad) + "\r\n"
        text += row + "last\r\n"
        let records = try readAll(try dir.write("edge.csv", text))
        #expect(records.count == n + 2)
        #expect(records.last?.line == n + 3)
        #expect(records.allSatisfy { $0.validRow != nil })
    }
}

/// The in-memory source returns short, uneven reads (1, 2, 3... bytes first), so a BOM, a
/// CRLF or a doubled quote split across reads is exercised on every small input.
struct InputCSVShortReadTests {
    @Test func splitReadsGiveTheSameRecords() throws {
        let text = "\u{FEFF}\(sampleHeader),note\r\n\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,\"a\"\"b\",\"x\r\ny\"\r\n\r\n\(goodBadge),2,2024-01-01T00:00:00Z,Loyalty,c,d\r"
        let dir = try InputTempDir()
        let fromFile = try readAll(try dir.write("f.csv", text))
        let file = try InputFile(path: "mem.csv")
        let reader = try EarnFileReader(file: file, mapping: testMapping(), source: ByteSource(bytes: Array(text.utf8), name: "mem.csv"))
        #expect(reader.columns.first == "badgeMetaId")
        var fromMemory: [MappedRecord] = []
        while let r = try reader.next() { fromMemory.append(r) }
        #expect(fromMemory.map(\.line) == [2, 5])
        #expect(fromMemory.map(\.line) == fromFile.map(\.line))
        #expect(fromMemory.map(\.originalCells) == fromFile.map(\.originalCells))
        #expect(fromMemory[0].validRow?.referenceId == "a\"b")
    }
}
