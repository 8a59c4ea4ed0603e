import Foundation
import Testing
@testable import MockEarnAPI

/// Badge rules from the catalog, over real HTTP with samples/badges.json.
@Suite struct CatalogRulesTests {
    /// The clock stands in 2029 so the whole sample window (2023..2027) lies in the past.
    private func withSampleCatalog(_ body: (MockEarnServer, TestHTTPClient) throws -> Void) throws {
        let clock = ManualClock(wall: 1_861_920_000)  // 2029-01-01T00:00:00Z
        let configuration = MockConfiguration(catalog: try BadgeCatalog.load(path: sampleCatalogPath), clock: clock.mockClock)
        try withMock(configuration) { server in try body(server, TestHTTPClient(port: server.port)) }
    }

    @Test func issueEarnBadgeNeedsTheCustomerIssuedFirst() throws {
        try withSampleCatalog { server, client throws in
            let refused = try client.post(Earn.path, body: Earn.body(badge: Earn.issueEarnBadge, customerId: "62090016", requestId: "a"))
            #expect(refused.status == 409)
            #expect(refused.errorCodes == [811])
            for (index, customer) in ["62090013", "62090014", #""62090015""#].enumerated() {
                let accepted = try client.post(Earn.path, body: Earn.body(badge: Earn.issueEarnBadge, customerId: customer,
                                                                          requestId: "ok-\(index)"))
                #expect(accepted.status == 200)
                let issuedId = try #require(accepted.data?["issuedId"] as? String)
                #expect(ObjectID(issuedId) != nil)
            }
            // The issual id belongs to (badge, customer): the same on a second earn.
            let first = try client.post(Earn.path, body: Earn.body(badge: Earn.issueEarnBadge, customerId: "62090013", requestId: "x1",
                                                                   referenceId: "other"))
            let second = try client.post(Earn.path, body: Earn.body(badge: Earn.issueEarnBadge, customerId: "62090013", requestId: "x2",
                                                                    referenceId: "another"))
            #expect(first.data?["issuedId"] as? String == second.data?["issuedId"] as? String)
            #expect(server.stats().rejected == ["811": 1])
        }
    }

    @Test func notLiveBadgeIs815() throws {
        try withSampleCatalog { _, client throws in
            let response = try client.post(Earn.path, body: Earn.body(badge: Earn.notLiveBadge))
            #expect(response.status == 400)
            #expect(response.errorCodes == [815])
        }
    }

    @Test func unknownBadgeIs1054AsTheContractSays() throws {
        try withSampleCatalog { _, client throws in
            let response = try client.post(Earn.path, body: Earn.body(badge: "aaaaaaaaaaaaaaaaaaaaaaaa"))
            #expect(response.status == 400)
            #expect(response.errorCodes == [1054])
        }
    }

    @Test func eventDateOutsideTheWindowIs816() throws {
        try withSampleCatalog { _, client throws in
            let before = try client.post(Earn.path, body: Earn.body(requestId: "a", date: "2022-12-31T23:59:59.999Z"))
            #expect(before.errorCodes == [816])
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "b", date: "2023-01-01T00:00:00.000Z")).status == 200)
            // 2027-12-31T23:59:59.999Z is the last instant; +05:30 moves the same wall time before it.
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "c", date: "2027-12-31T23:59:59.999Z")).status == 200)
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "d", date: nil,
                                                               dateISO: "2028-01-01T01:00:00+05:30")).status == 200)
            let after = try client.post(Earn.path, body: Earn.body(requestId: "e", date: "2028-01-01T00:00:00.000Z"))
            #expect(after.errorCodes == [816])
        }
    }

    @Test func claimedBadgeNeedsTheClaimingOwner() throws {
        try withSampleCatalog { _, client throws in
            let wrongOwner = try client.post(Earn.path, body: Earn.body(badge: Earn.claimedBadge, requestId: "a",
                                                                        ownerType: "Loyalty", referenceId: "PROMO-SUMMER"))
            #expect(wrongOwner.errorCodes == [810])
            let wrongReference = try client.post(Earn.path, body: Earn.body(badge: Earn.claimedBadge, requestId: "b",
                                                                            ownerType: "Loyalty_Promotion", referenceId: "PROMO-WINTER"))
            #expect(wrongReference.errorCodes == [810])
            let claimed = try client.post(Earn.path, body: Earn.body(badge: Earn.claimedBadge, requestId: "c",
                                                                     ownerType: "Loyalty_Promotion", referenceId: "PROMO-SUMMER"))
            #expect(claimed.status == 200)
        }
    }

    @Test func expiryFollowsTheBadge() throws {
        let clock = ManualClock()
        var configuration = MockConfiguration(catalog: try BadgeCatalog.load(path: sampleCatalogPath), clock: clock.mockClock)
        configuration.futureToleranceSeconds = 86_400
        try withMock(configuration) { server throws in
            let response = try TestHTTPClient(port: server.port).post(Earn.path, body: Earn.body(badge: Earn.issueEarnBadge))
            let expiresOn = try #require(response.data?["expiresOn"] as? Double)
            #expect(abs(expiresOn - (clock.wallNow + 180 * 86_400)) < 0.001)
        }
    }

    @Test func validationComesBeforeBadgeRulesAnd809BeforeBadgeRules() throws {
        try withSampleCatalog { _, client throws in
            // A bad row against a retired badge: the field errors, not 815.
            #expect(try client.post(Earn.path, body: Earn.body(badge: Earn.notLiveBadge, requestId: nil)).errorCodes == [804])
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "done")).status == 200)
            // A resend of an accepted id is 809 even if the body now breaks a badge rule.
            #expect(try client.post(Earn.path, body: Earn.body(badge: Earn.notLiveBadge, requestId: "done")).errorCodes == [809])
        }
    }
}
