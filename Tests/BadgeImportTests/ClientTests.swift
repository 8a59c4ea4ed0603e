import Foundation
import EarnAPI
import Testing
@testable import BadgeImport

@Suite struct ClientTests {
    private func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func bodyCarriesEveryFieldWithTheRightTypes() throws {
        let object = try json(EarnClient.body(for: sampleRow()))
        #expect(Set(object.keys) == ["badgeMetaId", "customerId", "requestId", "earnEventDate", "triggeredBy"])
        #expect(object["badgeMetaId"] as? String == "66276dc68fe258516a88ff8e")
        #expect((object["customerId"] as? NSNumber)?.int64Value == 62_090_013)
        #expect(object["customerId"] is NSNumber)
        #expect(object["requestId"] as? String == "2132")
        #expect(object["earnEventDate"] as? String == "2023-11-03T21:51:00.192Z")
        let triggeredBy = try #require(object["triggeredBy"] as? [String: String])
        #expect(triggeredBy == ["ownerType": "Historical_Import", "referenceId": "123694"])
        // customerId is a bare JSON number on the wire, not a string.
        #expect(String(decoding: EarnClient.body(for: sampleRow()), as: UTF8.self).contains("\"customerId\":62090013,"))
    }

    @Test func earnEventDateIsLeftOutWhenAbsent() throws {
        let object = try json(EarnClient.body(for: sampleRow(date: nil)))
        #expect(object["earnEventDate"] == nil)
        #expect(object.count == 4)
    }

    @Test(arguments: [
        "say \"hi\"", "back\\slash", "tab\there", "new\nline\r\n", "bell\u{07}\u{0}\u{1f}", "ünïcødé ✓ 🎖️", "\u{2028}sep", "/slash/", "",
    ])
    func referenceIdSurvivesEscaping(_ referenceId: String) throws {
        let bytes = EarnClient.body(for: sampleRow(referenceId: referenceId, requestId: "id-\(referenceId)"))
        let object = try json(bytes)
        #expect((object["triggeredBy"] as? [String: String])?["referenceId"] == referenceId)
        #expect(object["requestId"] as? String == "id-\(referenceId)")
        // No raw control character may reach the wire.
        #expect(!bytes.contains(where: { $0 < 0x20 }))
    }

    @Test func negativeAndLargeCustomerIds() throws {
        var row = sampleRow()
        row.customerId = Int64.max
        #expect((try json(EarnClient.body(for: row))["customerId"] as? NSNumber)?.int64Value == Int64.max)
        row.customerId = -5
        #expect((try json(EarnClient.body(for: row))["customerId"] as? NSNumber)?.int64Value == -5)
    }

