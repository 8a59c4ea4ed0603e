import Testing
@testable import EarnAPI

/// The bulk earn's request and answer: what the client encodes the mock decodes unchanged, and
/// the client reads every variation of the answer the contract lists.
@Suite struct BulkWireModelTests {
    private func decode(_ bytes: [UInt8]) -> EarnBulkRequestBody? {
        bytes.withUnsafeBytes { EarnBulkRequestBody.decode($0) }
    }

    @Test(arguments: ["plain", "q\"b\\s/", "é😀\n", ""])
    func requestRoundTrips(text: String) {
        let full = EarnBulkRequestBody(badgeMetaId: "653de334b3cda7078c7c68eb", customerIds: [.value(62090013), .value(Int64.max)],
                                       requestId: text, earnEventDate: "2023-11-03T21:51:00.192Z",
                                       ownerType: "Loyalty", referenceId: text)
        #expect(decode(full.encoded()) == full)
        let sparse = EarnBulkRequestBody(customerIds: [], referenceId: text)
        #expect(decode(sparse.encoded()) == sparse)
    }

    @Test func documentedExampleDecodes() {
        let body = Array(#"{"badgeMetaId":"653de334b3cda7078c7c68eb","customerIds":[62090013,"553162563",-1,1.5],"requestId":"1234","issueEventDate":"2023-11-03T21:51:00.192Z","triggeredBy":{"ownerType":"Loyalty","referenceId":"123457"}}"#.utf8)
        let decoded = decode(body)
        #expect(decoded?.customerIds == [.value(62090013), .value(553162563), .invalid, .invalid])
        #expect(decoded?.earnEventDate == "2023-11-03T21:51:00.192Z")
        #expect(decoded?.ownerType == "Loyalty" && decoded?.referenceId == "123457" && decoded?.requestId == "1234")
        #expect(decode(Array(#"{"customerIds":5}"#.utf8))?.customerIds == nil)
        #expect(decode(Array(#"{"customerIds":[1,}"#.utf8)) == nil)
        #expect(decode(Array("not json".utf8)) == nil)
    }

    @Test func answerRoundTrips() {
        let answer = BulkEarnAnswer(items: [
            .init(customerId: 1, result: .earned(earnedBadgeId: "66da90618bdb494a4f065774", issuedId: nil,
                                                 expiresOn: 1726809439.5, status: "LIVE")),
            .init(customerId: 2, result: .earned(earnedBadgeId: "66da90618bdb494a4f065775", issuedId: "66da903a8bdb494a4f065770",
                                                 expiresOn: nil, status: "UPCOMING")),
            .init(customerId: 3, result: .failed(code: 809, message: "Request with the same requestId is not allowed")),
            .init(customerId: 4, result: .failed(code: 811, message: "q\"é")),
        ])
        #expect(BulkEarnAnswer.decode(answer.encoded()) == answer)
    }

    @Test func mockWritersProduceTheDocumentedShape() {
        var json = JSONWriter()
        BulkEarnAnswer.writeEarned(customerId: 7, earnedBadgeId: Array("66da90618bdb494a4f065774".utf8), issuedId: nil,
                                   expiresOnMicros: 1_726_809_439_822_462, status: "LIVE", to: &json)
        json.raw(",")
        BulkEarnAnswer.writeFailed(customerId: 8, code: 809, message: "again", to: &json)
        let body = BulkEarnAnswer.envelope(items: json.bytes)
        #expect(String(decoding: body, as: UTF8.self) == #"{"data":{"issuedBadges":[{"customerId":7,"earnedBadgeId":"66da90618bdb494a4f065774","issuedId":null,"expiresOn":1726809439.822462000,"status":"LIVE"},{"customerId":8,"error":{"code":809,"message":"again"}}]},"errors":[],"warnings":[]}"#)
        #expect(BulkEarnAnswer.decode(body)?.items == [
            .init(customerId: 7, result: .earned(earnedBadgeId: "66da90618bdb494a4f065774", issuedId: nil,
                                                 expiresOn: 1726809439.822462, status: "LIVE")),
            .init(customerId: 8, result: .failed(code: 809, message: "again")),
        ])
    }

    @Test func acceptedVariations() {
        // data as the array itself; errors[] instead of error; codes and ids as strings.
        let variant = Array(#"{"data":[{"customerId":"5","errors":[{"code":"811","message":"issue first"}]},{"customerId":6,"earnedBadgeId":"x","expiresOn":"12.5"}],"warnings":null}"#.utf8)
        #expect(BulkEarnAnswer.decode(variant)?.items == [
            .init(customerId: 5, result: .failed(code: 811, message: "issue first")),
            .init(customerId: 6, result: .earned(earnedBadgeId: "x", issuedId: nil, expiresOn: 12.5, status: nil)),
        ])
    }

    @Test(arguments: [
        #"{"data":null,"errors":[{"code":818,"message":"too many customers in one request","reference":null}],"warnings":null}"#,
        #"{"data":{"issuedBadges":[{"customerId":1,"#, // truncated
        "<html>bad gateway</html>", "", #"{"data":{"other":[]}}"#, #"{"data":{"issuedBadges":[1,2]}}"#,
    ])
    func bodiesWithoutItemsDecodeToNil(text: String) {
        #expect(BulkEarnAnswer.decode(Array(text.utf8)) == nil)
    }
}
