import Foundation
import Testing
@testable import MockEarnAPI
import Digest

/// What tests of the importer read back: /__stats, /__earns, the earns file, double earns.
@Suite struct ObservabilityTests {
    @Test func sameNaturalKeyUnderTwoRequestIdsIsADoubleEarn() throws {
        try withMock { server throws in
            let client = TestHTTPClient(port: server.port)
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "first", date: "2026-03-15T05:50:00.000Z")).status == 200)
            #expect(server.stats().doubleEarns == 0)
            // The same event (same instant written with an offset, customer as a string) under a new id.
            #expect(try client.post(Earn.path, body: Earn.body(customerId: #""62090013""#, requestId: "second", date: nil,
                                                               dateISO: "2026-03-15T11:20:00+05:30")).status == 200)
            #expect(server.stats().doubleEarns == 1)
            // A third copy is still one natural key earned more than once.
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "third", date: "2026-03-15T05:50:00Z")).status == 200)
            // Different events do not count: another referenceId, another millisecond.
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "4", date: "2026-03-15T05:50:00Z", referenceId: "ref-2")).status == 200)
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "5", date: "2026-03-15T05:50:00.001Z")).status == 200)
            let stats = server.stats()
            #expect(stats.doubleEarns == 1)
            #expect(stats.committedEarns == 5)
        }
    }

    @Test func statsEndpointMatchesTheInProcessStats() throws {
        try withMock(MockConfiguration(basic: .init(username: "u", password: "p"))) { server throws in
            let client = TestHTTPClient(port: server.port)
            let auth = ["Authorization": "Basic " + Data("u:\(MD5.hex("p".utf8))".utf8).base64EncodedString()]
            _ = try client.post(Earn.path, headers: auth, body: Earn.body(requestId: "a"))
            _ = try client.post(Earn.path, headers: auth, body: Earn.body(requestId: "a"))
            _ = try client.post(Earn.path, headers: auth, body: Earn.body(requestId: nil))
            _ = try client.post(Earn.path, body: Earn.body(requestId: "b"))
            let response = try client.get("/__stats")
            #expect(response.status == 200)
            let decoded = try JSONDecoder().decode(MockStats.self, from: response.body)
            #expect(decoded == server.stats())
            #expect(decoded.requests == 4 && decoded.earned == 1 && decoded.duplicate809 == 1)
            #expect(decoded.rejectedRequests == 1 && decoded.rejected == ["804": 1] && decoded.unauthorized == 1)
            // The documented key names.
            for key in ["requests", "earned", "duplicate809", "rejected", "5xxBefore", "500AfterCommit", "droppedAfterCommit",
                        "throttled429", "rateLimited429", "unauthorized", "slow", "committedEarns", "doubleEarns"] {
                #expect(response.json[key] != nil, "\(key)")
            }
        }
    }

    @Test func earnsEndpointAndFileListTheCommittedEarns() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try withMock { server throws in
            let client = TestHTTPClient(port: server.port)
            _ = try client.post(Earn.path, body: Earn.body(customerId: "7", requestId: "one", date: nil,
                                                           dateISO: "2025-01-01T00:00:00-08:00", ownerType: "Journeys",
                                                           referenceId: "j\\\"1"))
            _ = try client.post(Earn.path, body: Earn.body(badge: "AAAAAAAAAAAAAAAAAAAAAAAA", requestId: "two"))
            _ = try client.post(Earn.path, body: Earn.body(requestId: "two"))  // 809, not listed twice
            _ = try client.post(Earn.path, body: Earn.body(requestId: nil))  // rejected, not listed

            let expected = server.committedEarns()
            #expect(expected.map(\.requestId) == ["one", "two"])
            #expect(expected[0].earnEventDate == "2025-01-01T08:00:00.000Z")
            #expect(expected[0].referenceId == "j\"1")
            #expect(expected[0].ownerType == "Journeys" && expected[0].customerId == 7)
            #expect(expected[1].badgeMetaId == "aaaaaaaaaaaaaaaaaaaaaaaa")

            let response = try client.get("/__earns")
            #expect(response.status == 200)
            let decoder = JSONDecoder()
            let fromHTTP = try response.text.split(separator: "\n").map { try decoder.decode(CommittedEarn.self, from: Data($0.utf8)) }
            #expect(fromHTTP == expected)

            let file = directory.appendingPathComponent("earns.jsonl")
            try server.writeCommittedEarns(toFile: file.path)
            let fromFile = try String(contentsOf: file, encoding: .utf8).split(separator: "\n")
                .map { try decoder.decode(CommittedEarn.self, from: Data($0.utf8)) }
            #expect(fromFile == expected)
        }
    }

    @Test func unknownPathsMethodsAndHugeBodiesGetEnvelopes() throws {
        try withMock(MockConfiguration(maxBodyBytes: 1000)) { server throws in
            let client = TestHTTPClient(port: server.port)
            let missing = try client.get("/nope")
            #expect(missing.status == 404 && missing.errorCodes == [404])
            let wrongMethod = try client.get(Earn.path)
            #expect(wrongMethod.status == 405 && wrongMethod.errorCodes == [405])
            let huge = try client.post(Earn.path, body: String(repeating: " ", count: 5000) + Earn.body())
            #expect(huge.status == 413 && huge.errorCodes == [413])
            // The connection is still usable, and the query string is ignored.
            #expect(try client.post(Earn.path + "?x=1", body: Earn.body()).status == 200)
            #expect(server.stats().requests == 1)
        }
    }

    @Test func shutdownIsIdempotentAndReleasesWaiters() throws {
        let server = try MockEarnServer.start(MockConfiguration(threads: 1))
        #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
        #expect(server.port > 0)
        let waiter = Thread { server.waitUntilShutdown() }
        waiter.start()
        server.shutdown()
        server.shutdown()
        server.waitUntilShutdown()
        #expect(throws: (any Error).self) { try TestHTTPClient(port: server.port).get("/__stats") }
    }

    @Test func expectContinueIsAnsweredAtOnce() throws {
        try withMock { server throws in
            let client = TestHTTPClient(port: server.port)
            let response = try client.post(Earn.path, headers: ["Expect": "100-continue"], body: Earn.body())
            #expect(response.status == 200)
            #expect(client.interimStatuses == [100])
        }
    }

    @Test func connectionCloseIsHonoured() throws {
        try withMock { server throws in
            let client = TestHTTPClient(port: server.port)
            let response = try client.send("POST", Earn.path, headers: ["Connection": "close"], body: Earn.body())
            #expect(response.status == 200)
            #expect(response.headers["connection"] == "close")
            #expect(try client.get("/__stats").status == 200)
            #expect(client.connectionsOpened == 2)
        }
    }
}
