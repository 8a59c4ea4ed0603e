/// One HTTP exchange, as the earn client needs it and no more.
public struct HTTPRequest: Sendable {
    public var method = "POST"
    public var url: String
    /// Header lines in order; names as they go on the wire.
    public var headers: [(name: String, value: String)] = []
    public var body: [UInt8] = []
    /// Whole-request timeout in seconds.
    public var timeout: Double = 30

    /// Public so that transports and their tests outside this library can build requests.
    public init(method: String = "POST", url: String, headers: [(name: String, value: String)] = [],
                body: [UInt8] = [], timeout: Double = 30) {
        (self.method, self.url, self.headers, self.body, self.timeout) = (method, url, headers, body, timeout)
    }
}

public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names lower-cased; the last value wins.
    public var headers: [String: String] = [:]
    public var body: [UInt8] = []

    /// Public so that a `Transport` written outside this library can answer.
    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        (self.status, self.headers, self.body) = (status, headers, body)
    }
}

/// Why no HTTP answer came back. All of these are worth a retry: the request may or may not
/// have reached the server, which is exactly what deterministic requestIds make safe.
public enum TransportError: Error, Sendable, Equatable {
    case timeout
    case connection(String)
    /// A configuration problem of the transport itself (bad URL, CA file unreadable): not retried.
    case setup(String)
}

/// The seam between the earn client and the network. Each worker owns one (libcurl keeps one
/// keep-alive connection per handle), so implementations need not be thread-safe; calls block.
public protocol Transport: AnyObject {
    func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse
}