    @Test func requestHasURLHeadersAndTimeout() throws {
        let transport = ScriptedTransport([ScriptedTransport.json(200, earnedBody)])
        let client = EarnClient(baseURL: "https://eu.api.capillarytech.com//", auth: .basic(BasicCredentials(username: "store.server", password: "server123")),
                                transport: transport)
        _ = client.send(sampleRow(), timeout: 12)
        let request = try #require(transport.requests.first)
        #expect(request.url == "https://eu.api.capillarytech.com/api_gateway/v1/badges/customer/earn")
        #expect(request.method == "POST")
        #expect(request.timeout == 12)
        let headers = Dictionary(uniqueKeysWithValues: request.headers.map { ($0.name, $0.value) })
        #expect(headers == ["Content-Type": "application/json", "Accept": "application/json",
                            "Authorization": "Basic c3RvcmUuc2VydmVyOjhhMTZhNmI3MDUwNWViMWYxZmY3Y2RjMGNkNTU1OWE3"])
        #expect(request.body == EarnClient.body(for: sampleRow()))
    }

    // MARK: classification

    private func classify(_ status: Int, _ body: String, headers: [String: String] = [:], oauth: Bool = false) -> EarnOutcome {
        EarnResponse.classify(status: status, headers: headers, body: Array(body.utf8), oauth: oauth,
                              now: Date(timeIntervalSince1970: 1_445_412_450))
    }

    @Test func successKeepsWarningsAndStringExpiry() {
        let body = """
        {"data":{"earnedBadgeId":"e1","issuedId":null,"expiresOn":"1726809439.5"},"errors":[],\
        "warnings":["heads up",{"code":77,"message":"soon expiring"}]}
        """
        #expect(classify(200, body) == .earned(EarnReceipt(earnedBadgeId: "e1", issuedId: nil, expiresOn: 1726809439.5,
                                                          warnings: ["heads up", "77: soon expiring"])))
    }

    @Test func duplicateWinsWhateverTheStatus() {
        #expect(classify(200, errorBody(809, "dup")) == .duplicate(message: "dup"))
        #expect(classify(400, errorBody(809, "dup")) == .duplicate(message: "dup"))
        #expect(classify(409, "{\"errors\":[{\"code\":\"809\",\"message\":\"dup\"}]}") == .duplicate(message: "dup"))
        let several = "{\"errors\":[{\"code\":811,\"message\":\"a\"},{\"code\":809,\"message\":\"b\"}]}"
        #expect(classify(400, several) == .duplicate(message: "b"))
    }

    @Test func permanentCodesAreRejectedEvenUnder200() {
        for code in [811, 810, 815, 750, 812, 804, 716] {
            #expect(classify(200, errorBody(code, "m\(code)")) == .rejected(httpStatus: 200, code: "\(code)", message: "m\(code)"))
        }
        let several = "{\"data\":null,\"errors\":[{\"code\":811,\"message\":\"not issued\"},{\"code\":810,\"message\":\"not claimed\"}]}"
        #expect(classify(409, several) == .rejected(httpStatus: 409, code: "811,810", message: "not issued; not claimed"))
        #expect(classify(400, errorBody(816, "outside window")) == .rejected(httpStatus: 400, code: "816", message: "outside window"))
        #expect(classify(404, "<html>no</html>") == .rejected(httpStatus: 404, code: nil, message: "HTTP 404"))
    }

    @Test func transientStatusesAreRetryable() {
        for status in [500, 502, 503, 504, 520, 521] {
            guard case .retryable(status, nil, _, nil) = classify(status, "<html>bad gateway</html>") else {
                Issue.record("\(status) must be retryable"); continue
            }
        }
        #expect(classify(503, errorBody(5000, "busy")) == .retryable(httpStatus: 503, code: "5000", message: "busy", retryAfter: nil))
        #expect(classify(429, "", headers: ["retry-after": "12"]) == .retryable(httpStatus: 429, code: nil, message: "HTTP 429 throttled", retryAfter: 12))
        guard case .retryable(200, nil, _, nil) = classify(200, "<html>proxy</html>") else {
            Issue.record("a 2xx without the envelope is resent"); return
        }
    }

    @Test func authStatuses() {
        #expect(classify(498, "") == .authExpired(httpStatus: 498))
        #expect(classify(401, "", oauth: true) == .authExpired(httpStatus: 401))
        #expect(classify(401, "") == .fatal(httpStatus: 401, message: "HTTP 401 credentials refused"))
        #expect(classify(403, errorBody(1, "no access")) == .fatal(httpStatus: 403, message: "no access"))
        guard case .fatal(302, _) = classify(302, "") else { Issue.record("a redirect is a configuration error"); return }
    }

    @Test func transportFailuresMapToOutcomes() {
        let timeout = EarnClient(baseURL: "http://h", auth: .none, transport: ScriptedTransport([.fail(.timeout)]))
        #expect(timeout.send(sampleRow(), timeout: 30).outcome == .retryable(httpStatus: nil, code: nil, message: "timed out after 30 s", retryAfter: nil))
        let refused = EarnClient(baseURL: "http://h", auth: .none, transport: ScriptedTransport([.fail(.connection("refused"))]))
        #expect(refused.send(sampleRow(), timeout: 30).outcome == .retryable(httpStatus: nil, code: nil, message: "refused", retryAfter: nil))
        let setup = EarnClient(baseURL: "http://h", auth: .none, transport: ScriptedTransport([.fail(.setup("bad CA file"))]))
        #expect(setup.send(sampleRow(), timeout: 30).outcome == .fatal(httpStatus: 0, message: "bad CA file"))
    }
}

