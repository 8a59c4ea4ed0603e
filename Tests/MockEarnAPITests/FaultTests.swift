import Foundation
import Synchronization
import Testing
@testable import MockEarnAPI

/// Each fault happens at its configured rate, reproducibly, and leaves the server's record
/// honest (a 500 or a dropped connection after commit really did commit).
@Suite struct FaultTests {
    /// What a client saw for one request.
    enum Seen: Hashable {
        case status(Int)
        case dropped
    }

    private func send(_ client: TestHTTPClient, _ body: String) throws -> (Seen, TestHTTPClient.Response?) {
        do {
            let response = try client.post(Earn.path, body: body)
            return (.status(response.status), response)
        } catch TestHTTPClient.Failure.closedWithoutAnswer {
            return (.dropped, nil)
        }
    }

    /// One distinct event per requestId (distinct natural keys), as an importer's rows are.
    private func row(_ requestId: String) -> String {
        Earn.body(requestId: requestId, referenceId: "ref-\(requestId)")
    }

    @Test func everyFaultHappensAtItsRateAndTheRecordStaysHonest() throws {
        let faults = MockConfiguration.Faults(failBeforeRate: 0.1, failAfterCommitRate: 0.1, dropAfterCommitRate: 0.1,
                                              throttleRate: 0.1, retryAfterSeconds: 7)
        try withMock(MockConfiguration(faults: faults, seed: 42)) { server throws in
            let client = TestHTTPClient(port: server.port)
            var seen: [Seen: Int] = [:]
            var failedIds: [String] = []
            for index in 0..<1000 {
                let requestId = "req-\(index)"
                let (outcome, response) = try send(client, row(requestId))
                seen[outcome, default: 0] += 1
                if case .status(429) = outcome { #expect(response?.headers["retry-after"] == "7") }
                if outcome != .status(200) { failedIds.append(requestId) }
            }
            let fiveXXBefore = [502, 503, 504, 520].map { seen[.status($0)] ?? 0 }
            #expect(fiveXXBefore.allSatisfy { $0 > 0 }, "each status of the mix shows up: \(seen)")
            for count in [fiveXXBefore.reduce(0, +), seen[.status(429)] ?? 0, seen[.status(500)] ?? 0, seen[.dropped] ?? 0] {
                #expect((60...140).contains(count), "\(seen)")
            }
            #expect((500...700).contains(seen[.status(200)] ?? 0))
            #expect(seen.keys.allSatisfy { [.status(200), .status(429), .status(500), .status(502), .status(503),
                                              .status(504), .status(520), .dropped].contains($0) })

            let stats = server.stats()
            #expect(stats.requests == 1000)
            #expect(stats.fiveXXBefore == fiveXXBefore.reduce(0, +))
            #expect(stats.throttled429 == seen[.status(429)])
            #expect(stats.fiveHundredAfterCommit == seen[.status(500)])
            #expect(stats.droppedAfterCommit == seen[.dropped])
            #expect(stats.earned == seen[.status(200)])
            #expect(stats.committedEarns == stats.earned + stats.fiveHundredAfterCommit + stats.droppedAfterCommit)
            #expect(server.committedEarns().count == stats.committedEarns)
            // A dropped connection is a new connection for the next request.
            #expect(client.connectionsOpened == 1 + (seen[.dropped] ?? 0))

