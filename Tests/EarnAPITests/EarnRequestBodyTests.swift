import Testing
@testable import EarnAPI

@Suite struct EarnRequestBodyTests {
    private func parse(_ text: String) -> EarnRequestBody? {
        Array(text.utf8).withUnsafeBytes { EarnRequestBody.decode($0) }
    }

    @Test func readsTheDocumentedExample() throws {
        let body = try #require(parse("""
            {"badgeMetaId":"66276dc68fe258516a88ff8e","earnEventDate":"2023-11-03T21:51:00.192Z",
             "customerId":62090013,"requestId":"2132",
             "triggeredBy":{"ownerType":"Historical_Import","referenceId":"123694"}}
            """))
        #expect(body.badgeMetaId == "66276dc68fe258516a88ff8e")
        #expect(body.earnEventDate == "2023-11-03T21:51:00.192Z")
        #expect(body.customerId == .value(62_090_013))
        #expect(body.requestId == "2132")
        #expect(body.ownerType == "Historical_Import")
        #expect(body.referenceId == "123694")
    }

    @Test func customerIdAsNumberOrDigitString() {
        #expect(parse(#"{"customerId":"62090013"}"#)?.customerId == .value(62_090_013))
        #expect(parse(#"{"customerId":""}"#)?.customerId == .missing)
        #expect(parse(#"{"customerId":null}"#)?.customerId == .missing)
        #expect(parse(#"{}"#)?.customerId == .missing)
        for invalid in [#""abc""#, "-5", "0", "1.5", "1e3", #""12 ""#, "99999999999999999999", "true", "[1]"] {
            #expect(parse(#"{"customerId":\#(invalid)}"#)?.customerId == .invalid, "\(invalid)")
        }
    }

    @Test func resolvesEscapesAndSkipsUnknownMembers() {
        let body = parse(#"""
            {"extra":{"deep":[1,2.5e-3,{"x":null}],"s":"\"}"},"requestId":"a\"b\\c\u00e9\ud83d\ude00\n",
             "flag":true,"triggeredBy":{"ownerType":"Loyalty","other":[],"referenceId":"r\/1"}}
            """#)
        #expect(body?.requestId == "a\"b\\cé😀\n")
        #expect(body?.referenceId == "r/1")
        #expect(body?.ownerType == "Loyalty")
    }

    /// A wrong type reads as absent (the server's rules then answer), except the numeric
    /// requestId Capillary's own example sends, which reads as its digits.
    @Test func wrongTypesCountAsAbsentButADocumentedNumericRequestIdIsRead() {
        let body = parse(#"{"requestId":12,"badgeMetaId":null,"triggeredBy":"Loyalty"}"#)
        #expect(body != nil)
        #expect(body?.requestId == "12")
        #expect(parse(#"{"requestId":true}"#)?.requestId == nil)
        #expect(parse(#"{"requestId":1.5}"#)?.requestId == nil)
        #expect(body?.badgeMetaId == nil)
        #expect(body?.ownerType == nil)
    }

    @Test(arguments: ["", "   ", "[]", "null", "{", #"{"a":}"#, #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":01}"#,
                      #"{"a":"\x"}"#, "{\"a\":\"tab\there\"}", #"{"a":tru}"#, #"{"a":1} {}"#, #"{'a':1}"#,
                      #"{"a":"\u12"}"#, #"{"a":[1,2}"#, #"{"a":-}"#, #"{"a":1.}"#, "{\"a\":\"unterminated}"])
    func malformedBodiesAreRefused(text: String) {
        #expect(parse(text) == nil)
    }

    @Test func deepNestingIsRefusedNotCrashed() {
        let deep = #"{"a":"# + String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000) + "}"
        #expect(parse(deep) == nil)
    }
}
