import Foundation
import MockEarnAPI
import Synchronization
import Testing
import TestSupport
@testable import BadgeImport

/// `--notify-url`: what a chat channel is sent when a night fails, checked on a local listener.
@Suite struct WebhookTests {
    static let password = "pa55-w0rd-never-sent"
    static let hookToken = "T000/B000/XXXXsecrettoken"

    @Test func aFailedRunPostsItsOutcomeAndSummaryWithNoSecretInIt() throws {
        let hook = try LoopbackHTTPServer(script: [LoopbackHTTPServer.Reply(status: 200, body: "ok")])
        defer { hook.stop() }
        let fixture = try MonitoringFixture(mock: MockConfiguration(basic: .init(username: "store.server", password: Self.password)))
        var options = fixture.options([try fixture.input("drop.csv", valid: 6, invalid: 2)], report: "r")
        options.auth = .basic(username: "store.server", password: Secret(Self.password))
        options.notifyURL = hook.baseURL + "/services/" + Self.hookToken
        options.profileName = "eu-nightly"
        let outcome = try ImportRun(configuration: options).execute()
        #expect(outcome.exitCode == 1)

        let request = try #require(hook.requests.first)
        #expect(hook.requests.count == 1)
        #expect(request.method == "POST" && request.path == "/services/" + Self.hookToken)
        #expect(request.headers["content-type"] == "application/json")
        let body = String(decoding: request.body, as: UTF8.self)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        let text = try #require(object["text"] as? String)
        #expect(text.contains("profile eu-nightly") && text.contains("exit 1") && text.contains("6 earned")
                && text.contains("2 invalid") && text.contains(fixture.path("r")), "\(text)")
        // `summary` is summary.json itself.
        let sent = try RunSummary.decode(JSONSerialization.data(withJSONObject: try #require(object["summary"])))
        let written = try fixture.summary("r")
        #expect(sent.runId == written.runId && sent.counts == written.counts && sent.exitCode == written.exitCode
                && sent.endedAt == written.endedAt && sent.requestsSent == written.requestsSent)
        for secret in [Self.password, Self.hookToken, "secrettoken"] { #expect(!body.contains(secret), "\(secret) in the webhook") }
    }

    @Test func aSuccessIsQuietUnlessAskedForAlways() throws {
        let hook = try LoopbackHTTPServer(script: [LoopbackHTTPServer.Reply(status: 204)])
        defer { hook.stop() }
        let fixture = try MonitoringFixture()
        var options = fixture.options([try fixture.input("a.csv", valid: 3)], report: "quiet")
        options.notifyURL = hook.baseURL + "/hook"
        #expect(try ImportRun(configuration: options).execute().exitCode == 0)
        #expect(hook.requests.isEmpty)

        options = fixture.options([try fixture.input("b.csv", valid: 3, firstCustomer: 72_000_001)], report: "always")
        options.notifyURL = hook.baseURL + "/hook"
        options.notifyOn = .always
        #expect(try ImportRun(configuration: options).execute().exitCode == 0)
        let text = try #require(hook.requests.first.flatMap {
            (try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any])?["text"] as? String })
        #expect(text.contains("succeeded") && text.contains("3 earned"), "\(text)")
    }

    @Test func aRunThatStopsBeforeItsReportStillSaysSo() throws {
        let hook = try LoopbackHTTPServer(script: [LoopbackHTTPServer.Reply(status: 200)])
        defer { hook.stop() }
        let fixture = try MonitoringFixture()
        var options = fixture.options([try fixture.input("a.csv", valid: 3)], report: "r")
        try "not a ledger".write(toFile: options.ledgerPath, atomically: true, encoding: .utf8)
        options.notifyURL = hook.baseURL + "/hook"
        #expect(throws: ImportError.self) { try ImportRun(configuration: options).execute() }
        let object = try #require(hook.requests.first.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] })
        #expect((object["text"] as? String)?.contains("failed before finishing") == true)
        #expect(object["summary"] == nil || object["summary"] is NSNull)
    }

    @Test func retriesAreBoundedAndAClientErrorIsNotRetried() {
        let waits = Mutex<[Double]>([])
        let clock = Clock(now: { 0 }, sleep: { s in waits.withLock { $0.append(s) } }, wallNow: { Date() })
        let notification = RunNotification(error: ImportError(.configuration, "x"), runName: "badge-import")

        let failing = CountingTransport(status: 503)
        let problem = WebhookNotifier(url: "http://127.0.0.1:1/h", transport: failing, clock: clock).send(notification)
        #expect(failing.calls == RunOptions.defaultNotifyAttempts)
        #expect(waits.withLock { $0 } == [1, 2])
        #expect(problem?.contains("HTTP 503") == true && problem?.contains("127.0.0.1") == false)

        let gone = CountingTransport(status: 404)
        #expect(WebhookNotifier(url: "http://127.0.0.1:1/h", transport: gone, clock: clock).send(notification) != nil)
        #expect(gone.calls == 1)
        let fine = CountingTransport(status: 200)
        #expect(WebhookNotifier(url: "http://127.0.0.1:1/h", transport: fine, clock: clock).send(notification) == nil)
    }

    @Test func aWebhookThatFailsIsAWarningAndTheExitCodeStands() throws {
        let hook = try LoopbackHTTPServer(script: [LoopbackHTTPServer.Reply(status: 400, body: "no_text")])
        defer { hook.stop() }
        let fixture = try MonitoringFixture()
        let log = LogCapture()
        var options = fixture.options([try fixture.input("a.csv", valid: 2, invalid: 1)], report: "r")
        options.notifyURL = hook.baseURL + "/services/" + Self.hookToken
        #expect(try ImportRun(configuration: options, logger: log.logger).execute().exitCode == 1)
        #expect(log.warnings().contains { $0.contains("webhook") && $0.contains("HTTP 400: no_text") })
        #expect(!log.captured.contains { $0.text.contains("secrettoken") })
    }
}

/// Answers every request with one status and counts the calls.
final class CountingTransport: Transport {
    let status: Int
    private(set) var calls = 0
    init(status: Int) { self.status = status }
    func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        calls += 1
        return HTTPResponse(status: status)
    }
}
