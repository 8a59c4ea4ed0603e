import Foundation
import Testing
@testable import BadgeImport

struct InputJSONLReaderTests {
    private let good = #"{"badgeMetaId":"66276dc68fe258516a88ff8e","customerId":62090013,"earnEventDate":"2024-03-01T15:30:00+05:30","ownerType":"historical_import","referenceId":"r1"}"#

    @Test func validRowsCRLFAndBlankLines() throws {
        let dir = try InputTempDir()
        let text = good + "\r\n\r\n  \n" + #"{"customerId":"62090014","referenceId":"r2","ownerType":"Loyalty","earnEventDate":"2024-03-01T10:00:00Z","badgeMetaId":"66276DC68FE258516A88FF8E","extra":[1,{"a":2}]}"# + "\r\n"
        let path = try dir.write("a.jsonl", text)
        let records = try readAll(path)
        #expect(records.map(\.line) == [1, 4])
        let rows = records.compactMap(\.validRow)
        #expect(rows.map(\.customerId) == [62090013, 62090014])
        #expect(rows[0].earnEventDate == "2024-03-01T10:00:00.000Z")
        #expect(rows[0].ownerType == .historicalImport)
        #expect(rows[1].badgeMetaId == goodBadge)
        let reader = try EarnFileReader(file: try InputFile(path: path), mapping: testMapping())
        #expect(reader.columns == EarnField.allCases.map(\.rawValue))
        #expect(records[0].originalCells == [goodBadge, "62090013", "2024-03-01T15:30:00+05:30", "historical_import", "r1", ""])
    }

    /// A log of earn request bodies replays as it is: nested triggeredBy, a numeric requestId
    /// and a string customerId (Capillary's own example shapes) are one valid row each.
    @Test func linesInTheAPIsRequestShapeAreTakenAsTheyAre() throws {
        let dir = try InputTempDir()
        let lines = [
            #"{"badgeMetaId":"66276dc68fe258516a88ff8e","earnEventDate":"2023-11-03T21:51:00.192Z","customerId":62090013,"requestId":2132,"triggeredBy":{"ownerType":"Loyalty","referenceId":"123694"}}"#,
            #"{"badgeMetaId":"66276dc68fe258516a88ff8e","earnEventDate":"2023-11-03T21:51:00.192Z","customerId":"23423","requestId":"2133","triggeredBy":{"ownerType":"Historical_Import","referenceId":"123694"}}"#,
            // A flat member wins over the nested one; a requestId that is not a whole number stays wrong.
            #"{"badgeMetaId":"66276dc68fe258516a88ff8e","earnEventDate":"2023-11-03T21:51:00.192Z","customerId":1,"ownerType":"Journeys","triggeredBy":{"ownerType":"Loyalty","referenceId":"r"}}"#,
            #"{"badgeMetaId":"66276dc68fe258516a88ff8e","earnEventDate":"2023-11-03T21:51:00.192Z","customerId":1,"requestId":21.5,"triggeredBy":{"ownerType":"Loyalty","referenceId":"r"}}"#,
        ]
        let records = try readAll(try dir.write("log.jsonl", lines.joined(separator: "\n") + "\n"))
        let first = try #require(records[0].validRow)
        #expect(first.requestId == "2132")
        #expect(first.customerId == 62_090_013)
        #expect(first.ownerType == .loyalty && first.referenceId == "123694")
        let second = try #require(records[1].validRow)
        #expect(second.requestId == "2133" && second.customerId == 23_423 && second.ownerType == .historicalImport)
        #expect(records[2].validRow?.ownerType == .journeys)
        #expect(records[2].validRow?.referenceId == "r")
        #expect(records[3].errorKeys == ["requestId.wrongType"])
    }

    @Test func sameEventAsCSVGivesTheSameRequestId() throws {
        let dir = try InputTempDir()
        let j = try dir.write("a.ndjson", good + "\n")
        let c = try dir.write("a.csv", "\(sampleHeader)\n\(goodBadge),62090013,2024-03-01T10:00:00Z,Historical_Import,r1\n")
        #expect(try readAll(j)[0].validRow?.requestId == readAll(c)[0].validRow?.requestId)
    }

