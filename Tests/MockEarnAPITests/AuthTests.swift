import Foundation
import Testing
@testable import MockEarnAPI

@Suite struct AuthTests {
    private let basic = MockConfiguration.BasicCredentials(username: "store.server", password: "server123")
    private let oauth = MockConfiguration.OAuthClient(key: "client-key", secret: "client-secret")

    @Test func basicAuthWantsTheMD5OfThePassword() throws {
        try withMock(MockConfiguration(basic: basic)) { server throws in
            let client = TestHTTPClient(port: server.port)
            let ok = try client.post(Earn.path, headers: ["Authorization": Earn.docBasicHeader], body: Earn.body())
            #expect(ok.status == 200)
            // The plain password (what a naive client sends) is refused, as is nothing at all.
            let plain = "Basic " + Data("store.server:server123".utf8).base64EncodedString()
            for headers in [["Authorization": plain], [:], ["Authorization": "Bearer x"],
                            ["Authorization": "Basic " + Data("other:8a16a6b70505eb1f1ff7cdc0cd5559a7".utf8).base64EncodedString()]] {
                let refused = try client.post(Earn.path, headers: headers, body: Earn.body(requestId: "r-2"))
                #expect(refused.status == 401)
                #expect(refused.errorCodes == [401])
                #expect(refused.json["data"] is NSNull)
            }
            #expect(server.stats().unauthorized == 4)
            #expect(server.stats().committedEarns == 1)
        }
    }

    @Test func noCredentialsConfiguredMeansAuthIsOff() throws {
        try withMock { server throws in
            let client = TestHTTPClient(port: server.port)
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "a")).status == 200)
            #expect(try client.post(Earn.path, headers: ["Authorization": "Basic Zm9vOmJhcg=="], body: Earn.body(requestId: "b")).status == 200)
        }
    }

    @Test func oauthTokenWorksUntilItExpires() throws {
        let clock = ManualClock()
        try withMock(MockConfiguration(basic: basic, oauth: oauth, tokenTTLSeconds: 300, clock: clock.mockClock)) { server throws in
            let client = TestHTTPClient(port: server.port)
            let bad = try client.post(Earn.tokenPath, body: #"{"key":"client-key","secret":"wrong"}"#)
            #expect(bad.status == 401)
            #expect(bad.errorCodes == [320001])

            let granted = try client.post(Earn.tokenPath, body: #"{"key":"client-key","secret":"client-secret"}"#)
            #expect(granted.status == 200)
            #expect(granted.json["errors"] is NSNull)
            let token = try #require(granted.data?["accessToken"] as? String)
            #expect(granted.data?["ttlSeconds"] as? Int == 300)
            #expect(token.split(separator: ".").count == 3)  // JWT-shaped

            let header = ["X-CAP-API-OAUTH-TOKEN": token]
            #expect(try client.post(Earn.path, headers: header, body: Earn.body(requestId: "t1")).status == 200)
            clock.advance(by: 299)
            #expect(try client.post(Earn.path, headers: header, body: Earn.body(requestId: "t2")).status == 200)
            clock.advance(by: 1)
            let expired = try client.post(Earn.path, headers: header, body: Earn.body(requestId: "t3"))
            #expect(expired.status == 401)
            #expect(expired.errorCodes == [401])
            #expect((expired.json["errors"] as? [[String: Any]])?.first?["message"] as? String == "OAuth token expired")
            #expect(try client.post(Earn.path, headers: ["X-CAP-API-OAUTH-TOKEN": "forged"], body: Earn.body(requestId: "t4")).status == 401)

            // A fresh token works again, and Basic still works beside OAuth.
            let renewed = try client.post(Earn.tokenPath, body: #"{"key":"client-key","secret":"client-secret"}"#)
            let newToken = try #require(renewed.data?["accessToken"] as? String)
            #expect(newToken != token)
            #expect(try client.post(Earn.path, headers: ["X-CAP-API-OAUTH-TOKEN": newToken], body: Earn.body(requestId: "t3")).status == 200)
            #expect(try client.post(Earn.path, headers: ["Authorization": Earn.docBasicHeader], body: Earn.body(requestId: "t5")).status == 200)
            let stats = server.stats()
            #expect(stats.tokensIssued == 2 && stats.unauthorized == 2 && stats.earned == 4)
        }
    }

    @Test func tokenEndpointRefusesMalformedBodiesAndUnknownClients() throws {
        try withMock(MockConfiguration(basic: basic)) { server throws in
            let client = TestHTTPClient(port: server.port)
            #expect(try client.post(Earn.tokenPath, body: "{").errorCodes == [820])
            // Only Basic configured: there is no OAuth client to match.
            #expect(try client.post(Earn.tokenPath, body: #"{"key":"a","secret":"b"}"#).errorCodes == [320001])
        }
    }
}