/// The shared success-answer decoder must read exactly what JSONSerialization reads, or step aside.
@Suite struct EarnedBadgeDecoderTests {
    private let now = Date(timeIntervalSince1970: 1_445_412_450)

    private func general(_ status: Int, _ body: String) -> EarnOutcome {
        EarnResponse.classifyInGeneral(status: status, headers: [:], body: Array(body.utf8), oauth: false, now: now)
    }

    @Test func readsTheMockAndDocumentedSuccessBodies() {
        let bodies = [
            #"{"data":{"badgeMetaId":"65f1c0ffee0000000000abcd","customerId":42,"earnedBadgeId":"66aa00000000000000000001","expiresOn":1726809439.822462000,"requestId":"r-1","issuedId":null},"errors":[],"warnings":[]}"#,
            #"{"data":{"earnedBadgeId":"e1","issuedId":"i1","expiresOn":1726809439.822462},"errors":null,"warnings":null}"#,
            " {\n \"data\" : { \"earnedBadgeId\" : \"e1\" , \"flag\" : true, \"n\": -1.5e3 } , \"errors\" : [ ] }\r\n",
            #"{"data":{}}"#,
            #"{"errors":[],"data":{"expiresOn":null,"earnedBadgeId":null}}"#,
        ]
        for body in bodies {
            let fast = EarnedBadge.decodeAnswer(Array(body.utf8))
            #expect(fast != nil, "decoder should read \(body)")
            #expect(fast.map { EarnOutcome.earned(EarnReceipt(earnedBadgeId: $0.earnedBadgeId, issuedId: $0.issuedId,
                                                              expiresOn: $0.expiresOn)) } == general(200, body), "\(body)")
            #expect(EarnResponse.classify(status: 201, headers: [:], body: Array(body.utf8), oauth: false, now: now)
                    == general(201, body))
        }
    }

    @Test func leavesEverythingElseToTheGeneralPath() {
        let bodies = [
            #"{"data":null,"errors":[{"code":809,"message":"dup"}],"warnings":null}"#,
            #"{"data":{"earnedBadgeId":"e1"},"errors":[{"code":811,"message":"x"}]}"#,
            #"{"data":{"earnedBadgeId":"e1"},"errors":[],"warnings":["heads up"]}"#,
            #"{"data":{"earnedBadgeId":"e\u0031"},"errors":[]}"#,
            #"{"data":{"earnedBadgeId":"é"},"errors":[]}"#,
            #"{"data":{"earnedBadgeId":123},"errors":[]}"#,
            #"{"data":{"expiresOn":"1726809439.5"},"errors":[]}"#,
            #"{"data":{"issuedId":"expiresOn","expiresOn":1.25},"errors":[]}"#,
            #"{"data":{"earnedBadgeId":"e1","earnedBadgeId":"e2"}}"#,
            #"{"data":{"nested":{"a":1}}}"#,
            #"{"data":{"earnedBadgeId":"e1"},"extra":1}"#,
            #"{"data":{"earnedBadgeId":"e1"}} trailing"#,
            #"{"data":{"n":01}}"#,
            #"{"data":{"n":1.}}"#,
            #"{"data":"text"}"#,
            #"{"data":{"earnedBadgeId":"e1"}"#,
            "<html>bad gateway</html>",
            "",
        ]
        for body in bodies {
            #expect(EarnedBadge.decodeAnswer(Array(body.utf8)) == nil, "\(body)")
            #expect(EarnResponse.classify(status: 200, headers: [:], body: Array(body.utf8), oauth: false, now: now)
                    == general(200, body), "\(body)")
        }
    }

    @Test func onlyTwoHundredsTakeTheShortCut() {
        let body = #"{"data":{"earnedBadgeId":"e1"},"errors":[]}"#
        for status in [302, 400, 401, 403, 429, 498, 503] {
            #expect(EarnResponse.classify(status: status, headers: [:], body: Array(body.utf8), oauth: false, now: now)
                    == general(status, body))
        }
    }
}