    @Test func malformedNonObjectAndWrongTypesAreInvalidWithTheirLine() throws {
        let dir = try InputTempDir()
        let lines = [
            good,
            #"{"badgeMetaId":"66276dc68fe258516a88ff8e","customerId":62090013"#,           // 2 truncated
            #"[1,2,3]"#,                                                                    // 3 array
            #""just a string""#,                                                            // 4
            #"{"badgeMetaId":12,"customerId":true,"earnEventDate":"2024-01-01T00:00:00Z","ownerType":{"x":1},"referenceId":["a"]}"#, // 5
            #"{"badgeMetaId":"66276dc68fe258516a88ff8e","customerId":12.5,"earnEventDate":"2024-01-01T00:00:00Z","ownerType":"Loyalty","referenceId":"a"}"#, // 6
            #"{"badgeMetaId":"66276dc68fe258516a88ff8e","customerId":1e6,"earnEventDate":"2024-01-01T00:00:00Z","ownerType":"Loyalty","referenceId":"a"}"#,  // 7
            #"{"badgeMetaId":"66276dc68fe258516a88ff8e","customerId":1,"earnEventDate":"2024-01-01T00:00:00Z","ownerType":"Loyalty","referenceId":"a"} x"#, // 8
            #"{"badgeMetaId":null,"customerId":1,"earnEventDate":"2024-01-01T00:00:00Z","ownerType":"Loyalty","referenceId":"a"}"#, // 9 null = absent
            "not json",                                                                     // 10
        ]
        let path = try dir.write("bad.jsonl", lines.joined(separator: "\n") + "\n")
        let records = try readAll(path)
        #expect(records.map(\.line) == Array(1...10))
        #expect(records[0].validRow != nil)
        #expect(records[1].errorKeys == ["json.malformed"])
        #expect(records[2].errorKeys == ["json.notObject"])
        #expect(records[2].invalidRecord?.errors.first?.reason == "expected a JSON object, got an array")
        #expect(records[3].errorKeys == ["json.notObject"])
        #expect(records[4].errorKeys == ["badgeMetaId.wrongType", "customerId.wrongType", "ownerType.wrongType", "referenceId.wrongType"])
        #expect(records[5].errorKeys == ["customerId.notInteger"])
        #expect(records[6].errorKeys == ["customerId.notInteger"])
        #expect(records[7].errorKeys == ["json.malformed"])
        #expect(records[8].errorKeys == ["badgeMetaId.missing"])
        #expect(records[9].errorKeys == ["json.malformed"])
    }

    @Test func stringEscapesAndSurrogatePairs() throws {
        func scan(_ text: String) -> FlatJSONScanner.Outcome {
            Array(text.utf8).withUnsafeBufferPointer { FlatJSONScanner.scan($0) }
        }
        #expect(scan(#"{"a":"x\"y\\z\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#) == .object([("a", .string("x\"y\\z/\u{8}\u{c}\n\r\té😀"))]))
        #expect(scan(#"{ "n" : -0.5e+10 , "t":true,"f":false,"z":null,"o":{"p":[1,[2]]} }"#) ==
                .object([("n", .number("-0.5e+10")), ("t", .bool(true)), ("f", .bool(false)), ("z", .null), ("o", .nested(#"{"p":[1,[2]]}"#))]))
        for bad in [#"{"a":"\ud83d"}"#, #"{"a":"\ude00x"}"#, #"{"a":"\x"}"#, #"{"a":"\u12"}"#, #"{"a":01}"#, #"{"a":1.}"#,
                    #"{"a":-}"#, #"{"a":tru}"#, #"{"a" 1}"#, #"{"a":1,}"#, #"{a:1}"#, "{\"a\":\"tab\there\"}", "", "{"] {
            if case .malformed = scan(bad) {} else { Issue.record("accepted \(bad)") }
        }
        let invalidUTF8: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3] + Array(#""}"#.utf8)
        if case .malformed = invalidUTF8.withUnsafeBufferPointer({ FlatJSONScanner.scan($0) }) {} else { Issue.record("accepted invalid UTF-8") }
        let deep = String(repeating: "[", count: 10_000)
        if case .malformed = scan(#"{"a":"# + deep) {} else { Issue.record("accepted deep nesting") }
    }

    @Test func gzipJSONLAndMap() throws {
        let dir = try InputTempDir()
        var text = ""
        for i in 1...300 { text += #"{"badge":"66276dc68fe258516a88ff8e","member":\#(i),"when":"2024-01-01T00:00:00Z","ownerType":"Loyalty","referenceId":"r"}"# + "\n" }
        try dir.write("m.jsonl", text)
        let gz = try dir.gzip("m.jsonl")
        let mapping = testMapping { $0.columnForField = [.badgeMetaId: "badge", .customerId: "member", .earnEventDate: "when"] }
        let rows = try readAll(gz, mapping: mapping).compactMap(\.validRow)
        #expect(rows.map(\.customerId) == (1...300).map(Int64.init))
        #expect(rows.last?.line == 300)
    }

    @Test func aLineOverTheLimitIsInvalidAndTheNextLineIsRead() throws {
        let dir = try InputTempDir()
        let huge = #"{"referenceId":""# + String(repeating: "x", count: JSONLLineReader.maxLineBytes + 10) + #""}"#
        let path = try dir.write("huge.jsonl", huge + "\n" + good + "\n")
        let records = try readAll(path)
        #expect(records.map(\.line) == [1, 2])
        #expect(records[0].errorKeys == ["json.lineTooLong"])
        #expect(records[1].validRow != nil)
    }
}
