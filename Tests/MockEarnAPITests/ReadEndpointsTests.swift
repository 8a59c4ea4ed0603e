import Foundation
import Testing
@testable import MockEarnAPI

/// The badge definition and customer badge reads, and the admin endpoints that change what
/// the mock holds behind a client's back, over real HTTP.
@Suite struct ReadEndpointsTests {
    static let meta = "/api_gateway/v1/badges/badgeMeta/"
    static func customer(_ id: String) -> String { "/api_gateway/v1/badges/customer/\(id)?badgeType=EARNED&includeExpired=true" }

    private func withSampleMock(configure adjust: (inout MockConfiguration) -> Void = { _ in },
                                _ body: (MockEarnServer, TestHTTPClient) throws -> Void) throws {
        let clock = ManualClock(wall: 1_780_000_000)
        var configuration = MockConfiguration(catalog: try BadgeCatalog.load(path: sampleCatalogPath), clock: clock.mockClock)
        adjust(&configuration)
        try withMock(configuration) { server in try body(server, TestHTTPClient(port: server.port)) }
    }

    @Test func badgeDefinitionComesFromTheCatalog() throws {
        try withSampleMock { server, client throws in
            let claimed = try client.get(Self.meta + Earn.claimedBadge)
            #expect(claimed.status == 200)
            let data = try #require(claimed.data)
            #expect(data["id"] as? String == Earn.claimedBadge)
            #expect(data["startOn"] as? Int == 1_717_200_000)           // 2024-06-01T00:00:00Z
            #expect((data["expiresOn"] as? Double).map { abs($0 - 1_830_297_599.999) < 1e-6 } == true)
            #expect(data["active"] as? Bool == true)
            #expect(data["status"] as? String == "LIVE")
            #expect(data["earnType"] as? String == "DIRECT_EARN")
            let claims = try #require((data["ownership"] as? [String: Any])?["claims"] as? [[String: String]])
            #expect(claims == [["ownerType": "Loyalty_Promotion", "referenceId": "PROMO-SUMMER"]])
            #expect(try client.get(Self.meta + Earn.notLiveBadge).data?["active"] as? Bool == false)
            #expect(try client.get(Self.meta + Earn.issueEarnBadge).data?["earnType"] as? String == "ISSUE_AND_EARN")
            let unknown = try client.get(Self.meta + "aaaaaaaaaaaaaaaaaaaaaaaa")
            #expect(unknown.status == 400)
            #expect(unknown.errorCodes == [1054])
            #expect(try client.get(Self.meta + "not-hex").errorCodes == [1054])
            #expect(server.stats().badgeReads == 5)
            #expect(server.stats().requests == 0)
        }
    }

    @Test func customerBadgesListTheCommittedEarnsWithTheirRequestIds() throws {
        try withSampleMock { server, client throws in
            #expect(try client.post(Earn.path, body: Earn.body(customerId: "7", requestId: "a")).status == 200)
            #expect(try client.post(Earn.path, body: Earn.body(customerId: "7", requestId: "b", referenceId: "x")).status == 200)
            #expect(try client.get(Self.customer("8")).json["data"] as? [Any] != nil)
            #expect((try client.get(Self.customer("8")).json["data"] as? [Any])?.isEmpty == true)
            let held = try #require(try client.get(Self.customer("7")).json["data"] as? [[String: Any]])
            #expect(held.count == 1)
            #expect(held.first?["badgeMetaId"] as? String == Earn.directBadge)
            #expect(held.first?["name"] as? String == "Welcome badge (direct earn)")
            let earns = try #require(held.first?["earnedBadges"] as? [[String: Any]])
            #expect(earns.compactMap { $0["requestId"] as? String } == ["a", "b"])
            // An earn after the first read shows too (the index is kept up to date).
            #expect(try client.post(Earn.path, body: Earn.body(customerId: "7", requestId: "c", referenceId: "y")).status == 200)
            let again = try client.get(Self.customer("7")).json["data"] as? [[String: Any]]
            #expect((again?.first?["earnedBadges"] as? [Any])?.count == 3)
            #expect(try client.get(Self.customer("abc")).status == 400)
            #expect(server.stats().customerReads == 5)
        }
    }

