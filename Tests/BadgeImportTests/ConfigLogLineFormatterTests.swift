import Foundation
import Logging
import Testing
@testable import BadgeImport

@Suite("Log lines (--log-format text|json) and secret scrubbing")
struct ConfigLogLineFormatterTests {
    static let instant = Date(timeIntervalSince1970: 1_795_000_000.25)
    static let metadata: Logger.Metadata = [
        "row": "backfill.csv:17",
        "attempt": .stringConvertible(3),
        "Authorization": "Basic c3RvcmUuc2VydmVyOjhhMTY=",
        "cap_password": "hunter2",
        "oauth": .dictionary(["accessToken": "eyJhbGciOi", "ttl": "300"]),
        "headers": .array([.dictionary(["X-CAP-API-OAUTH-TOKEN": "eyJ"]), "plain"]),
        "note": "two words \"quoted\"",
    ]

    @Test func jsonIsOneParseableObjectPerLineWithSecretsRedacted() throws {
        let line = LogLineFormatter(format: .json).line(timestamp: Self.instant, level: .warning, label: "badge-import.transport",
                                                        message: "retrying\nafter 503", metadata: Self.metadata)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["ts", "level", "label", "message", "metadata"])
        #expect(object["ts"] as? String == RunSummary.timestamp(Self.instant))
        #expect(object["level"] as? String == "warning")
        #expect(object["label"] as? String == "badge-import.transport")
        #expect(object["message"] as? String == "retrying\nafter 503")
        let meta = try #require(object["metadata"] as? [String: Any])
        #expect(meta["row"] as? String == "backfill.csv:17")
        #expect(meta["attempt"] as? String == "3")
        #expect(meta["Authorization"] as? String == "<redacted>")
        #expect(meta["cap_password"] as? String == "<redacted>")
        #expect((meta["oauth"] as? [String: Any])?["accessToken"] as? String == "<redacted>")
        #expect((meta["oauth"] as? [String: Any])?["ttl"] as? String == "300")
        let headers = try #require(meta["headers"] as? [Any])
        #expect((headers[0] as? [String: Any])?["X-CAP-API-OAUTH-TOKEN"] as? String == "<redacted>")
        #expect(headers[1] as? String == "plain")
        for secret in ["hunter2", "c3RvcmUu", "eyJ"] { #expect(!line.contains(secret), "\(secret) leaked") }
    }

    @Test func textIsReadableKeyValueWithSecretsRedacted() {
        let line = LogLineFormatter(format: .text).line(timestamp: Self.instant, level: .info, label: "badge-import",
                                                        message: "run started", metadata: Self.metadata)
        #expect(line.hasPrefix("\(RunSummary.timestamp(Self.instant)) info badge-import: run started "))
        #expect(line.contains(" row=backfill.csv:17"))
        #expect(line.contains(" attempt=3"))
        #expect(line.contains(" Authorization=<redacted>"))
        #expect(line.contains(" cap_password=<redacted>"))
        #expect(line.contains(" note=\"two words \\\"quoted\\\"\""))
        for secret in ["hunter2", "c3RvcmUu", "eyJ"] { #expect(!line.contains(secret), "\(secret) leaked") }
    }

    @Test(arguments: ["password", "PASSWORD_FILE", "client_secret", "token", "refreshToken", "authorization",
                      "Proxy-Authorization", "cookie", "credentials"])
    func sensitiveKeys(key: String) {
        #expect(LogLineFormatter.isSensitive(key: key))
    }

    @Test(arguments: ["row", "requestId", "status", "username", "file"])
    func ordinaryKeys(key: String) {
        #expect(!LogLineFormatter.isSensitive(key: key))
    }

    @Test func controlCharactersAreEscapedInJSON() throws {
        let line = LogLineFormatter(format: .json).line(timestamp: Self.instant, level: .error, label: "l",
                                                        message: "bell\u{07} tab\t quote\" backslash\\ é", metadata: [:])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "bell\u{07} tab\t quote\" backslash\\ é")
        #expect((object["metadata"] as? [String: Any])?.isEmpty == true)
    }
}
