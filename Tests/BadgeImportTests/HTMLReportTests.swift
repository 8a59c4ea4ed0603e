import Foundation
import Testing
@testable import BadgeImport

@Suite("report.html")
struct HTMLReportTests {
    /// A realistic run built with the real recorders: 20 minutes at about 1000/min with a burst
    /// of 429s in the middle, a few rejected, failed and invalid rows.
    static func sampleSummary() -> RunSummary {
        var latency = LatencyRecorder()
        var timeline = TimelineRecorder()
        var errors = ErrorTally()
        var c = TimelineRecorder.Counters()
        var seed: UInt64 = 42
        func random() -> Double {   // deterministic LCG: the sample is the same every time
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Double(seed >> 11) / Double(1 << 53)
        }
        for second in 1...1200 {
            let storm = (500...560).contains(second)
            let rate = storm ? 4 : 16 + Int(random() * 3)
            for _ in 0..<rate {
                c.requests += 1
                let ms = 60 + 180 * -log(max(random(), 1e-9)) * 0.4 + (random() < 0.01 ? 1500 : 0)
                latency.record(seconds: ms / 1000)
                let roll = random()
                if storm && roll < 0.5 {
                    c.throttled += 1
                    c.retries += 1
                    continue
                }
                c.completed += 1
                if roll < 0.965 { c.earned += 1 } else if roll < 0.99 { c.duplicate += 1 } else if roll < 0.997 {
                    c.rejected += 1
                    errors.add(status: .rejected, code: "811", message: "Badge issue is mandatory before earn",
                               example: "backfill-2026-11.csv:\(c.completed + 1)")
                } else {
                    c.failed += 1
                    errors.add(status: .failed, code: "http-503", message: "Service Unavailable after 6 attempts",
                               example: "backfill-2026-11.csv:\(c.completed + 1)")
                }
            }
            c.inFlight = storm ? 3 : 16
            timeline.tick(at: Double(second), c)
        }
        errors.add(status: .invalid, code: "customerId", message: "customerId 'abc' is not a number <script>alert(1)</script>",
                   example: "backfill-2026-11.csv:17")
        errors.add(status: .invalid, code: "earnEventDate", message: "earnEventDate '2026-13-01' is not a date",
                   example: "backfill-2026-11.csv:88")
        let counts: [RowStatus: Int] = [.earned: c.earned, .duplicate: c.duplicate, .alreadyDone: 1200,
                                        .duplicateInInput: 3, .rejected: c.rejected, .failed: c.failed, .invalid: 2]
        let records = counts.values.reduce(0, +)
        return RunSummary(
            runId: 17, ledger: "/data/eu-prod.ledger",
            startedAt: "2026-11-27T02:00:00.000Z", endedAt: "2026-11-27T02:20:00.412Z", durationSeconds: 1200.412,
            inputs: [
                InputSummary(path: "/data/in/backfill-2026-11.csv", sha256: String(repeating: "9f2c", count: 16),
                             bytes: 2_415_771, records: records - 1200),
                InputSummary(path: "/data/in/backfill-2026-10.csv", sha256: String(repeating: "a07e", count: 16),
                             bytes: 120_118, records: 1200, skipped: true, skippedReason: "already fully processed in run 12"),
            ],
            records: records, counts: RunSummary.counts(counts),
            requestsSent: c.requests, retries: c.retries, throttled: c.throttled,
            rowsPerSecond: Double(c.completed) / 1200.412, latencyMs: latency.summary,
            errors: errors.summaries, timeline: timeline.finishedPoints, exitCode: 1, aborted: nil, dryRun: false,
            options: ["base_url": "https://eu.api.capillarytech.com", "auth": "basic", "rate": "1000/min",
                      "concurrency": "16", "ledger": "/data/eu-prod.ledger", "source.password": "environment CAP_PASSWORD"])
    }

    /// Every `data-metric="name" data-value="v"` pair on the page.
    static func metrics(in html: String) -> [String: String] {
        let regex = try! NSRegularExpression(pattern: #"data-metric="([^"]+)" data-value="([^"]*)""#)
        var out: [String: String] = [:]
        for m in regex.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            let name = String(html[Range(m.range(at: 1), in: html)!])
            #expect(out[name] == nil, "metric \(name) appears twice")
            out[name] = String(html[Range(m.range(at: 2), in: html)!])
        }
        return out
    }