    @Test func aForgottenEarnIsGoneAndItsRequestIdFree() throws {
        try withSampleMock { server, client throws in
            #expect(try client.post(Earn.path, body: Earn.body(customerId: "7", requestId: "a")).status == 200)
            #expect(try client.post(Earn.path, body: Earn.body(customerId: "7", requestId: "b", referenceId: "x")).status == 200)
            _ = try client.get(Self.customer("7"))  // builds the index before the forget
            #expect(try client.post("/__forget", body: #"{"requestId":"a"}"#).status == 200)
            #expect(try client.post("/__forget", body: #"{"requestId":"a"}"#).status == 404)
            let held = try client.get(Self.customer("7")).json["data"] as? [[String: Any]]
            #expect((held?.first?["earnedBadges"] as? [[String: Any]])?.compactMap { $0["requestId"] as? String } == ["b"])
            #expect(server.committedEarns().map(\.requestId) == ["b"])
            // Free again: the same request earns anew instead of 809.
            #expect(try client.post(Earn.path, body: Earn.body(customerId: "7", requestId: "a")).status == 200)
        }
    }

    @Test func keptRejectedIdsAnswer809UntilANewIdAfterTheIssue() throws {
        let body = Earn.body(badge: Earn.issueEarnBadge, customerId: "99", requestId: "r-811")
        try withSampleMock(configure: { $0.keepRejectedIds = true }) { server, client throws in
            #expect(try client.post(Earn.path, body: body).errorCodes == [811])
            let issue = #"{"badgeMetaId":"\#(Earn.issueEarnBadge)","customerId":99}"#
            #expect(try client.post("/__issue", body: issue).status == 200)
            // The burned id: 809 although nothing was ever earned under it.
            #expect(try client.post(Earn.path, body: body).errorCodes == [809])
            #expect(server.committedEarns().isEmpty)
            let fresh = Earn.body(badge: Earn.issueEarnBadge, customerId: "99", requestId: "r-811#2")
            #expect(try client.post(Earn.path, body: fresh).status == 200)
        }
        // Without the option the same id earns once the badge is issued.
        try withSampleMock { _, client throws in
            #expect(try client.post(Earn.path, body: body).errorCodes == [811])
            #expect(try client.post("/__issue", body: #"{"badgeMetaId":"\#(Earn.issueEarnBadge)","customerId":"99"}"#).status == 200)
            #expect(try client.post(Earn.path, body: body).status == 200)
        }
    }

    @Test func readsSitBehindAuthAndCanBeDenied() throws {
        try withSampleMock(configure: { $0.basic = .init(username: "store.server", password: "server123") }) { _, client throws in
            #expect(try client.get(Self.meta + Earn.directBadge).status == 401)
            #expect(try client.send("GET", Self.meta + Earn.directBadge, headers: ["Authorization": Earn.docBasicHeader]).status == 200)
            #expect(try client.send("GET", Self.customer("1"), headers: ["Authorization": Earn.docBasicHeader]).status == 200)
        }
        try withSampleMock(configure: { $0.denyReads = true }) { _, client throws in
            #expect(try client.get(Self.meta + Earn.directBadge).status == 403)
            #expect(try client.get(Self.customer("1")).status == 403)
            #expect(try client.post(Earn.path, body: Earn.body()).status == 200)  // earning is not a read
        }
    }

    @Test func withoutACatalogAnyHexIdIsALiveDirectBadge() throws {
        try withMock { server throws in
            let client = TestHTTPClient(port: server.port)
            let data = try #require(try client.get(Self.meta + "ABCDEF0123456789abcdef01").data)
            #expect(data["id"] as? String == "abcdef0123456789abcdef01")
            #expect(data["active"] as? Bool == true)
            #expect(data["startOn"] == nil)
        }
    }
}
