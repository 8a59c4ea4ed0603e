import Foundation
import Testing
import TestSupport
@testable import BadgeImport

/// Runs pushing to the real Prometheus Pushgateway, read back from it as Prometheus scrapes it.
@Suite(.enabled(if: PushgatewayProcess.isInstalled, "prometheus-pushgateway is not installed (apt-get install prometheus-pushgateway)"))
struct PushgatewayRunTests {
    @Test func aSuccessThenAFailedNightAreBothReadableFromTheGateway() throws {
        let gateway = try PushgatewayProcess()
        let fixture = try MonitoringFixture()
        let group = ["job": "badge_import", "instance": "nightly-7"]

        var first = fixture.options([try fixture.input("monday.csv", valid: 10)], report: "monday")
        first.pushgateway = gateway.baseURL
        first.metricsInstance = "nightly-7"
        let monday = try ImportRun(configuration: first).execute()
        #expect(monday.exitCode == 0)
        var pushed = try gateway.metrics()
        MetricsRunTests.expectMatches(Self.only(pushed, group), try fixture.summary("monday"))
        let success = try #require(pushed.value("badge_import_last_success_timestamp_seconds", group))
        #expect(abs(success - (MetricsRunTests.epoch(monday.summary.endedAt) ?? 0)) < 0.001)

        // Tuesday's drop has bad rows: exit 1. The group is replaced (PUT), yet the last success
        // is still Monday's, from the ledger: what a "no success in 26 h" alert needs.
        var second = fixture.options([try fixture.input("tuesday.csv", valid: 4, invalid: 3, firstCustomer: 71_000_001)],
                                     report: "tuesday")
        second.pushgateway = gateway.baseURL
        second.metricsInstance = "nightly-7"
        let tuesday = try ImportRun(configuration: second).execute()
        #expect(tuesday.exitCode == 1)
        pushed = try gateway.metrics()
        MetricsRunTests.expectMatches(Self.only(pushed, group), try fixture.summary("tuesday"))
        #expect(pushed.value("badge_import_last_success_timestamp_seconds", group) == success)
        #expect(pushed.value("badge_import_rows_total", group.merging(["status": "invalid"]) { a, _ in a }) == 3)
    }

    @Test func theShardIndexIsTheInstanceWhenNoneIsGiven() throws {
        let gateway = try PushgatewayProcess()
        let fixture = try MonitoringFixture()
        var options = fixture.options([try fixture.input("a.csv", valid: 8)], report: "r")
        options.pushgateway = gateway.baseURL + "/"
        options.shard = try Shard(index: 3, count: 4)
        _ = try ImportRun(configuration: options).execute()
        let pushed = try gateway.metrics()
        #expect(pushed.value("badge_import_last_run_exit_code", ["instance": "3", "shard": "3"]) == 0)
        MetricsRunTests.expectMatches(Self.only(pushed, ["instance": "3"]), try fixture.summary("r"))
    }

    @Test func aGatewayThatIsDownIsAWarningNotAFailedRun() throws {
        let fixture = try MonitoringFixture()
        let log = LogCapture()
        var options = fixture.options([try fixture.input("a.csv", valid: 5)], report: "r")
        options.pushgateway = "http://user:hunter2@127.0.0.1:\(try FreePort.next())"
        let outcome = try ImportRun(configuration: options, logger: log.logger).execute()
        #expect(outcome.exitCode == 0)
        #expect(log.warnings().contains { $0.contains("could not push metrics") })
        #expect(!log.captured.contains { $0.text.contains("hunter2") })
    }

    /// The gateway's series of one group, with the group's labels left on.
    static func only(_ metrics: PrometheusText, _ group: [String: String]) -> PrometheusText {
        var lines: [String] = []
        for series in metrics.series where group.allSatisfy({ series.labels[$0.key] == $0.value }) {
            let labels = series.labels.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",")
            lines.append("\(series.name){\(labels)} \(series.value)")
        }
        return PrometheusText(lines.joined(separator: "\n"))
    }
}
