import Foundation
@testable import BadgeImport

/// A `Transport` that answers from a queue and records every request it was given.
final class ScriptedTransport: Transport, @unchecked Sendable {
    enum Step {
        case reply(HTTPResponse)
        case fail(TransportError)
    }

    private let lock = NSLock()
    private var steps: [Step]
    private(set) var sent: [HTTPRequest] = []
    /// Called with each request before answering (e.g. to advance a virtual clock).
    var onSend: (@Sendable (HTTPRequest) -> Void)?

    init(_ steps: [Step]) { self.steps = steps }

    static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> Step {
        .reply(HTTPResponse(status: status, headers: headers, body: Array(body.utf8)))
    }

    var requests: [HTTPRequest] { lock.withLock { sent } }

    func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        let step: Step = lock.withLock {
            sent.append(request)
            return steps.count > 1 ? steps.removeFirst() : steps[0]
        }
        onSend?(request)
        switch step {
        case .reply(let response): return response
        case .fail(let error): throw error
        }
    }
}

/// Virtual time: `sleep` advances the clock instead of waiting, and records what was slept.
final class VirtualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var time: Double
    private var slept: [Double] = []
    let wall: Date

    init(start: Double = 1_000, wall: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        time = start
        self.wall = wall
    }

    var now: Double { lock.withLock { time } }
    var sleeps: [Double] { lock.withLock { slept } }
    func advance(_ seconds: Double) { lock.withLock { time += seconds } }
    func set(_ value: Double) { lock.withLock { time = value } }

    var clock: Clock {
        Clock(now: { self.now },
              sleep: { seconds in self.lock.withLock { self.slept.append(seconds); self.time += max(0, seconds) } },
              wallNow: { self.wall.addingTimeInterval(self.now - 1_000) })
    }
}

/// A RandomSource that returns the given values in turn (the last repeats).
func fixedRandom(_ values: [Double]) -> RandomSource {
    let queue = ValueQueue(values)
    return RandomSource { queue.next() }
}

final class ValueQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double]
    init(_ values: [Double]) { self.values = values }
    func next() -> Double { lock.withLock { values.count > 1 ? values.removeFirst() : values[0] } }
}

func sampleRow(referenceId: String = "123694", requestId: String = "2132", date: String? = "2023-11-03T21:51:00.192Z") -> EarnRow {
    EarnRow(source: "in.csv", line: 2, requestId: requestId, badgeMetaId: "66276dc68fe258516a88ff8e",
            customerId: 62_090_013, earnEventDate: date, ownerType: .historicalImport, referenceId: referenceId)
}

let earnedBody = """
{"data":{"badgeMetaId":"66da90348bdb494a4f06576f","customerId":11231,"earnedBadgeId":"66da90618bdb494a4f065774",\
"expiresOn":1726809439.822462000,"requestId":"NaYAzxXfJhHvRm4l7KiD","issuedId":"66da903a8bdb494a4f065770"},\
"errors":[],"warnings":[]}
"""

func errorBody(_ code: Int, _ message: String) -> String {
    "{\"data\":null,\"errors\":[{\"code\":\(code),\"message\":\"\(message)\",\"reference\":null}],\"warnings\":null}"
}
