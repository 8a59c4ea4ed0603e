import Foundation
import EarnAPI
import Testing
@testable import BadgeImport

struct InputFieldRulesTests {
    /// One CSV row with the given cells (header `sampleHeader`), mapped with `mapping`.
    private func map(_ badge: String = goodBadge, _ customer: String = "62090013", _ date: String = "2024-03-01T10:00:00Z",
                     _ owner: String = "Historical_Import", _ ref: String = "r1",
                     mapping: MappingOptions = testMapping()) throws -> MappedRecord {
        let dir = try InputTempDir()
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let path = try dir.write("row.csv", "\(sampleHeader)\n\(q(badge)),\(q(customer)),\(q(date)),\(q(owner)),\(q(ref))\n")
        let records = try readAll(path, mapping: mapping)
        try #require(records.count == 1)
        return records[0]
    }

    @Test func badgeMetaIdIs24HexAndStoredLowerCase() throws {
        #expect(try map(goodBadge.uppercased()).validRow?.badgeMetaId == goodBadge)
        #expect(try map(String(goodBadge.dropLast())).errorKeys == ["badgeMetaId.notHex24"])
        #expect(try map(goodBadge + "0").errorKeys == ["badgeMetaId.notHex24"])
        #expect(try map("66276dc68fe258516a88ff8g").errorKeys == ["badgeMetaId.notHex24"])
        #expect(try map("").errorKeys == ["badgeMetaId.missing"])
    }

    @Test(arguments: [("12.5", "customerId.notInteger"), ("1e6", "customerId.notInteger"), ("62O90013", "customerId.notInteger"),
                      ("-5", "customerId.notInteger"), ("+5", "customerId.notInteger"), ("0", "customerId.notPositive"),
                      ("99999999999999999999", "customerId.tooLarge"), ("", "customerId.missing")])
    func badCustomerIds(text: String, key: String) throws {
        #expect(try map(goodBadge, text).errorKeys == [key])
    }

    @Test func goodCustomerIds() throws {
        #expect(try map(goodBadge, "9223372036854775807").validRow?.customerId == Int64.max)
        #expect(try map(goodBadge, " 007 ").validRow?.customerId == 7)
    }

    @Test func ownerTypeIsCaseInsensitiveAndSentCanonical() throws {
        #expect(try map(goodBadge, "1", "2024-01-01T00:00:00Z", "hIsToRiCaL_iMpOrT").validRow?.ownerType == .historicalImport)
        #expect(try map(goodBadge, "1", "2024-01-01T00:00:00Z", "Historical-Import").errorKeys == ["ownerType.unknown"])
        #expect(try map(goodBadge, "1", "2024-01-01T00:00:00Z", "Historical_Importx").errorKeys == ["ownerType.unknown"])
        for owner in OwnerType.allCases {
            #expect(try map(goodBadge, "1", "2024-01-01T00:00:00Z", owner.rawValue.uppercased()).validRow?.ownerType == owner)
        }
    }

    @Test func referenceIdMustNotBeEmpty() throws {
        #expect(try map(goodBadge, "1", "2024-01-01T00:00:00Z", "Loyalty", "   ").errorKeys == ["referenceId.missing"])
    }

    @Test(arguments: ["2023-02-30T10:00:00Z", "2023-02-29T10:00:00Z", "yesterday", "2024-01-01", "2024-01-01T10:00:00",
                      "2024-01-01 10:00:00Z", "2024-13-01T10:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T10:60:00Z",
                      "2024-01-01T10:00:60Z", "2024-01-01T10:00:00.Z", "2024-01-01T10:00:00.1234567890Z",
                      "2024-01-01T10:00:00+0530", "2024-01-01T10:00:00+05", "2024-01-01T10:00:00Zx", "0000-01-01T00:00:00Z",
                      "2024-01-01T10:00:00+24:00"])
    func invalidDates(text: String) throws {
        #expect(try map(goodBadge, "1", text).errorKeys == ["earnEventDate.invalid"], "\(text)")
    }

    @Test(arguments: [("2024-02-29T23:59:59Z", "2024-02-29T23:59:59.000Z"),
                      ("2024-03-01T15:30:00+05:30", "2024-03-01T10:00:00.000Z"),
                      ("2024-03-01T00:30:00-04:00", "2024-03-01T04:30:00.000Z"),
                      ("2024-12-31T23:30:00-01:00", "2025-01-01T00:30:00.000Z"),
                      ("2024-03-01T10:00:00.1Z", "2024-03-01T10:00:00.100Z"),
                      ("2024-03-01T10:00:00.123456789Z", "2024-03-01T10:00:00.123Z"),
                      ("2024-03-01t10:00:00z", "2024-03-01T10:00:00.000Z"),
                      ("2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z"),
                      ("1970-01-01T00:00:00+00:01", "1969-12-31T23:59:00.000Z")])
    func datesAreNormalisedToUTCMilliseconds(input: String, utc: String) throws {
        #expect(try map(goodBadge, "1", input).validRow?.earnEventDate == utc)
    }

    @Test func moreThan24HoursInTheFutureIsInvalid() throws {
        // testNow = 2026-01-01T00:00:00Z
        #expect(try map(goodBadge, "1", "2026-01-02T00:00:00Z").validRow != nil)
        #expect(try map(goodBadge, "1", "2026-01-02T00:00:00.001Z").errorKeys == ["earnEventDate.future"])
        #expect(try map(goodBadge, "1", "2026-01-02T05:00:00+05:30").validRow != nil)
        #expect(try map(goodBadge, "1", "2030-01-01T00:00:00Z").errorKeys == ["earnEventDate.future"])
    }

