import Testing
@testable import EarnAPI

/// Every body the model encodes, it decodes back unchanged.
@Suite struct WireModelRoundTripTests {
    private func decode(_ bytes: [UInt8], _ options: EarnRequestBody.DecodingOptions = .init()) -> EarnRequestBody? {
        bytes.withUnsafeBytes { EarnRequestBody.decode($0, options: options) }
    }

    @Test(arguments: ["plain", "q\"b\\s/", "\u{0}\u{8}\u{C}\u{1F}\r\n\t", "é😀", ""])
    func requestBodyRoundTrips(text: String) {
        let full = EarnRequestBody(badgeMetaId: "66276dc68fe258516a88ff8e", customerId: .value(Int64.max), requestId: text,
                                   earnEventDate: "2023-11-03T21:51:00.192Z", earnEventDateISO: "2026-03-15T11:20:00+05:30",
                                   ownerType: "Loyalty", referenceId: text)
        #expect(decode(full.encoded()) == full)
        let sparse = EarnRequestBody(customerId: .value(1), referenceId: text)
        #expect(decode(sparse.encoded()) == sparse)
    }

    @Test func documentedExampleFormsAreReadByDefault() {
        // Capillary's example bodies send a numeric requestId and a string customerId.
        let body = Array(#"{"badgeMetaId":"66276dc68fe258516a88ff8e","customerId":"23423","requestId":2132,"triggeredBy":{"ownerType":"Loyalty","referenceId":"r"}}"#.utf8)
        #expect(decode(body)?.customerId == .value(23_423))
        #expect(decode(body)?.requestId == "2132")
        #expect(decode(body, .init(numericRequestId: false))?.requestId == nil)  // the strict reading, on request
        for notDigits in ["-5", "1.5", "1e3"] {
            let text = Array(#"{"requestId":\#(notDigits)}"#.utf8)
            #expect(decode(text, .init(numericRequestId: true)) != nil)
            #expect(decode(text, .init(numericRequestId: true))?.requestId == nil, "\(notDigits)")
        }
    }

    @Test func successAnswerRoundTrips() throws {
        let badge = Array("66da90348bdb494a4f06576f".utf8), earned = Array("66da90618bdb494a4f065774".utf8)
        for issued in [Array("66da903a8bdb494a4f065770".utf8), nil] {
            let body = EarnedBadge.encodedAnswer(badgeMetaId: badge, customerId: 11231, earnedBadgeId: earned,
                                                 expiresOnMicros: 1_726_809_439_822_462, requestId: "NaYAzxXfJhHvRm4l7KiD",
                                                 issuedId: issued)
            #expect(EarnedBadge.decodeAnswer(body) == EarnedBadge(
                badgeMetaId: "66da90348bdb494a4f06576f", customerId: 11231, earnedBadgeId: "66da90618bdb494a4f065774",
                expiresOn: 1726809439.822462, requestId: "NaYAzxXfJhHvRm4l7KiD",
                issuedId: issued.map { String(decoding: $0, as: UTF8.self) }))
        }
    }

    @Test func errorEnvelopeRoundTrips() {
        let errors = [APIError(code: 804, message: "RequestId information is missing", reference: "requestId"),
                      APIError(code: 320001, message: "q\"é\n\u{1}", reference: nil),
                      APIError(code: -1, message: "", reference: "triggeredBy.ownerType")]
        #expect(ErrorEnvelope.decode(ErrorEnvelope(errors: errors).encoded()) == ErrorEnvelope(errors: errors))
        #expect(ErrorEnvelope.decode(ErrorEnvelope(errors: []).encoded()) == ErrorEnvelope(errors: []))
    }

    @Test func ownerTypesMatchExactlyOrInAnyCase() {
        for owner in OwnerType.allCases {
            #expect(OwnerType(bytes: owner.rawValue.utf8) == owner)
            #expect(OwnerType(caseInsensitive: owner.rawValue.uppercased()) == owner)
            #expect(OwnerType(bytes: owner.rawValue.uppercased().utf8) == nil)
        }
        #expect(OwnerType(caseInsensitive: "Historical-Import") == nil)
        #expect(OwnerType(caseInsensitive: "Historical\u{7F}Import") == nil)
    }
}
