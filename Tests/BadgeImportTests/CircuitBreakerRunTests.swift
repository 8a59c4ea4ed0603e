import Foundation
import Testing
@testable import BadgeImport

/// The circuit breaker inside a real run: real workers, the real libcurl transport and a
/// loopback server that always fails; only time is virtual.
@Suite struct CircuitBreakerRunTests {
    /// Virtual time for the workers: their backoff sleeps (cut into slices of at most 0.25 s)
    /// advance it at once. The run's progress ticker sleeps 1 s at a time: it really sleeps a
    /// little instead, so it cannot race the clock. (Thread names cannot tell them apart: on
    /// Linux `Thread.current.name` in a started thread is not the name it was given.)
    final class WorkerTime: @unchecked Sendable {
        private let lock = NSLock()
        private var time = 1_000.0

        var now: Double { lock.withLock { time } }

        var clock: Clock {
            Clock(now: { self.now },
                  sleep: { seconds in
                      if seconds <= 0.25 + 1e-9 {
                          self.lock.withLock { self.time += max(0, seconds) }
                      } else {
                          usleep(5_000)
                      }
                  },
                  wallNow: { Date(timeIntervalSince1970: 1_700_000_000 + self.now) })
        }
    }

    @Test func aFailingServerOpensTheBreakerWindowSecondsAfterTheFirstFailedAttempt() throws {
        let server = try LoopbackHTTPServer(script: [LoopbackHTTPServer.Reply(status: 503, body: "busy")])
        defer { server.stop() }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("breaker-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var csv = "badgeMetaId,customerId,earnEventDate,ownerType,referenceId\n"
        for index in 0..<5 { csv += "66276dc68fe258516a88ff8e,\(70_000_001 + index),2025-03-01T10:0\(index):00Z,Historical_Import,ref-\(index)\n" }
        let input = dir.appendingPathComponent("earns.csv")
        try csv.write(to: input, atomically: true, encoding: .utf8)

        var configuration = RunOptions(inputs: [try InputFile(path: input.path)], mapping: MappingOptions(),
                                                baseURL: server.baseURL, auth: .none,
                                                ledgerPath: dir.appendingPathComponent("l.ledger").path)
        configuration.reportDir = dir.appendingPathComponent("out").path
        configuration.concurrency = 1
        configuration.maxAttempts = 6
        configuration.backoffBase = 1
        configuration.backoffCap = 30
        configuration.breakerWindow = 10
        configuration.preflight = false  // the breaker's timing from the first earn; preflight reads are not counted by it
        let time = WorkerTime()
        // Backoff waits half its ceiling: 0.5, 1, 2, 4, 8, 16 s after attempts 1, 2, 3, ...
        let run = ImportRun(configuration: configuration, clock: time.clock, random: RandomSource { 0.5 },
                            makeTransport: { try CurlTransport() })
        let outcome = try run.execute()

        #expect(outcome.exitCode == 3)
        #expect(outcome.summary.aborted?.contains("circuit breaker") == true, "\(outcome.summary.aborted ?? "nil")")
        // Attempts at 0, 0.5, 1.5, 3.5 and 7.5 s, all failed; the wait for the sixth is cut at
        // the first 0.25 s slice past the 10 s window. Counted from the first row running out
        // of attempts (at 15.5 s) it would have stopped at 25.75 s, after 11 requests.
        #expect(server.requests.count == 5)
        #expect(outcome.summary.requestsSent == 5)
        #expect(outcome.summary.durationSeconds > 10 && outcome.summary.durationSeconds <= 10.5,
                "stopped \(outcome.summary.durationSeconds) s after the first failed attempt")
    }
}