    @Test func missingDateNeedsAllowMissingDate() throws {
        #expect(try map(goodBadge, "1", "").errorKeys == ["earnEventDate.missing"])
        let row = try map(goodBadge, "1", "", mapping: testMapping { $0.allowMissingDate = true }).validRow
        #expect(row != nil)
        #expect(row?.earnEventDate == nil)
    }

    @Test func everyReasonIsReported() throws {
        let record = try map("66276dc68fe258516a88ff8", "62O90013", "2023-02-30T10:00:00Z", "Historical-Import", "")
        #expect(record.errorKeys == ["badgeMetaId.notHex24", "customerId.notInteger", "earnEventDate.invalid",
                                     "ownerType.unknown", "referenceId.missing"])
        #expect(record.invalidRecord?.errors.map(\.field) == ["badgeMetaId", "customerId", "earnEventDate", "ownerType", "referenceId"])
        #expect(record.line == 2)
    }

    @Test func sameEventSameIdWhateverTheOffsetPaddingOrFileName() throws {
        let dir = try InputTempDir()
        let a = try dir.write("one.csv", "\(sampleHeader)\n\(goodBadge),62090013,2024-03-01T10:00:00Z,Historical_Import,r1\n\(goodBadge),62090014,2024-03-01T10:00:00Z,Historical_Import,r1\n")
        let b = try dir.write("two.csv", "\(sampleHeader)\n\(goodBadge),62090014,2024-03-01T10:00:00.000Z,Historical_Import,r1\n \(goodBadge.uppercased()) , 62090013 ,2024-03-01T15:30:00+05:30, historical_import , r1 \n")
        let ra = try readAll(a).compactMap(\.validRow), rb = try readAll(b).compactMap(\.validRow)
        #expect(ra[0].requestId == rb[1].requestId)
        #expect(ra[1].requestId == rb[0].requestId)
        #expect(ra[0].requestId != ra[1].requestId)
        #expect(ra[0].requestId == RequestID.derive(namespace: RequestID.defaultNamespace, badgeMetaId: goodBadge, customerId: 62090013,
                                                    ownerType: .historicalImport, referenceId: "r1", earnEventDate: "2024-03-01T10:00:00.000Z"))
        let other = try readAll(a, mapping: testMapping { $0.keyNamespace = "reissue-2" }).compactMap(\.validRow)
        #expect(other[0].requestId != ra[0].requestId)
    }

    @Test func aRequestIdColumnWinsWhenPresentAndNonEmpty() throws {
        let dir = try InputTempDir()
        let path = try dir.write("rid.csv", "\(sampleHeader),requestId\n\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,a, given-1 \n\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,a,\n\(goodBadge),1,2024-01-01T00:00:00Z,Loyalty,a,\"bad\u{7}id\"\n")
        let records = try readAll(path)
        #expect(records[0].validRow?.requestId == "given-1")
        #expect(records[1].validRow?.requestId.count == 64)
        #expect(records[2].errorKeys == ["requestId.controlCharacter"])
    }

    @Test func commandLineOptionsFailFast() throws {
        #expect(throws: InputError.self) { _ = try MappingOptions.fromCommandLine(maps: ["customerID=x", "nosuchfield=y"], badgeMetaId: nil, ownerType: nil, referenceId: nil, allowMissingDate: false, keyNamespace: nil, now: testNow) }
        #expect(throws: InputError.self) { _ = try MappingOptions.fromCommandLine(maps: ["customerId"], badgeMetaId: nil, ownerType: nil, referenceId: nil, allowMissingDate: false, keyNamespace: nil, now: testNow) }
        #expect(throws: InputError.self) { _ = try MappingOptions.fromCommandLine(maps: [], badgeMetaId: nil, ownerType: "Historical-Import", referenceId: nil, allowMissingDate: false, keyNamespace: nil, now: testNow) }
        #expect(throws: InputError.self) { _ = try MappingOptions.fromCommandLine(maps: [], badgeMetaId: "abc", ownerType: nil, referenceId: nil, allowMissingDate: false, keyNamespace: nil, now: testNow) }
        let ok = try MappingOptions.fromCommandLine(maps: ["customerid = member"], badgeMetaId: goodBadge.uppercased(), ownerType: "loyalty", referenceId: " r ", allowMissingDate: true, keyNamespace: "ns", now: testNow)
        #expect(ok.columnForField == [.customerId: "member"])
        #expect(ok.defaultBadgeMetaId == goodBadge)
        #expect(ok.defaultOwnerType == .loyalty)
        #expect(ok.defaultReferenceId == "r")
        #expect(ok.keyNamespace == "ns")
    }

    @Test func eventInstantRoundTripsAcrossTheCalendar() throws {
        // Every day of 1999-2001 (incl. the 2000 leap day) survives parse → utcString.
        var days = EventInstant.daysFromCivil(year: 1999, month: 1, day: 1)
        let last = EventInstant.daysFromCivil(year: 2001, month: 12, day: 31)
        while days <= last {
            let instant = EventInstant(millisecondsSinceEpoch: Int64(days) * 86_400_000 + 45_296_789)
            let text = instant.utcString
            #expect(EventInstant(iso8601: text) == instant, "\(text)")
            days += 1
        }
        #expect(EventInstant(iso8601: "1970-01-01T00:00:00Z")?.millisecondsSinceEpoch == 0)
        #expect(EventInstant(iso8601: "9999-12-31T23:59:59.999Z")?.utcString == "9999-12-31T23:59:59.999Z")
        #expect(EventInstant(iso8601: "9999-12-31T23:59:59-01:00") == nil)
    }
}
