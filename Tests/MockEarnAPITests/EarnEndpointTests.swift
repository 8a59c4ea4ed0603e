import Foundation
import EarnAPI
import Testing
@testable import MockEarnAPI

/// The earn endpoint's documented behaviour, over real HTTP.
@Suite struct EarnEndpointTests {
    private func isObjectID(_ value: Any?) -> Bool {
        guard let text = value as? String else { return false }
        return text.utf8.count == 24 && text.utf8.allSatisfy { Hex.value($0) != nil && !(65...70).contains($0) }
    }

    @Test func successBodyIsExactlyTheDocumentedShape() throws {
        let clock = ManualClock()
        try withMock(MockConfiguration(clock: clock.mockClock)) { server throws in
            let client = TestHTTPClient(port: server.port)
            let response = try client.post(Earn.path, body: Earn.body(customerId: #""62090013""#, requestId: "NaYAzxXfJhHvRm4l7KiD"))
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let json = response.json
            #expect(Set(json.keys) == ["data", "errors", "warnings"])
            #expect((json["errors"] as? [Any])?.isEmpty == true)
            #expect((json["warnings"] as? [Any])?.isEmpty == true)
            let data = try #require(response.data)
            #expect(Set(data.keys) == ["badgeMetaId", "customerId", "earnedBadgeId", "expiresOn", "requestId", "issuedId"])
            #expect(data["badgeMetaId"] as? String == Earn.directBadge)
            #expect(data["customerId"] as? Int == 62_090_013)  // a string in, a number out
            #expect(data["requestId"] as? String == "NaYAzxXfJhHvRm4l7KiD")
            #expect(data["issuedId"] is NSNull)
            #expect(isObjectID(data["earnedBadgeId"]))
            // Epoch seconds with a nine-digit fraction: 365 days after the (injected) now.
            #expect(response.text.range(of: #""expiresOn":\d+\.\d{9},"#, options: .regularExpression) != nil)
            let expiresOn = try #require(data["expiresOn"] as? Double)
            #expect(abs(expiresOn - (clock.wallNow + 365 * 86_400)) < 0.001)
        }
    }

    @Test func earnedIdsAreFreshAndRequestIdsAreEchoedEscaped() throws {
        try withMock { server throws in
            let client = TestHTTPClient(port: server.port)
            var ids: Set<String> = []
            for index in 0..<50 {
                let response = try client.post(Earn.path, body: Earn.body(requestId: #"id \"\#(index)\" \\ é"#))
                #expect(response.data?["requestId"] as? String == "id \"\(index)\" \\ é")
                ids.insert(try #require(response.data?["earnedBadgeId"] as? String))
            }
            #expect(ids.count == 50)
            #expect(client.connectionsOpened == 1)  // keep-alive
        }
    }

    @Test func sameRequestIdTwiceIs809AndEarnsOnce() throws {
        try withMock { server throws in
            let client = TestHTTPClient(port: server.port)
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "once")).status == 200)
            let again = try client.post(Earn.path, body: Earn.body(customerId: "999", requestId: "once"))
            #expect(again.status == 400)
            #expect(again.errorCodes == [809])
            #expect(Set(again.json.keys) == ["data", "errors", "warnings"])
            #expect(again.json["data"] is NSNull && again.json["warnings"] is NSNull)
            let error = try #require((again.json["errors"] as? [[String: Any]])?.first)
            #expect(Set(error.keys) == ["code", "message", "reference"])
            let stats = server.stats()
            #expect(stats.earned == 1 && stats.duplicate809 == 1 && stats.committedEarns == 1)
        }
    }

    @Test func rejectedRequestIdCanBeSentAgain() throws {
        try withMock(MockConfiguration(catalog: try BadgeCatalog.load(path: sampleCatalogPath))) { server throws in
            let client = TestHTTPClient(port: server.port)
            let refused = try client.post(Earn.path, body: Earn.body(badge: Earn.notLiveBadge, requestId: "retry-me"))
            #expect(refused.errorCodes == [815])
            // Only accepted ids are remembered: the corrected row with the same id goes through.
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "retry-me")).status == 200)
        }
    }

    @Test func severalValidationErrorsComeBackTogether() throws {
        try withMock { server throws in
            let response = try TestHTTPClient(port: server.port).post(Earn.path, body: Earn.body(
                badge: nil, customerId: nil, requestId: nil, ownerType: nil, referenceId: nil))
            #expect(response.status == 400)
            #expect(response.errorCodes == [804, 812, 824, 716, 825])
            let references = (response.json["errors"] as? [[String: Any]] ?? []).map { $0["reference"] as? String }
            #expect(references == ["requestId", "customerId", "badgeMetaId", "triggeredBy.ownerType", "triggeredBy.referenceId"])
            #expect(server.stats().rejectedRequests == 1)
            #expect(server.stats().rejected == ["804": 1, "812": 1, "824": 1, "716": 1, "825": 1])
        }
    }

    @Test(arguments: [
        (Earn.body(requestId: ""), [804]),
        (Earn.body(customerId: "null"), [812]),
        (Earn.body(customerId: #""12a""#), [823]),
        (Earn.body(customerId: "-4"), [823]),
        (Earn.body(ownerType: ""), [716]),
        (Earn.body(ownerType: "historical_import"), [821]),
        (Earn.body(ownerType: "Historical-Import"), [821]),
        (Earn.body(referenceId: nil), [825]),
        (Earn.body(date: "2024-11-03 21:51:00"), [822]),
        (Earn.body(date: "2024-11-03T21:51:00+05:30"), [822]),  // the old field is UTC only
        (Earn.body(date: nil, dateISO: "2024-11-03T21:51:00"), [822]),  // the new one needs an offset
        (Earn.body(badge: "not-hex"), [1054]),
        (#"{"badgeMetaId":"#, [820]),
        ("[]", [820]),
        ("", [820]),
    ])
    func eachRuleHasItsCode(body: String, codes: [Int]) throws {
        try withMock { server throws in
            let response = try TestHTTPClient(port: server.port).post(Earn.path, body: body)
            #expect(response.status == 400)
            #expect(response.errorCodes == codes)
            #expect(server.stats().committedEarns == 0)
        }
    }

    @Test func futureDatesAllowedUpTo24Hours() throws {
        let clock = ManualClock()
        try withMock(MockConfiguration(clock: clock.mockClock)) { server throws in
            let client = TestHTTPClient(port: server.port)
            let now = Int64(clock.wallNow * 1000)
            let in23h = EventInstant(millisecondsSinceEpoch: now + 23 * 3_600_000).utcString
            let in25h = EventInstant(millisecondsSinceEpoch: now + 25 * 3_600_000).utcString
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "a", date: in23h)).status == 200)
            let late = try client.post(Earn.path, body: Earn.body(requestId: "b", date: in25h))
            #expect(late.errorCodes == [750])
            // Backfills: dates years in the past are fine.
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "c", date: "2001-01-01T00:00:00.000Z")).status == 200)
            // Time moves on: what was too far ahead is now acceptable.
            clock.advance(by: 2 * 3600)
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "b", date: in25h)).status == 200)
        }
    }

    @Test func datesAreNormalisedToUTCAndMissingMeansNow() throws {
        let clock = ManualClock(wall: 1_780_000_000.25)
        try withMock(MockConfiguration(clock: clock.mockClock)) { server throws in
            let client = TestHTTPClient(port: server.port)
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "iso", date: nil,
                                                               dateISO: "2026-03-15T11:20:00.5+05:30")).status == 200)
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "both", date: "2020-01-01T00:00:00.000Z",
                                                               dateISO: "2026-03-15T11:20:00Z")).status == 200)
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "none", date: nil)).status == 200)
            let dates = Dictionary(uniqueKeysWithValues: server.committedEarns().map { ($0.requestId, $0.earnEventDate) })
            #expect(dates["iso"] == "2026-03-15T05:50:00.500Z")
            #expect(dates["both"] == "2026-03-15T11:20:00.000Z")  // the newer field wins
            #expect(dates["none"] == EventInstant(millisecondsSinceEpoch: 1_780_000_000_250).utcString)
        }
    }

    @Test func withoutCatalogAny24HexIdIsALiveDirectBadge() throws {
        try withMock { server throws in
            let client = TestHTTPClient(port: server.port)
            let response = try client.post(Earn.path, body: Earn.body(badge: "0123456789ABCDEF01234567", date: "1999-01-01T00:00:00Z"))
            #expect(response.status == 200)
            #expect(response.data?["badgeMetaId"] as? String == "0123456789abcdef01234567")
            #expect(response.data?["issuedId"] is NSNull)
            #expect(try client.post(Earn.path, body: Earn.body(badge: "0123456789abcdef0123456", requestId: "short")).errorCodes == [1054])
        }
    }
}
