import Foundation
import Testing
@testable import BadgeImport
import MockEarnAPI

/// The real libcurl transport against a real HTTP server on loopback.
@Suite struct TransportCurlTests {
    private func attempt(_ replies: [LoopbackHTTPServer.Reply], auth: EarnAuth = .none, timeout: Double = 5,
                         wallNow: @escaping @Sendable () -> Date = { Date() }) throws -> (EarnAttempt, LoopbackHTTPServer) {
        let server = try LoopbackHTTPServer(script: replies)
        defer { server.stop() }
        let client = EarnClient(baseURL: server.baseURL + "/", auth: auth, transport: try CurlTransport(), wallNow: wallNow)
        return (client.send(sampleRow(), timeout: timeout), server)
    }

    @Test func earnedAnswerIsParsedAndTheRequestArrivesIntact() throws {
        let credentials = BasicCredentials(username: "store.server", password: "server123")
        let (result, server) = try attempt([.json(200, earnedBody)], auth: .basic(credentials))
        #expect(result.httpStatus == 200)
        #expect(result.outcome == .earned(EarnReceipt(earnedBadgeId: "66da90618bdb494a4f065774", issuedId: "66da903a8bdb494a4f065770",
                                                      expiresOn: 1726809439.822462, warnings: [])))
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/api_gateway/v1/badges/customer/earn")
        #expect(request.headers["authorization"] == "Basic c3RvcmUuc2VydmVyOjhhMTZhNmI3MDUwNWViMWYxZmY3Y2RjMGNkNTU1OWE3")
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.headers["expect"] == nil)
        #expect(request.body == EarnClient.body(for: sampleRow()))
    }

    @Test func duplicateUnder400() throws {
        let (result, _) = try attempt([.json(400, errorBody(809, "Request with the same requestId is not allowed"))])
        #expect(result.outcome == .duplicate(message: "Request with the same requestId is not allowed"))
        #expect(result.httpStatus == 400)
    }

    @Test func notIssuedUnder409IsRejected() throws {
        let (result, _) = try attempt([.json(409, errorBody(811, "Badge issue is mandatory before earn"))])
        #expect(result.outcome == .rejected(httpStatus: 409, code: "811", message: "Badge issue is mandatory before earn"))
    }

    @Test func unauthorizedWithBasicIsFatal() throws {
        let (result, _) = try attempt([.json(401, "{\"message\":\"bad creds\"}")], auth: .basic(BasicCredentials(username: "u", password: "p")))
        guard case .fatal(401, _) = result.outcome else { Issue.record("got \(result.outcome)"); return }
    }

    @Test func expiredTokenIs498AuthExpired() throws {
        let (result, _) = try attempt([.json(498, "")])
        #expect(result.outcome == .authExpired(httpStatus: 498))
    }

    @Test func throttledWithRetryAfterSeconds() throws {
        let (result, _) = try attempt([.json(429, "", headers: [("Retry-After", "7")])])
        #expect(result.outcome == .retryable(httpStatus: 429, code: nil, message: "HTTP 429 throttled", retryAfter: 7))
    }

    @Test func throttledWithRetryAfterHTTPDate() throws {
        let now = Date(timeIntervalSince1970: 1_445_412_450)  // Wed, 21 Oct 2015 07:27:30 GMT
        let (result, _) = try attempt([.json(429, "", headers: [("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")])], wallNow: { now })
        guard case .retryable(429, _, _, let retryAfter) = result.outcome else { Issue.record("got \(result.outcome)"); return }
        #expect(retryAfter == 30)
    }

    @Test func serviceUnavailableHTMLIsRetryable() throws {
        let html = "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
        let (result, _) = try attempt([LoopbackHTTPServer.Reply(status: 503, headers: [("Content-Type", "text/html")], body: html)])
        guard case .retryable(503, nil, _, nil) = result.outcome else { Issue.record("got \(result.outcome)"); return }
    }

    @Test func closedWithoutAnswerIsARetryableConnectionError() throws {
        let (result, _) = try attempt([LoopbackHTTPServer.Reply(action: .closeWithoutAnswer)])
        guard case .retryable(nil, nil, let message, nil) = result.outcome else { Issue.record("got \(result.outcome)"); return }
        #expect(!message.isEmpty)
    }

    @Test func slowServerTimesOut() throws {
        let server = try LoopbackHTTPServer(script: [LoopbackHTTPServer.Reply(body: earnedBody, delay: 1.5)])
        defer { server.stop() }
        let transport = try CurlTransport()
        let started = Date()
        #expect(throws: TransportError.timeout) {
            _ = try transport.send(HTTPRequest(url: server.baseURL + "/x", body: [1], timeout: 0.2))
        }
        #expect(Date().timeIntervalSince(started) < 1.2)
        let client = EarnClient(baseURL: server.baseURL, auth: .none, transport: transport)
        guard case .retryable(nil, nil, _, nil) = client.send(sampleRow(), timeout: 0.2).outcome else {
            Issue.record("a timeout must be retryable"); return
        }
    }

    @Test func connectionRefusedIsConnectionError() throws {
        let server = try LoopbackHTTPServer(script: [.json(200, "{}")])
        let url = server.baseURL
        server.stop()
        let transport = try CurlTransport()
        do {
            _ = try transport.send(HTTPRequest(url: url + "/x", timeout: 2))
            Issue.record("expected a connection error")
        } catch {
            guard case .connection(let message) = error else { Issue.record("got \(error)"); return }
            #expect(!message.isEmpty)
        }
    }

    @Test func malformedURLIsSetupError() throws {
        let transport = try CurlTransport()
        #expect {
            _ = try transport.send(HTTPRequest(url: "htp:/nope", timeout: 1))
        } throws: { error in
            if case TransportError.setup = error { return true }
            return false
        }
    }

    @Test func unreadableCAFileIsSetupError() throws {
        let server = try LoopbackHTTPServer(script: [.json(200, "{}")])
        defer { server.stop() }
        let transport = try CurlTransport(options: .init(caFile: "/nonexistent/ca-\(UUID().uuidString).pem"))
        let url = server.baseURL.replacingOccurrences(of: "http://", with: "https://") + "/"
        #expect {
            _ = try transport.send(HTTPRequest(url: url, body: [1], timeout: 2))
        } throws: { error in
            if case TransportError.setup = error { return true }
            return false
        }
    }

    /// https:// to a plain-HTTP port fails the TLS handshake the same way every time: a
    /// configuration error that stops the run, not a transient worth six retries per row.
    @Test func httpsToAPlainHTTPPortIsASetupErrorThatSaysSo() throws {
        let mock = try MockEarnServer.start(MockConfiguration())
        defer { mock.shutdown() }
        let url = mock.baseURL.replacingOccurrences(of: "http://", with: "https://")
        let transport = try CurlTransport()
        let started = Date()
        do {
            _ = try transport.send(HTTPRequest(url: url + "/api_gateway/v1/badges/customer/earn", body: [1], timeout: 30))
            Issue.record("expected a TLS failure")
        } catch {
            guard case .setup(let message) = error else { Issue.record("got \(error)"); return }
            #expect(message.contains("does not speak TLS"), "\(message)")
            #expect(message.contains(url), "\(message)")
            #expect(message.contains("http:// vs https://"), "\(message)")
        }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    /// A server that accepts the connection and never finishes the TLS handshake runs into the
    /// connect timeout, and the message names that timeout, not the request's.
    @Test func aHandshakeThatNeverEndsNamesTheConnectTimeout() throws {
        // The loopback server waits for an HTTP head that a TLS ClientHello never completes.
        let server = try LoopbackHTTPServer(script: [.json(200, "{}")])
        defer { server.stop() }
        let transport = try CurlTransport(options: .init(connectTimeout: 0.3))
        let url = server.baseURL.replacingOccurrences(of: "http://", with: "https://") + "/"
        let started = Date()
        do {
            _ = try transport.send(HTTPRequest(url: url, body: [1], timeout: 5))
            Issue.record("expected a connect timeout")
        } catch {
            guard case .connection(let message) = error else { Issue.record("got \(error)"); return }
            #expect(message.contains("0.3 s connect timeout"), "\(message)")
        }
        #expect(Date().timeIntervalSince(started) < 2)
    }

    @Test func headersWithLineBreaksAreRefused() throws {
        let transport = try CurlTransport()
        #expect {
            _ = try transport.send(HTTPRequest(url: "http://127.0.0.1:1/", headers: [("X-A", "b\r\nInjected: 1")], timeout: 1))
        } throws: { error in
            guard case TransportError.setup(let message) = error else { return false }
            return !message.contains("Injected")
        }
    }

    /// An answer that never ends (a misrouted download, a hostile server) must not be read into
    /// memory whole: the transport stops at `maxAnswerBytes` and the attempt is retryable.
    @Test func anEndlessBodyIsCutAtTheCapAndIsRetryable() throws {
        let server = try LoopbackHTTPServer(script: [LoopbackHTTPServer.Reply(action: .endlessBody)])
        defer { server.stop() }
        let transport = try CurlTransport()
        #expect(transport.options.maxAnswerBytes == 64 * 1024)
        let started = Date()
        do {
            _ = try transport.send(HTTPRequest(url: server.baseURL + "/x", body: [1], timeout: 1))
            Issue.record("expected the answer to be refused")
        } catch {
            guard case .connection(let message) = error else { Issue.record("got \(error)"); return }
            #expect(message.contains("answer larger than 64 KB"), "\(message)")
        }
        #expect(Date().timeIntervalSince(started) < 0.9, "cut at the cap, not at the timeout")
        // What the transport kept of the answer stays about the cap, not what the server sent.
        #expect(transport.retainedAnswerCapacity <= 2 * 64 * 1024)

        // Through the client: a retryable outcome the sender will try again.
        let client = EarnClient(baseURL: server.baseURL, auth: .none, transport: transport)
        guard case .retryable(nil, nil, let message, nil) = client.send(sampleRow(), timeout: 1).outcome else {
            Issue.record("an oversized answer must be retryable"); return
        }
        #expect(message.contains("answer larger than 64 KB"))
    }

    @Test func endlessHeadersAreCutAtTheCap() throws {
        let server = try LoopbackHTTPServer(script: [LoopbackHTTPServer.Reply(action: .endlessHeaders)])
        defer { server.stop() }
        let transport = try CurlTransport()
        let started = Date()
        do {
            _ = try transport.send(HTTPRequest(url: server.baseURL + "/x", body: [1], timeout: 1))
            Issue.record("expected the answer to be refused")
        } catch {
            guard case .connection(let message) = error else { Issue.record("got \(error)"); return }
            #expect(message.contains("answer larger than 64 KB"), "\(message)")
        }
        #expect(Date().timeIntervalSince(started) < 0.9)
    }

    @Test func theCapIsAnOptionAndADeclaredHugeLengthIsRefusedAtOnce() throws {
        let server = try LoopbackHTTPServer(script: [.json(200, String(repeating: " ", count: 5_000) + earnedBody)])
        defer { server.stop() }
        let small = try CurlTransport(options: .init(maxAnswerBytes: 4_096))
        do {
            _ = try small.send(HTTPRequest(url: server.baseURL + "/x", body: [1], timeout: 2))
            Issue.record("expected the answer to be refused")
        } catch {
            guard case .connection(let message) = error else { Issue.record("got \(error)"); return }
            #expect(message.contains("answer larger than 4 KB"), "\(message)")
        }
        // The same answer under the default cap is read as usual, on a fresh connection.
        let response = try CurlTransport().send(HTTPRequest(url: server.baseURL + "/x", body: [1], timeout: 2))
        #expect(response.status == 200)
        #expect(response.body.count == 5_000 + earnedBody.utf8.count)
    }

    @Test func oneHandleKeepsOneConnectionFor50Requests() throws {
        let server = try LoopbackHTTPServer(script: [.json(200, earnedBody, headers: [("X-Trace", "abc")])])
        defer { server.stop() }
        let transport = try CurlTransport()
        for index in 0..<50 {
            let response = try transport.send(HTTPRequest(url: server.baseURL + "/r\(index)", body: Array("{\"i\":\(index)}".utf8), timeout: 5))
            #expect(response.status == 200)
            #expect(response.headers["x-trace"] == "abc")
            #expect(response.body == Array(earnedBody.utf8))
        }
        #expect(server.requests.count == 50)
        #expect(server.connections == 1)
        #expect(server.requests.last?.body == Array("{\"i\":49}".utf8))
    }

    /// A server that closes each connection right after its answer, without `Connection: close`
    /// (as a proxy closing idle connections does). libcurl's liveness check usually sees the
    /// close and opens a fresh connection; when the close races the next request, that request
    /// fails as a connection error (the sender retries it, counted) and is never resent behind
    /// the caller's back. Either way every request on the wire is one `send`.
    @Test func aConnectionClosedByTheServerIsReplacedOrFailsButIsNeverResentSilently() throws {
        var reply = LoopbackHTTPServer.Reply.json(200, "{}")
        reply.closeAfterAnswer = true
        let server = try LoopbackHTTPServer(script: [reply])
        defer { server.stop() }
        let transport = try CurlTransport()
        var answered = 0
        for _ in 0..<5 {
            do {
                #expect(try transport.send(HTTPRequest(url: server.baseURL + "/", body: [1], timeout: 5)).status == 200)
                answered += 1
            } catch {
                guard case .connection = error else { Issue.record("got \(error)"); return }
            }
        }
        #expect(answered >= 1)
        #expect(server.requests.count == answered, "a request the server read and answered is one the client counted")
    }

    /// The server reads the whole request, then closes the kept-alive connection without an
    /// answer (a crash after commit). libcurl on its own would resend the POST on a fresh
    /// connection without telling anyone; the transport must fail that attempt instead, so the
    /// sender retries it visibly and every request the server saw is one the client counted.
    @Test func aReusedConnectionDyingAfterTheRequestIsAFailedAttemptNotASilentResend() throws {
        let server = try LoopbackHTTPServer(script: [.json(200, "{}"), LoopbackHTTPServer.Reply(action: .closeWithoutAnswer),
                                                     .json(200, "{}")])
        defer { server.stop() }
        let transport = try CurlTransport()
        #expect(try transport.send(HTTPRequest(url: server.baseURL + "/", body: [1], timeout: 5)).status == 200)
        do {
            _ = try transport.send(HTTPRequest(url: server.baseURL + "/", body: [2], timeout: 5))
            Issue.record("expected the dropped request to fail, not to be resent; the server saw \(server.requests.count)")
        } catch {
            guard case .connection(let message) = error else { Issue.record("got \(error)"); return }
            #expect(!message.isEmpty)
        }
        #expect(server.requests.count == 2, "one request per attempt on the wire")
        // The next attempt (the sender's visible retry) goes out on a fresh connection.
        #expect(try transport.send(HTTPRequest(url: server.baseURL + "/", body: [2], timeout: 5)).status == 200)
        #expect(server.requests.count == 3)
        #expect(server.requests.map(\.body) == [[1], [2], [2]])
    }

    @Test func oneTransportPerThreadPutsNRequestsInFlightAtOnce() throws {
        let workers = 8
        let server = try LoopbackHTTPServer(script: [LoopbackHTTPServer.Reply(body: "{}", holdUntilInFlight: workers)])
        defer { server.stop() }
        let group = DispatchGroup()
        let done = ResultBox()
        for _ in 0..<workers {
            group.enter()
            let thread = Thread {
                defer { group.leave() }
                guard let transport = try? CurlTransport(),
                      let response = try? transport.send(HTTPRequest(url: server.baseURL + "/", body: [1], timeout: 10)) else { return }
                done.add(response.status)
            }
            thread.start()
        }
        #expect(group.wait(timeout: .now() + 15) == .success)
        #expect(done.values == Array(repeating: 200, count: workers))
        #expect(server.maxInFlight == workers)
        #expect(server.connections == workers)
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []
    func add(_ value: Int) { lock.withLock { items.append(value) } }
    var values: [Int] { lock.withLock { items } }
}
