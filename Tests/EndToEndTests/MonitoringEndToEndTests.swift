import Foundation
import Testing
import TestSupport

/// A nightly run of the real binary with every monitoring output at once: the metrics file,
/// the real Pushgateway, `/metrics` while it runs, and the webhook; each value equal to
/// summary.json's.
@Suite(.enabled(if: PushgatewayProcess.isInstalled, "prometheus-pushgateway is not installed (apt-get install prometheus-pushgateway)"))
struct MonitoringEndToEndTests {
    @Test func allThreeOutputsAndTheWebhookAgreeWithTheSummary() throws {
        let dir = try TemporaryDirectory()
        var csv = EarnFixtures.csv(rows: 30)
        csv += "\(EarnFixtures.badge),7000x,2025-03-01T10:00:00Z,Historical_Import,bad-row\n"
        try dir.write("nightly.csv", csv)
        // 100 ms per answer, 2 at a time: about a second and a half to scrape /metrics in.
        let mock = try MockServerProcess(["--latency-ms", "100"])
        let gateway = try PushgatewayProcess()
        let hook = try WebhookReceiver()
        defer { hook.stop() }
        let port = try FreePort.next()

        let run = try BinaryProcess(
            ["run", "nightly.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--report-dir", "report",
             "--concurrency", "2", "--quiet", "--progress-interval", "0.5",
             "--metrics-file", "badge_import.prom", "--pushgateway", gateway.baseURL, "--metrics-instance", "e2e",
             "--metrics-listen", "127.0.0.1:\(port)"],
            environment: ["BADGE_IMPORT_NOTIFY_URL": hook.baseURL + "/services/T1/B2/tok3n", "BADGE_IMPORT_PROFILE": ""],
            directory: dir.url)
        var scraped: PrometheusText?
        let deadline = Date().addingTimeInterval(20)
        while scraped == nil, run.process.isRunning, Date() < deadline {
            if let text = try? HTTPGet.text("http://127.0.0.1:\(port)/metrics"),
               (PrometheusText(text).value("badge_import_requests_total") ?? 0) > 0 {
                scraped = PrometheusText(text)
            }
            usleep(20_000)
        }
        let result = run.wait()
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(scraped != nil, "/metrics was not served while the run lasted")

        let summary = try JSONSerialization.jsonObject(with: Data(dir.read("report/summary.json").utf8)) as! [String: Any]
        let counts = summary["counts"] as! [String: Int]
        let file = PrometheusText(try dir.read("badge_import.prom"))
        let pushed = try gateway.metrics()
        for (name, metrics, labels) in [("file", file, [String: String]()), ("gateway", pushed, ["instance": "e2e"])] {
            for (status, count) in counts {
                #expect(metrics.value("badge_import_rows_total", labels.merging(["status": status]) { a, _ in a }) == Double(count),
                        "\(name): rows_total{status=\(status)}")
            }
            #expect(metrics.value("badge_import_requests_total", labels) == Double(summary["requestsSent"] as! Int), "\(name)")
            #expect(metrics.value("badge_import_retries_total", labels) == Double(summary["retries"] as! Int), "\(name)")
            #expect(metrics.value("badge_import_throttled_total", labels) == Double(summary["throttled"] as! Int), "\(name)")
            #expect(metrics.value("badge_import_last_run_exit_code", labels) == 1, "\(name)")
            let latency = summary["latencyMs"] as! [String: Any]
            #expect(metrics.value("badge_import_request_duration_seconds_count", labels) == Double(latency["count"] as! Int), "\(name)")
        }
        #expect(counts["earned"] == 30 && counts["invalid"] == 1)

        let posts = hook.requests
        #expect(posts.count == 1 && posts.first?.requestLine == "POST /services/T1/B2/tok3n HTTP/1.1")
        let body = try #require(posts.first.flatMap { try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any] })
        #expect((body["text"] as? String)?.contains("exit 1") == true)
        #expect(((body["summary"] as? [String: Any])?["counts"] as? [String: Int]) == counts)
        let sentBody = String(decoding: posts.first?.body ?? Data(), as: UTF8.self)
        #expect(!sentBody.contains("tok3n"))
        #expect(!result.stderr.contains("tok3n"))
    }
}
