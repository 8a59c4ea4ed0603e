// See bench/earn-client-cpu.sh. Prints CPU microseconds per operation.
import Foundation

func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// A transport that answers instantly, so `EarnClient.send` is measured without a network.
final class CannedTransport: Transport {
    var response: HTTPResponse
    init(_ response: HTTPResponse) { self.response = response }
    func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        if request.body.isEmpty { throw .setup("empty") }
        return response
    }
}

let iterations = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200_000
let rows = (0..<1024).map { index in
    EarnRow(source: "in.csv", line: index + 2, requestId: "bi1-\(String(index * 7919, radix: 16))-7f3a9c2e11d04b6a",
            badgeMetaId: "66276dc68fe258516a88ff8e", customerId: 62_090_013 + Int64(index),
            earnEventDate: "2023-11-03T21:51:00.192Z", ownerType: .historicalImport,
            referenceId: index % 10 == 0 ? "ref \"\(index)\"\\ünï" : "ref-\(index)")
}
let earned = Array("""
{"data":{"badgeMetaId":"66da90348bdb494a4f06576f","customerId":11231,"earnedBadgeId":"66da90618bdb494a4f065774",\
"expiresOn":1726809439.822462000,"requestId":"NaYAzxXfJhHvRm4l7KiD","issuedId":"66da903a8bdb494a4f065770"},\
"errors":[],"warnings":[]}
""".utf8)
let duplicate = Array("{\"data\":null,\"errors\":[{\"code\":809,\"message\":\"Request with the same requestId is not allowed\",\"reference\":null}],\"warnings\":null}".utf8)
let html = Array("<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503</h1></center></body></html>".utf8)
let now = Date(timeIntervalSince1970: 1_445_412_450)

func measure(_ name: String, _ body: (Int) -> Int) {
    _ = body(0)  // warm up
    let start = cpuSeconds()
    var sink = 0
    for index in 0..<iterations { sink &+= body(index) }
    let elapsed = cpuSeconds() - start
    let padded = name.padding(toLength: 44, withPad: " ", startingAt: 0)
    print(padded + String(format: " %8.2f us/op  (%d ops)", elapsed / Double(iterations) * 1e6, iterations) + (sink == -1 ? "" : ""))
}

measure("body(for:)") { EarnClient.body(for: rows[$0 & 1023]).count }
let client = EarnClient(baseURL: "https://eu.api.capillarytech.com/", auth: .basic(BasicCredentials(username: "store.server", password: "server123")),
                        transport: CannedTransport(HTTPResponse(status: 200, body: earned)))
measure("request(for:) with Basic auth header") {
    if case .success(let built) = client.request(for: rows[$0 & 1023], timeout: 30) { return built.0.body.count }
    return 0
}
measure("classify 200 earned") { _ in
    if case .earned = EarnResponse.classify(status: 200, headers: [:], body: earned, oauth: false, now: now) { return 1 }
    return 0
}
measure("classify 400 duplicate (809)") { _ in
    if case .duplicate = EarnResponse.classify(status: 400, headers: [:], body: duplicate, oauth: false, now: now) { return 1 }
    return 0
}
measure("classify 503 HTML page") { _ in
    if case .retryable = EarnResponse.classify(status: 503, headers: [:], body: html, oauth: false, now: now) { return 1 }
    return 0
}
measure("classify 429 + Retry-After HTTP-date") { _ in
    if case .retryable = EarnResponse.classify(status: 429, headers: ["retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"], body: [], oauth: false, now: now) { return 1 }
    return 0
}
measure("EarnClient.send end to end (canned 200)") {
    if case .earned = client.send(rows[$0 & 1023], timeout: 30).outcome { return 1 }
    return 0
}