            // A correct client retries with the same requestId: after-commit failures answer 809,
            // every row ends up earned exactly once, and nothing is earned twice.
            for requestId in failedIds {
                var outcome: Seen = .dropped
                var attempts = 0
                repeat {
                    (outcome, _) = try send(client, row(requestId))
                    attempts += 1
                } while outcome != .status(200) && outcome != .status(400) && attempts < 50
                #expect(outcome == .status(200) || outcome == .status(400))
            }
            let final = server.stats()
            #expect(final.committedEarns == 1000)
            #expect(Set(server.committedEarns().map(\.requestId)).count == 1000)
            #expect(final.duplicate809 >= stats.fiveHundredAfterCommit + stats.droppedAfterCommit)
            #expect(final.doubleEarns == 0)
        }
    }

    /// The sequence of outcomes a sequential client sees for a given seed.
    private func outcomes(seed: UInt64, count: Int = 300) throws -> [Seen] {
        let faults = MockConfiguration.Faults(failBeforeRate: 0.15, failAfterCommitRate: 0.1, dropAfterCommitRate: 0.05,
                                              throttleRate: 0.1)
        return try withMock(MockConfiguration(faults: faults, seed: seed)) { server throws in
            let client = TestHTTPClient(port: server.port)
            return try (0..<count).map { try send(client, Earn.body(requestId: "r\($0)")).0 }
        }
    }

    @Test func sameSeedSameFaults() throws {
        let first = try outcomes(seed: 7)
        #expect(try outcomes(seed: 7) == first)
        #expect(try outcomes(seed: 8) != first)
        #expect(Set(first).count >= 5)
    }

    @Test func configuredStatusMixIsUsed() throws {
        let faults = MockConfiguration.Faults(failBeforeRate: 1, failBeforeStatuses: [503])
        try withMock(MockConfiguration(faults: faults)) { server throws in
            let client = TestHTTPClient(port: server.port)
            for index in 0..<20 {
                let response = try client.post(Earn.path, body: Earn.body(requestId: "r\(index)"))
                #expect(response.status == 503)
                #expect(response.errorCodes == [503])
            }
            #expect(server.stats().committedEarns == 0)
        }
    }

    /// The four draws per request the mock makes for `seed` (see `MockConfiguration.Faults`),
    /// replayed here so timing tests know which requests must be slow and by how much.
    private func draws(seed: UInt64, count: Int) -> [(fault: Double, slow: Double, jitter: Double, status: Double)] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in (random.nextUnit(), random.nextUnit(), random.nextUnit(), random.nextUnit()) }
    }

    private func elapsedMs(_ work: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try work()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
    }

    @Test func slowAnswersComeAtTheirRate() throws {
        let faults = MockConfiguration.Faults(slowRate: 0.1, slowMs: 40)
        let plan = draws(seed: 3, count: 400)
        try withMock(MockConfiguration(faults: faults, seed: 3)) { server throws in
            let client = TestHTTPClient(port: server.port)
            var fastTimes: [Double] = []
            for index in 0..<400 {
                var status = 0
                let elapsed = try elapsedMs { status = try client.post(Earn.path, body: Earn.body(requestId: "r\(index)")).status }
                #expect(status == 200)
                if plan[index].slow < 0.1 {
                    #expect(elapsed >= 40, "request \(index) was drawn slow")
                } else {
                    fastTimes.append(elapsed)
                }
            }
            let slow = server.stats().slow
            #expect(slow == plan.filter { $0.slow < 0.1 }.count)
            #expect((24...56).contains(slow))
            // The others were not held back (median, so a loaded machine's hiccups do not count).
            #expect(fastTimes.sorted()[fastTimes.count / 2] < 40)
        }
    }

    @Test func slowAnswerPastTheClientTimeoutWasStillCommitted() throws {
        let faults = MockConfiguration.Faults(slowRate: 1, slowMs: 800)
        try withMock(MockConfiguration(faults: faults)) { server throws in
            let impatient = TestHTTPClient(port: server.port, timeoutSeconds: 0.2)
            #expect(throws: TestHTTPClient.Failure.timedOut) {
                try impatient.post(Earn.path, body: Earn.body(requestId: "late"))
            }
            #expect(server.stats().committedEarns == 1)
            // The retry (a new connection) learns that the first attempt went through.
            let retry = try TestHTTPClient(port: server.port).post(Earn.path, body: Earn.body(requestId: "late"))
            #expect(retry.errorCodes == [809])
        }
    }

    @Test func latencyAndJitterDelayEveryAnswer() throws {
        let faults = MockConfiguration.Faults(latencyMs: 30, jitterMs: 40)
        let plan = draws(seed: 11, count: 20)
        let planned = plan.map { 30 + $0.jitter * 40 }
        #expect(planned.max()! - planned.min()! >= 10, "the seed spreads the jitter")
        try withMock(MockConfiguration(faults: faults, seed: 11)) { server throws in
            let client = TestHTTPClient(port: server.port)
            for index in 0..<20 {
                // Errors are delayed like successes.
                let body = index.isMultiple(of: 2) ? Earn.body(requestId: "r\(index)") : "{broken"
                let elapsed = try elapsedMs { _ = try client.post(Earn.path, body: body) }
                #expect(elapsed >= planned[index] - 0.5, "request \(index): \(elapsed) ms, planned \(planned[index]) ms")
            }
        }
    }

    /// Delays are timers on the event loop: one loop thread serves many delayed requests at once.
    @Test func delaysNeverBlockTheEventLoop() throws {
        let faults = MockConfiguration.Faults(latencyMs: 400)
        try withMock(MockConfiguration(threads: 1, faults: faults)) { server throws in
            let statuses = Mutex<[Int]>([])
            let done = DispatchGroup()
            let start = DispatchTime.now().uptimeNanoseconds
            for index in 0..<8 {
                done.enter()
                let thread = Thread {
                    let client = TestHTTPClient(port: server.port)
                    let status = (try? client.post(Earn.path, body: Earn.body(requestId: "c\(index)")).status) ?? -1
                    statuses.withLock { $0.append(status) }
                    done.leave()
                }
                thread.start()
            }
            done.wait()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            #expect(statuses.withLock { $0 } == Array(repeating: 200, count: 8))
            #expect(seconds >= 0.4 && seconds < 2.0, "8 x 400 ms in parallel took \(seconds) s (serial would be 3.2 s)")
        }
    }

    @Test func rateLimitAnswers429WithRetryAfterBeyondTheRate() throws {
        let clock = ManualClock()
        let configuration = MockConfiguration(rateLimit: MockRateLimit(count: 5, unit: .second), rateBurst: 5, clock: clock.mockClock)
        try withMock(configuration) { server throws in
            let client = TestHTTPClient(port: server.port)
            var counter = 0
            func attempt() throws -> TestHTTPClient.Response {
                counter += 1
                return try client.post(Earn.path, body: Earn.body(requestId: "r\(counter)"))
            }
            for _ in 0..<5 { #expect(try attempt().status == 200) }
            let limited = try attempt()
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"] == "1")
            clock.advance(by: 0.2)  // one token at 5/s
            #expect(try attempt().status == 200)
            #expect(try attempt().status == 429)
            clock.advance(by: 60)  // refills to the burst, no more
            for _ in 0..<5 { #expect(try attempt().status == 200) }
            #expect(try attempt().status == 429)
            let stats = server.stats()
            #expect(stats.rateLimited429 == 3 && stats.earned == 11 && stats.committedEarns == 11)
        }
    }

    @Test func perMinuteLimitTellsHowLongToWait() throws {
        let clock = ManualClock()
        let configuration = MockConfiguration(rateLimit: MockRateLimit(parsing: "2/min"), clock: clock.mockClock)
        try withMock(configuration) { server throws in
            let client = TestHTTPClient(port: server.port)
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "a")).status == 200)
            let limited = try client.post(Earn.path, body: Earn.body(requestId: "b"))
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"] == "30")
            clock.advance(by: 30)
            #expect(try client.post(Earn.path, body: Earn.body(requestId: "b")).status == 200)
        }
    }

    @Test func impossibleFaultSettingsAreRefused() {
        for faults in [MockConfiguration.Faults(failBeforeRate: 1.5),
                       MockConfiguration.Faults(failBeforeRate: 0.5, failAfterCommitRate: 0.3, throttleRate: 0.3),
                       MockConfiguration.Faults(latencyMs: -1),
                       MockConfiguration.Faults(failBeforeRate: 0.1, failBeforeStatuses: [404])] {
            #expect(throws: MockConfigurationError.self) { try MockEarnServer.start(MockConfiguration(faults: faults)) }
        }
    }
}
