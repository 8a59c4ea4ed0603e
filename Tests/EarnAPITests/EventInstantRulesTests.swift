import Testing
@testable import EarnAPI

/// The mock's rules for the request's dates and its catalog (once its own `EarnTimestamp`).
@Suite struct EventInstantRulesTests {
    private enum Zone { case utcOnly, utcOrOffset }

    private func millis(_ text: String, _ zone: Zone = .utcOrOffset) -> Int64? {
        EventInstant(iso8601: text, rules: zone == .utcOnly ? .earnEventDate : .earnEventDateISO)?.millisecondsSinceEpoch
    }

    @Test func parsesTheDocumentedShapes() {
        // 2023-11-03T21:51:00.192Z, cross-checked with `date -u -d ... +%s%3N`.
        #expect(millis("2023-11-03T21:51:00.192Z", .utcOnly) == 1_699_048_260_192)
        #expect(millis("2026-03-15T11:20:00+05:30") == millis("2026-03-15T05:50:00.000Z"))
        #expect(millis("2026-03-15T11:20:00+0530") == millis("2026-03-15T05:50:00Z"))
        #expect(millis("2026-03-14T23:20:00-06:00") == millis("2026-03-15T05:20:00Z"))
        #expect(millis("1970-01-01T00:00:00Z") == 0)
        #expect(millis("1969-12-31T23:59:59.999Z") == -1)
    }

    @Test func fractionsAreTruncatedToMilliseconds() {
        #expect(millis("2024-02-29T12:00:00.1Z") == millis("2024-02-29T12:00:00.100Z"))
        #expect(millis("2024-02-29T12:00:00.123456789Z") == millis("2024-02-29T12:00:00.123Z"))
    }

    @Test(arguments: ["", "2024-02-30T00:00:00Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z",
                      "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00",
                      "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00.1234567890Z", "2024-01-01T00:00:00Zjunk",
                      "2024-01-01T00:00:00+5:30", "2024-01-01", "24-01-01T00:00:00Z"])
    func rejectsWhatIsNotAnInstant(text: String) {
        #expect(millis(text) == nil)
    }

    @Test func utcOnlyRefusesOffsets() {
        #expect(millis("2026-03-15T11:20:00+05:30", .utcOnly) == nil)
        #expect(millis("2026-03-15T11:20:00.000Z", .utcOnly) != nil)
    }

    @Test func bareDatesOnlyWhenAllowed() {
        let start = EventInstant(iso8601: "2027-12-31", rules: .catalogWindow(bareDate: .startOfDay))?.millisecondsSinceEpoch
        let end = EventInstant(iso8601: "2027-12-31", rules: .catalogWindow(bareDate: .endOfDay))?.millisecondsSinceEpoch
        #expect(start == millis("2027-12-31T00:00:00Z"))
        #expect(end == millis("2027-12-31T23:59:59.999Z"))
    }

    @Test(arguments: ["2023-11-03T21:51:00.192Z", "1970-01-01T00:00:00.000Z", "2000-02-29T23:59:59.999Z",
                      "1969-07-20T20:17:40.000Z", "9999-12-31T23:59:59.999Z"])
    func formatRoundTrips(text: String) throws {
        let value = try #require(millis(text))
        #expect(EventInstant(millisecondsSinceEpoch: value).utcString == text)
    }
}
