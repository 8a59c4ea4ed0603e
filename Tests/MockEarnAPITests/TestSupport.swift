import Foundation
import MockEarnAPI
import Synchronization

/// A clock the test moves by hand (both the monotonic and the wall reading move together).
final class ManualClock: Sendable {
    private let seconds: Mutex<(monotonic: Double, wall: Double)>

    init(wall: Double = 1_780_000_000) {  // 2026-05-28T...Z
        seconds = Mutex((monotonic: 1000, wall: wall))
    }

    func advance(by delta: Double) {
        seconds.withLock { $0.monotonic += delta; $0.wall += delta }
    }

    var wallNow: Double { seconds.withLock { $0.wall } }

    var mockClock: MockClock {
        MockClock(now: { self.seconds.withLock { $0.monotonic } }, wallNow: { self.seconds.withLock { $0.wall } })
    }
}

enum Earn {
    static let path = "/api_gateway/v1/badges/customer/earn"
    static let tokenPath = "/v3/oauth/token/generate"
    /// The sample catalog's badges.
    static let directBadge = "66276dc68fe258516a88ff8e"
    static let issueEarnBadge = "66da90348bdb494a4f06576f"
    static let notLiveBadge = "6650a1b2c3d4e5f601234567"
    static let claimedBadge = "6672c0ffee0123456789abcd"
    /// `store.server` / `server123`, the docs' worked example.
    static let docBasicHeader = "Basic c3RvcmUuc2VydmVyOjhhMTZhNmI3MDUwNWViMWYxZmY3Y2RjMGNkNTU1OWE3"

    /// A JSON earn body; pass nil to leave a field out.
    static func body(badge: String? = directBadge, customerId: String? = "62090013", requestId: String? = "r-1",
                     date: String? = "2024-11-03T21:51:00.192Z", dateISO: String? = nil,
                     ownerType: String? = "Historical_Import", referenceId: String? = "ref-1") -> String {
        var fields: [String] = []
        if let badge { fields.append(#""badgeMetaId":"\#(badge)""#) }
        if let date { fields.append(#""earnEventDate":"\#(date)""#) }
        if let dateISO { fields.append(#""earnEventDateISO":"\#(dateISO)""#) }
        if let customerId { fields.append(#""customerId":\#(customerId)"#) }
        if let requestId { fields.append(#""requestId":"\#(requestId)""#) }
        var trigger: [String] = []
        if let ownerType { trigger.append(#""ownerType":"\#(ownerType)""#) }
        if let referenceId { trigger.append(#""referenceId":"\#(referenceId)""#) }
        fields.append(#""triggeredBy":{\#(trigger.joined(separator: ","))}"#)
        return "{" + fields.joined(separator: ",") + "}"
    }
}

/// The repository's samples/badges.json, found from this file's path.
let sampleCatalogPath: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("samples/badges.json").path
}()

/// Starts a one-thread mock (tests run in parallel; one loop each is plenty) and stops it after `body`.
func withMock<T>(_ configuration: MockConfiguration = MockConfiguration(),
                 _ body: (MockEarnServer) throws -> T) throws -> T {
    var configuration = configuration
    if configuration.threads == nil { configuration.threads = 1 }
    let server = try MockEarnServer.start(configuration)
    defer { server.shutdown() }
    return try body(server)
}

/// A fresh temporary directory for one test.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("mock-earn-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
