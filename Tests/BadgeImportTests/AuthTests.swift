import Foundation
import Testing
@testable import BadgeImport
import Digest

@Suite struct AuthTests {
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
        ("server123", "8a16a6b70505eb1f1ff7cdc0cd5559a7"),
    ])
    func md5MatchesRFC1321(_ input: String, _ expected: String) {
        #expect(MD5.hex(input.utf8) == expected)
    }

    @Test func md5AroundBlockBoundaries() {
        // 55, 56 and 64 bytes are where padding spills into a second block.
        #expect(MD5.hex(Array(repeating: UInt8(ascii: "a"), count: 55)) == "ef1772b6dff9a122358552954ad0df65")
        #expect(MD5.hex(Array(repeating: UInt8(ascii: "a"), count: 56)) == "3b0c8ac703f828b04c6c197006d17218")
        #expect(MD5.hex(Array(repeating: UInt8(ascii: "a"), count: 64)) == "014842d480b571495a4a0363793f7367")
    }

    @Test func basicHeaderMatchesTheDocsExample() {
        let credentials = BasicCredentials(username: "store.server", password: "server123")
        #expect(credentials.headerValue == "Basic c3RvcmUuc2VydmVyOjhhMTZhNmI3MDUwNWViMWYxZmY3Y2RjMGNkNTU1OWE3")
    }

    @Test func credentialsNeverPrintTheirSecrets() {
        let basic = BasicCredentials(username: "store.server", password: "server123")
        let oauth = OAuthCredentials(key: "key-1", secret: "s3cr3t-value")
        let secrets = ["server123", "8a16a6b70505eb1f1ff7cdc0cd5559a7", "c3RvcmUuc2VydmVyOjhhMTZh", "s3cr3t-value"]
        var dumped = ""
        dump(basic, to: &dumped)
        dump(oauth, to: &dumped)
        let texts = [String(describing: basic), String(reflecting: basic), "\(basic)", String(describing: oauth),
                     String(reflecting: oauth), "\(oauth)", dumped, String(describing: EarnAuth.basic(basic))]
        for text in texts {
            for secret in secrets { #expect(!text.contains(secret), "\(text)") }
        }
        #expect(String(describing: basic).contains("store.server"))
    }

    // MARK: OAuth

    private func tokenBody(_ token: String, ttl: Int = 300) -> ScriptedTransport.Step {
        ScriptedTransport.json(200, "{\"data\":{\"accessToken\":\"\(token)\",\"ttlSeconds\":\(ttl)},\"errors\":null}")
    }

    @Test func fetchesOnceThenRenewsBeforeExpiry() throws {
        let time = VirtualClock()
        let transport = ScriptedTransport([tokenBody("t1"), tokenBody("t2")])
        let provider = OAuthTokenProvider(baseURL: "https://h/", credentials: OAuthCredentials(key: "k\"1", secret: "s"),
                                          transport: transport, clock: time.clock)
        #expect(try provider.token() == "t1")
        time.advance(239)  // 80% of 300 s is 240 s
        #expect(try provider.token() == "t1")
        #expect(provider.fetchCount == 1)
        time.advance(1)
        #expect(try provider.token() == "t2")
        #expect(provider.fetchCount == 2)

        let request = try #require(transport.requests.first)
        #expect(request.url == "https://h/v3/oauth/token/generate")
        #expect(request.method == "POST")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: String])
        #expect(body == ["key": "k\"1", "secret": "s"])
        #expect(!request.headers.contains(where: { $0.name.lowercased() == "authorization" || $0.name == "X-CAP-API-OAUTH-TOKEN" }))
    }

    @Test func badCredentialsAreRefused() {
        let transport = ScriptedTransport([ScriptedTransport.json(200, "{\"data\":null,\"errors\":[{\"code\":320001,\"message\":\"Invalid key or secret\"}]}")])
        let provider = OAuthTokenProvider(baseURL: "https://h", credentials: OAuthCredentials(key: "k", secret: "topsecret"),
                                          transport: transport, clock: VirtualClock().clock)
        do {
            _ = try provider.token()
            Issue.record("expected a refusal")
        } catch {
            guard case .refused(200, let message) = error else { Issue.record("got \(error)"); return }
            #expect(!message.contains("topsecret"))
        }
    }

    @Test func unreachableTokenEndpointIsRetryableForTheRow() {
        let transport = ScriptedTransport([.fail(.connection("refused")), ScriptedTransport.json(503, "down")])
        let provider = OAuthTokenProvider(baseURL: "https://h", credentials: OAuthCredentials(key: "k", secret: "s"),
                                          transport: transport, clock: VirtualClock().clock)
        let client = EarnClient(baseURL: "https://h", auth: .oauth(provider), transport: ScriptedTransport([ScriptedTransport.json(200, earnedBody)]))
        guard case .retryable(nil, nil, _, nil) = client.send(sampleRow(), timeout: 5).outcome else { Issue.record("connection"); return }
        guard case .retryable(503, nil, _, nil) = client.send(sampleRow(), timeout: 5).outcome else { Issue.record("503"); return }
    }

    @Test func earnRequestsCarryTheTokenHeader() throws {
        let provider = OAuthTokenProvider(baseURL: "https://h", credentials: OAuthCredentials(key: "k", secret: "s"),
                                          transport: ScriptedTransport([tokenBody("jwt-1")]), clock: VirtualClock().clock)
        let transport = ScriptedTransport([ScriptedTransport.json(200, earnedBody)])
        let client = EarnClient(baseURL: "https://h", auth: .oauth(provider), transport: transport)
        let attempt = client.send(sampleRow(), timeout: 5)
        #expect(attempt.token == "jwt-1")
        let headers = try #require(transport.requests.first).headers
        #expect(headers.contains(where: { $0.name == "X-CAP-API-OAUTH-TOKEN" && $0.value == "jwt-1" }))
        #expect(!headers.contains(where: { $0.name == "Authorization" }))
    }

    @Test func manyWorkersInvalidatingTheSameTokenCauseOneFetch() throws {
        let tokenTransport = ScriptedTransport([tokenBody("t1"), tokenBody("t2"), tokenBody("t3")])
        let provider = OAuthTokenProvider(baseURL: "https://h", credentials: OAuthCredentials(key: "k", secret: "s"),
                                          transport: tokenTransport, clock: VirtualClock().clock)
        let first = try provider.token()
        #expect(first == "t1")
        let workers = 16
        let results = TokenBox()
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            Thread {
                defer { group.leave() }
                // Each worker got a 498 with t1: it reports it, then asks for a token again.
                provider.invalidate(token: first)
                if let token = try? provider.token() { results.add(token) }
            }.start()
        }
        #expect(group.wait(timeout: .now() + 10) == .success)
        #expect(results.values == Array(repeating: "t2", count: workers))
        #expect(provider.fetchCount == 2)
    }
}

final class TokenBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ value: String) { lock.withLock { items.append(value) } }
    var values: [String] { lock.withLock { items } }
}
