import EarnAPI
import Foundation
import NIOCore
import Testing
@testable import BadgeImport
@testable import MockEarnAPI

/// The client and the mock speak through the shared EarnAPI model: what one side writes, the
/// other reads back unchanged, through the very functions each side calls.
@Suite struct ClientMockWireTests {
    private let now = Date(timeIntervalSince1970: 1_700_000_000)

    @Test(arguments: ["123694", "r \"quoted\" \\ back", "tab\there\nnew", "é😀 ünï", "\u{1}\u{1F}ctl"])
    func clientEncoderAndMockDecoderRoundTrip(referenceId: String) throws {
        for date in ["2023-11-03T21:51:00.192Z", nil] as [String?] {
            let row = sampleRow(referenceId: referenceId, requestId: "id-\(referenceId)", date: date)
            let body = EarnClient.body(for: row)
            let decoded = try #require(body.withUnsafeBytes { EarnRequestBody.decode($0) })
            #expect(decoded == EarnRequestBody(badgeMetaId: row.badgeMetaId, customerId: .value(row.customerId),
                                               requestId: row.requestId, earnEventDate: row.earnEventDate,
                                               ownerType: row.ownerType.rawValue, referenceId: row.referenceId))
            #expect(decoded.ownerType.flatMap { OwnerType(bytes: $0.utf8) } == row.ownerType)
        }
    }

    @Test func mockSuccessAnswerReadsBackOnTheClient() throws {
        let badge = try #require(ObjectID("66da90348bdb494a4f06576f"))
        let earned = try #require(ObjectID("66da90618bdb494a4f065774"))
        let issued = try #require(ObjectID("66da903a8bdb494a4f065770"))
        for (issuedID, requestId) in [(issued, "NaYAzxXfJhHvRm4l7KiD"), (nil, "2132")] as [(ObjectID?, String)] {
            let buffer = ResponseBody.earned(badge: badge, customerId: 11231, earnedID: earned,
                                             expiresOnMicros: 1_726_809_439_822_462, requestId: requestId,
                                             issuedID: issuedID, allocator: ByteBufferAllocator())
            let body = Array(buffer.readableBytesView)
            let expected = EarnOutcome.earned(EarnReceipt(earnedBadgeId: earned.hexString, issuedId: issuedID?.hexString,
                                                          expiresOn: 1726809439.822462))
            #expect(EarnResponse.classify(status: 200, headers: [:], body: body, oauth: false, now: now) == expected)
            #expect(EarnResponse.classifyInGeneral(status: 200, headers: [:], body: body, oauth: false, now: now) == expected)
            let decoded = try #require(EarnedBadge.decodeAnswer(body))
            #expect(decoded.badgeMetaId == badge.hexString && decoded.customerId == 11231 && decoded.requestId == requestId)
        }
    }

    @Test func mockRefusalsReadBackOnTheClientAsTheGeneralPathReadsThem() {
        let cases: [(Int, [APIError], EarnOutcome)] = [
            (400, [APIError(code: 809, message: "Request with the same requestId is not allowed", reference: "requestId")],
             .duplicate(message: "Request with the same requestId is not allowed")),
            (409, [APIError(code: 811, message: "Badge issue is mandatory before earn", reference: "customerId")],
             .rejected(httpStatus: 409, code: "811", message: "Badge issue is mandatory before earn")),
            (400, [APIError(code: 804, message: "RequestId information is missing", reference: "requestId"),
                   APIError(code: 716, message: "Owner \"type\" é missing\n", reference: nil)],
             .rejected(httpStatus: 400, code: "804,716", message: "RequestId information is missing; Owner \"type\" é missing\n")),
            (429, [APIError(code: 429, message: "Rate limit exceeded", reference: nil)],
             .retryable(httpStatus: 429, code: "429", message: "Rate limit exceeded", retryAfter: nil)),
            (401, [APIError(code: 401, message: "Invalid or missing credentials", reference: nil)],
             .fatal(httpStatus: 401, message: "Invalid or missing credentials")),
        ]
        for (status, errors, expected) in cases {
            let body = Array(ResponseBody.errors(errors, allocator: ByteBufferAllocator()).readableBytesView)
            #expect(ErrorEnvelope.decode(body) == ErrorEnvelope(errors: errors))
            #expect(EarnResponse.classify(status: status, headers: [:], body: body, oauth: false, now: now) == expected)
            #expect(EarnResponse.classifyInGeneral(status: status, headers: [:], body: body, oauth: false, now: now) == expected)
        }
    }

    @Test func errorBodiesTheEnvelopeDecoderLeavesToTheGeneralPath() {
        let bodies = [
            #"{"data":null,"errors":[{"code":"809","message":"dup"}],"warnings":null}"#,
            #"{"data":null,"errors":[{"code":809.5,"message":"x"}]}"#,
            #"{"data":null,"errors":[{"code":1234567890123456,"message":"x"}]}"#,
            #"{"data":null,"errors":["just text"]}"#,
            #"{"data":null,"errors":[{"code":811,"message":"x","extra":1}]}"#,
            #"{"data":null,"errors":[{"code":811}]}"#,
            #"{"data":{"a":1},"errors":[{"code":811,"message":"x"}]}"#,
            #"{"data":null,"errors":[{"code":811,"message":"x"}],"warnings":["w"]}"#,
            #"{"data":null,"errors":[{"code":811,"message":"x"}],"errors":[]}"#,
            #"{"data":null,"errors":[{"code":811,"message":"x"}],"other":1}"#,
            #"{"data":null,"\u0065rrors":[{"code":811,"message":"x"}]}"#,
            #"{"data":null,"errors":[{"code":811,"message":"x"}]} trailing"#,
        ]
        for body in bodies {
            #expect(ErrorEnvelope.decode(Array(body.utf8)) == nil, "\(body)")
            for status in [200, 400, 409, 429, 503] {
                #expect(EarnResponse.classify(status: status, headers: [:], body: Array(body.utf8), oauth: false, now: now)
                        == EarnResponse.classifyInGeneral(status: status, headers: [:], body: Array(body.utf8), oauth: false, now: now),
                        "\(status) \(body)")
            }
        }
    }

    @Test func oauthTokenBodyRoundTrips() throws {
        let body = TokenRequestBody(key: "client \"k\"", secret: "s\\é").encoded()
        #expect(body.withUnsafeBytes { TokenRequestBody.decode($0) } == TokenRequestBody(key: "client \"k\"", secret: "s\\é"))
    }
}
