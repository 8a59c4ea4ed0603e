import Foundation
import EarnAPI
import Testing
@testable import MockEarnAPI

/// earnBulk per Capillary's contract, over real HTTP.
@Suite struct BulkEndpointTests {
    static let path = "/api_gateway/v1/badges/customer/earnBulk"

    static func body(badge: String = Earn.directBadge, customers: [Int64], requestId: String = "b-1",
                     date: String? = "2024-11-03T21:51:00.192Z", owner: String? = "Historical_Import") -> String {
        let body = EarnBulkRequestBody(badgeMetaId: badge, customerIds: customers.map { .value($0) }, requestId: requestId,
                                       earnEventDate: date, ownerType: owner, referenceId: "ref-1")
        return String(decoding: body.encoded(), as: UTF8.self)
    }

    private func items(_ response: TestHTTPClient.Response) throws -> [Int64: BulkEarnAnswer.Item.Result] {
        let answer = try #require(BulkEarnAnswer.decode(Array(response.body)))
        return Dictionary(answer.items.map { ($0.customerId ?? -1, $0.result) }, uniquingKeysWith: { a, _ in a })
    }

    @Test func everyCustomerGetsAnItemAndAReplayAnswers809PerEarnedCustomer() throws {
        try withMock(MockConfiguration(catalog: try BadgeCatalog.load(path: sampleCatalogPath))) { server throws in
            let client = TestHTTPClient(port: server.port)
            let first = try client.post(Self.path, body: Self.body(badge: Earn.issueEarnBadge, customers: [62090013, 5, 6]))
            #expect(first.status == 200)
            #expect(Set(first.json.keys) == ["data", "errors", "warnings"])
            var results = try items(first)
            guard case .earned(let earned?, let issued?, _?, "LIVE")? = results[62090013] else {
                Issue.record("62090013 (issued in the catalog) is earned: \(String(describing: results[62090013]))"); return
            }
            #expect(earned.count == 24 && issued.count == 24)
            #expect(results[5] == .failed(code: 811, message: "Badge issue is mandatory before earn"))
            #expect(server.stats().committedEarns == 1)

            // The same requestId again: the earned customer is 809, the refused ones are tried again.
            let replay = try client.post(Self.path, body: Self.body(badge: Earn.issueEarnBadge, customers: [62090013, 5, 6]))
            results = try items(replay)
            #expect(results[62090013] == .failed(code: 809, message: "Request with the same requestId is not allowed"))
            #expect(results[6] == .failed(code: 811, message: "Badge issue is mandatory before earn"))
            let stats = server.stats()
            #expect(stats.committedEarns == 1 && stats.bulkItems809 == 1 && stats.bulkRequests == 2 && stats.bulkAnswered == 2)
        }
    }

    @Test func keptRejectedIdsAndIssuedCustomersHoldForBulkItemsAsForSingleEarns() throws {
        var configuration = MockConfiguration(catalog: try BadgeCatalog.load(path: sampleCatalogPath))
        configuration.keepRejectedIds = true
        try withMock(configuration) { server throws in
            let client = TestHTTPClient(port: server.port)
            let body = Self.body(badge: Earn.issueEarnBadge, customers: [5, 6])
            #expect(try items(client.post(Self.path, body: body))[5] == .failed(code: 811, message: "Badge issue is mandatory before earn"))
            for customer in [5, 6] {
                let issue = #"{"badgeMetaId":"\#(Earn.issueEarnBadge)","customerId":\#(customer)}"#
                #expect(try client.post("/__issue", body: issue).status == 200)
            }
            // The refused batch's requestId is burned per customer; another requestId earns.
            let replay = try items(client.post(Self.path, body: body))
            #expect(replay[5] == .failed(code: 809, message: "Request with the same requestId is not allowed"))
            let fresh = try items(client.post(Self.path, body: Self.body(badge: Earn.issueEarnBadge, customers: [5, 6], requestId: "b-2")))
            guard case .earned? = fresh[6] else { Issue.record("issued customer not earned: \(String(describing: fresh[6]))"); return }
            #expect(server.stats().committedEarns == 2)
        }
    }

    @Test func moreCustomersThanBulkMaxIs818AndEarnsNothing() throws {
        try withMock(MockConfiguration(bulkMax: 3)) { server throws in
            let client = TestHTTPClient(port: server.port)
            let refused = try client.post(Self.path, body: Self.body(customers: [1, 2, 3, 4]))
            #expect(refused.status == 400)
            #expect(refused.errorCodes == [818])
            #expect(BulkEarnAnswer.decode(Array(refused.body)) == nil)
            #expect(server.stats().committedEarns == 0)
            #expect(try client.post(Self.path, body: Self.body(customers: [1, 2, 3])).status == 200)
            #expect(server.stats().committedEarns == 3)
        }
        #expect(throws: MockConfigurationError.self) { try MockConfiguration(bulkMax: 0).validate() }
    }

    @Test func wholeRequestErrorsHaveNoItems() throws {
        try withMock { server throws in
            let client = TestHTTPClient(port: server.port)
            let badOwner = try client.post(Self.path, body: Self.body(customers: [1, 2], owner: "Historical-Import"))
            #expect(badOwner.status == 400 && badOwner.errorCodes == [821])
            let noCustomers = try client.post(Self.path, body: Self.body(customers: []))
            #expect(noCustomers.errorCodes == [812])
            #expect(try client.post(Self.path, body: "{nope").errorCodes == [820])
            let mixed = try client.post(Self.path, body: #"{"badgeMetaId":"\#(Earn.directBadge)","customerIds":[7,"x"],"requestId":"m","triggeredBy":{"ownerType":"Loyalty","referenceId":"r"}}"#)
            #expect(try items(mixed)[7] != nil)
            #expect(try items(mixed)[0] == .failed(code: 823, message: "CustomerId must be a positive integer"))
            #expect(server.stats().committedEarns == 1)
        }
    }

    @Test func faultsApplyPerRequestAndAfterCommitTheReplayFinishesTheJob() throws {
        let faults = MockConfiguration.Faults(failAfterCommitRate: 0.3, dropAfterCommitRate: 0.3)
        try withMock(MockConfiguration(faults: faults, seed: 5)) { server throws in
            var answered = 0, faulted = 0
            for batch in 0..<20 {
                let customers = (0..<10).map { Int64(batch * 100 + $0 + 1) }
                // Resend until an answer arrives, as the importer does: the first commit holds.
                for _ in 0..<20 {
                    let client = TestHTTPClient(port: server.port)
                    guard let response = try? client.post(Self.path, body: Self.body(customers: customers, requestId: "b\(batch)")),
                          response.status == 200 else { faulted += 1; continue }
                    answered += 1
                    #expect(try items(response).count == 10)
                    break
                }
            }
            let stats = server.stats()
            #expect(answered == 20 && faulted > 0)
            #expect(stats.committedEarns == 200 && stats.doubleEarns == 0)
            #expect(stats.fiveHundredAfterCommit + stats.droppedAfterCommit == faulted)
        }
    }
}