    @Test func numbersOnThePageAreTheSummarysNumbers() throws {
        let summary = Self.sampleSummary()
        let html = HTMLReport.render(summary)
        let m = Self.metrics(in: html)
        #expect(m["run-id"] == "17")
        #expect(m["exit-code"] == "1")
        #expect(m["records"].flatMap(Int.init) == summary.records)
        for status in RowStatus.allCases {
            #expect(m[status.rawValue].flatMap(Int.init) == summary.count(status), "\(status)")
        }
        #expect(m["requests-sent"].flatMap(Int.init) == summary.requestsSent)
        #expect(m["retries"].flatMap(Int.init) == summary.retries)
        #expect(m["throttled"].flatMap(Int.init) == summary.throttled)
        #expect(m["inputs"].flatMap(Int.init) == summary.inputs.count)
        #expect(m["rows-per-second"].flatMap(Double.init) == summary.rowsPerSecond)
        #expect(m["duration-seconds"].flatMap(Double.init) == summary.durationSeconds)
        let l = summary.latencyMs
        #expect(m["latency-count"].flatMap(Int.init) == l.count)
        #expect(m["latency-mean"].flatMap(Double.init) == l.mean)
        #expect(m["latency-p50"].flatMap(Double.init) == l.p50)
        #expect(m["latency-p90"].flatMap(Double.init) == l.p90)
        #expect(m["latency-p95"].flatMap(Double.init) == l.p95)
        #expect(m["latency-p99"].flatMap(Double.init) == l.p99)
        #expect(m["latency-max"].flatMap(Double.init) == l.max)

        // Displayed text matches too (with separators): the earned card.
        let earned = summary.count(.earned)
        #expect(html.contains("data-value=\"\(earned)\">\(ProgressLine.thousands(earned))</span>"))
        // Each error group is a row with its count; each input with its hash.
        for e in summary.errors {
            #expect(html.contains("data-error-code=\"\(HTMLReport.esc(e.code))\" data-error-status=\"\(e.status)\" data-count=\"\(e.count)\""))
        }
        for input in summary.inputs { #expect(html.contains(input.sha256)) }
        // Charts carry as many points as the timeline and the histogram.
        #expect(html.contains("data-chart=\"throughput\" data-points=\"\(summary.timeline.count)\""))
        #expect(html.contains("data-chart=\"latency\" data-points=\"\(l.histogram.count)\""))
        #expect(html.components(separatedBy: "<rect class=\"bucket\"").count - 1 == l.histogram.count)
        for marker in ["p50", "p95", "p99"] { #expect(html.contains("data-marker=\"\(marker)\"")) }
    }

    @Test func stringsFromDataAreEscaped() {
        var summary = Self.sampleSummary()
        summary.aborted = "signal <b>INT</b> & \"quotes\""
        summary.options["x\"><script>alert(2)</script>"] = "<img src=x onerror=alert(3)>"
        summary.inputs[0].path = "/data/<script>evil</script>.csv"
        let html = HTMLReport.render(summary)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>INT"))
        #expect(html.contains("customerId &#39;abc&#39; is not a number &lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("Stopped early: signal &lt;b&gt;INT&lt;/b&gt; &amp; &quot;quotes&quot;"))
        #expect(html.contains("/data/&lt;script&gt;evil&lt;/script&gt;.csv"))
    }

    @Test func selfContainedNoNetworkNoScript() {
        let html = HTMLReport.render(Self.sampleSummary())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for forbidden in ["<script", "<link", "<img", "<iframe", "@import", "url("] {
            #expect(!html.contains(forbidden), "\(forbidden)")
        }
        // The only URLs are data shown as text (the base_url option), never fetched resources.
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
    }

    @Test func outcomeInWords() {
        var s = Self.sampleSummary()
        s.exitCode = 0
        #expect(HTMLReport.render(s).contains(RunSummary.exitMeaning(0)))
        s.exitCode = 3
        s.aborted = "authentication refused (401)"
        let html = HTMLReport.render(s)
        #expect(html.contains(RunSummary.exitMeaning(3)))
        #expect(html.contains("Stopped early: authentication refused (401)"))
        #expect(html.contains("class=\"outcome bad\""))
    }

    @Test func emptyRunRendersWithoutChartsOrNaN() {
        let s = RunSummary(runId: 1, ledger: "l", startedAt: "a", endedAt: "b", durationSeconds: 0,
                           rowsPerSecond: .nan, exitCode: 2, dryRun: true)
        let html = HTMLReport.render(s)
        #expect(html.contains("No rows were processed."))
        #expect(html.contains("No request was sent."))
        #expect(html.contains("No timeline was recorded"))
        #expect(html.contains("dry run"))
        #expect(html.range(of: #"\b(nan|inf|infinity)\b"#, options: [.regularExpression, .caseInsensitive]) == nil)
        #expect(Self.metrics(in: html)["rows-per-second"] == "0.0")
    }

    /// Writes the sample summary.json and report.html where scripts/render-report.sh asks
    /// (BADGE_IMPORT_REPORT_SAMPLE_DIR); otherwise to a temp dir, checking the files round-trip.
    @Test func writesSampleFiles() throws {
        let dir = ProcessInfo.processInfo.environment["BADGE_IMPORT_REPORT_SAMPLE_DIR"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("report-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let summary = Self.sampleSummary()
        let json = try summary.jsonData()
        try json.write(to: URL(fileURLWithPath: dir + "/summary.json"))
        try HTMLReport.render(summary).write(toFile: dir + "/report.html", atomically: true, encoding: .utf8)
        let back = try RunSummary.decode(Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json")))
        #expect(back == summary)
        #expect(try String(contentsOfFile: dir + "/report.html", encoding: .utf8) == HTMLReport.render(back))
    }
}

@Suite("report.html axes")
struct HTMLReportAxisTests {
    @Test(arguments: [0.3, 1, 3.9, 4, 16.7, 19, 20, 21, 99, 1234, 4995])
    func ticksAreRoundAndCoverTheMaximum(max: Double) {
        let ticks = HTMLReport.axisTicks(max)
        #expect(ticks.first == 0)
        #expect(ticks.last! >= max)
        #expect(ticks.count >= 2 && ticks.count <= 6, "\(ticks)")
        let step = ticks[1]
        let mantissa = step / pow(10, floor(log10(step)))
        #expect([1, 2, 2.5, 5].contains { abs($0 - mantissa) < 1e-9 }, "\(step)")
        #expect(ticks.last! - step < max, "one interval too many: \(ticks)")
    }
}
