import Foundation
import Testing
@testable import MockEarnAPI

/// The mock is as lenient as Capillary's documented examples and as strict as its documented
/// errors. Every example request body of the earn documentation (the "Issue badge (earn)" page
/// and the importer's reference notes taken from it), copied here verbatim, is accepted by a
/// fresh mock with the sample catalog; each documented error code comes back for its case.
@Suite struct DocumentedExamplesTests {
    /// name, body exactly as documented.
    static let exampleBodies: [(String, String)] = [
        ("earn page example: numeric requestId, tab-indented", """
        {
            "badgeMetaId": "66276dc68fe258516a88ff8e",
           \t"earnEventDate":"2023-11-03T21:51:00.192Z",
            "customerId": 62090013,
            "requestId": 2132,
            "triggeredBy": {
                "ownerType": "Loyalty",
                "referenceId": "123694"
            }
        }
        """),
        ("reference notes example: string requestId, Historical_Import", """
        {"badgeMetaId":"66276dc68fe258516a88ff8e","earnEventDate":"2023-11-03T21:51:00.192Z",
         "customerId":62090013,"requestId":"2132",
         "triggeredBy":{"ownerType":"Historical_Import","referenceId":"123694"}}
        """),
        ("documented string customerId", """
        {"badgeMetaId":"66276dc68fe258516a88ff8e","earnEventDate":"2023-11-03T21:51:00.192Z",
         "customerId":"23423","requestId":2132,
         "triggeredBy":{"ownerType":"Loyalty","referenceId":"123694"}}
        """),
    ]

    private func withSampleMock(_ body: (MockEarnServer, TestHTTPClient) throws -> Void) throws {
        let clock = ManualClock(wall: 1_780_000_000)  // 2026-05-28, inside the sample badges' window
        let configuration = MockConfiguration(catalog: try BadgeCatalog.load(path: sampleCatalogPath), clock: clock.mockClock)
        try withMock(configuration) { server in try body(server, TestHTTPClient(port: server.port)) }
    }

    @Test(arguments: exampleBodies.map(\.0))
    func everyDocumentedExampleBodyEarns(name: String) throws {
        let body = try #require(Self.exampleBodies.first { $0.0 == name }?.1)
        try withSampleMock { server, client throws in
            let response = try client.post(Earn.path, body: body)
            #expect(response.status == 200, "\(response.text)")
            #expect(response.data?["requestId"] as? String == "2132")
            #expect(server.committedEarns().map(\.requestId) == ["2132"])
            // The same body again is the documented 809, not a second earn.
            #expect(try client.post(Earn.path, body: body).errorCodes == [809])
        }
    }

    /// Each documented error, for the case the documentation gives it.
    @Test func documentedErrorsAnswerTheirCodes() throws {
        let cases: [(String, String, Int, [Int])] = [
            ("no requestId", Earn.body(requestId: nil), 400, [804]),
            ("no customerId", Earn.body(customerId: nil), 400, [812]),
            ("no owner type", Earn.body(ownerType: nil), 400, [716]),
            ("event two days ahead", Earn.body(date: "2026-05-30T12:00:00.000Z"), 400, [750]),
            ("issue-and-earn, not issued", Earn.body(badge: Earn.issueEarnBadge, customerId: "99"), 409, [811]),
            ("claimed by another owner", Earn.body(badge: Earn.claimedBadge), 400, [810]),
            ("not live", Earn.body(badge: Earn.notLiveBadge), 400, [815]),
            ("unknown badge", Earn.body(badge: "aaaaaaaaaaaaaaaaaaaaaaaa"), 400, [1054]),
            ("a requestId that is not a whole number", #"{"badgeMetaId":"66276dc68fe258516a88ff8e","customerId":1,"requestId":21.5,"triggeredBy":{"ownerType":"Loyalty","referenceId":"r"}}"#, 400, [804]),
        ]
        try withSampleMock { _, client throws in
            for (name, body, status, codes) in cases {
                let response = try client.post(Earn.path, body: body)
                #expect(response.status == status, "\(name)")
                #expect(response.errorCodes == codes, "\(name): \(response.text)")
            }
        }
    }
}
