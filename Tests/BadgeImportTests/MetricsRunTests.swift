import Foundation
import MockEarnAPI
import Prometheus
import Synchronization
import Testing
import TestSupport
@testable import BadgeImport

/// A real run's metrics, read back the way Prometheus would read them, against summary.json.
@Suite struct MetricsRunTests {
    /// Every value the metrics and summary.json both state must agree.
    static func expectMatches(_ metrics: PrometheusText, _ summary: RunSummary, sourceLocation: SourceLocation = #_sourceLocation) {
        for status in RowStatus.allCases {
            #expect(metrics.value("badge_import_rows_total", ["status": status.rawValue]) == Double(summary.count(status)),
                    "rows_total{status=\(status.rawValue)}", sourceLocation: sourceLocation)
        }
        #expect(metrics.value("badge_import_requests_total") == Double(summary.requestsSent), sourceLocation: sourceLocation)
        #expect(metrics.value("badge_import_retries_total") == Double(summary.retries), sourceLocation: sourceLocation)
        #expect(metrics.value("badge_import_throttled_total") == Double(summary.throttled), sourceLocation: sourceLocation)
        #expect(metrics.value("badge_import_request_duration_seconds_count") == Double(summary.latencyMs.count),
                sourceLocation: sourceLocation)
        #expect(metrics.value("badge_import_last_run_exit_code") == Double(summary.exitCode), sourceLocation: sourceLocation)
        #expect(metrics.value("badge_import_in_flight") == 0, sourceLocation: sourceLocation)
        let started = try? Date(summary.startedAt, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        #expect(metrics.value("badge_import_run_start_timestamp_seconds").map { abs($0 - (started?.timeIntervalSince1970 ?? 0)) < 0.001 } == true,
                sourceLocation: sourceLocation)
    }

    static func epoch(_ timestamp: String) -> Double? {
        (try? Date(timestamp, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))?.timeIntervalSince1970
    }

    @Test func theMetricsFileIsTheRunsSummaryInPrometheusForm() throws {
        let fixture = try MonitoringFixture()
        var options = fixture.options([try fixture.input("a.csv", valid: 12, invalid: 2)], report: "r1")
        options.metricsFile = fixture.path("badge_import.prom")
        let outcome = try ImportRun(configuration: options).execute()
        #expect(outcome.exitCode == 1)

        let metrics = PrometheusText(try String(contentsOfFile: fixture.path("badge_import.prom"), encoding: .utf8))
        let summary = try fixture.summary("r1")
        Self.expectMatches(metrics, summary)
        #expect(summary.count(.earned) == 12 && summary.count(.invalid) == 2)
        #expect(metrics.types["badge_import_rows_total"] == "counter")
        #expect(metrics.types["badge_import_request_duration_seconds"] == "histogram")
        #expect(metrics.types["badge_import_pace_requests_per_second"] == "gauge")
        // Exit 1 on a ledger that never saw a run exit 0: nothing to alert "stale" from yet.
        #expect(metrics.values("badge_import_last_success_timestamp_seconds").isEmpty)
        // Written by rename only: no temporary file left beside it.
        let left = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).filter { $0.hasSuffix(".tmp") }
        #expect(left.isEmpty)
    }

    @Test func labelsNameTheShardAndTheProfileOnEverySeries() throws {
        let fixture = try MonitoringFixture()
        var options = fixture.options([try fixture.input("a.csv", valid: 6)], report: "r")
        options.shard = try Shard(index: 1, count: 2)
        options.profileName = "eu-nightly"
        let registry = PrometheusCollectorRegistry()
        let outcome = try ImportRun(configuration: options, metrics: registry).execute()
        let metrics = PrometheusText(registry.emitToString())
        #expect(!metrics.series.isEmpty)
        #expect(metrics.series.allSatisfy { $0.labels["shard"] == "1" && $0.labels["profile"] == "eu-nightly" })
        Self.expectMatches(metrics, try fixture.summary("r"))
        let lastSuccess = try #require(metrics.value("badge_import_last_success_timestamp_seconds"))
        #expect(abs(lastSuccess - (Self.epoch(outcome.summary.endedAt) ?? 0)) < 0.001)
    }

    @Test func metricsAreServedOnTheListenAddressWhileTheRunLasts() throws {
        // 200 ms per answer and 2 workers: the run lasts about a second and a half.
        let fixture = try MonitoringFixture(mock: MockConfiguration(faults: MockConfiguration.Faults(latencyMs: 200)))
        let port = try FreePort.next()
        var options = fixture.options([try fixture.input("a.csv", valid: 14)], report: "r")
        options.metricsListen = "127.0.0.1:\(port)"
        let run = ImportRun(configuration: options)
        let finished = Thread.detachedResult { try run.execute() }

        var duringRun: PrometheusText?
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !finished.isDone {
            if let text = try? HTTPGet.text("http://127.0.0.1:\(port)/metrics"), !text.isEmpty {
                let parsed = PrometheusText(text)
                if (parsed.value("badge_import_in_flight") ?? 0) > 0 { duringRun = parsed; break }
            }
            usleep(20_000)
        }
        let outcome = try finished.wait()
        #expect(outcome.exitCode == 0)
        let seen = try #require(duringRun, "no scrape saw requests in flight")
        #expect(seen.value("badge_import_last_run_exit_code") == nil)  // not ended yet
        #expect((seen.value("badge_import_rows_total", ["status": "earned"]) ?? 99) < 14)
        #expect((try? HTTPGet.fetch("http://127.0.0.1:\(port)/metrics")) == nil, "still listening after the run")
    }

    @Test func aPortInUseIsAConfigurationErrorBeforeAnyRequest() throws {
        let fixture = try MonitoringFixture()
        let holder = try LoopbackHTTPServer(script: [LoopbackHTTPServer.Reply(status: 200)])
        defer { holder.stop() }
        var options = fixture.options([try fixture.input("a.csv", valid: 3)], report: "r")
        options.metricsListen = "127.0.0.1:\(holder.port)"
        #expect { try ImportRun(configuration: options).execute() } throws: { error in
            (error as? ImportError)?.status == .usage && "\(error)".contains("--metrics-listen")
        }
        #expect(fixture.mock.stats().requests == 0)
    }
}

/// A thread's result, for running a blocking call beside the test.
final class DetachedResult<Value: Sendable>: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let result = Mutex<Result<Value, any Error>?>(nil)

    var isDone: Bool { result.withLock { $0 != nil } }

    fileprivate func set(_ value: Result<Value, any Error>) {
        result.withLock { $0 = value }
        done.signal()
    }

    func wait() throws -> Value {
        done.wait()
        done.signal()
        return try result.withLock { $0! }.get()
    }
}

extension Thread {
    static func detachedResult<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) -> DetachedResult<Value> {
        let box = DetachedResult<Value>()
        Thread { box.set(Result { try body() }) }.start()
        return box
    }
}
