import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny blocking HTTP/1.1 client over a POSIX socket, for talking to the mock the way an
/// importer worker does: one keep-alive connection, one request at a time. Written by hand so a
/// connection closed without an answer is seen as exactly that (URLSession/libcurl may silently
/// retry it), and so the test can count how many connections it needed.
final class TestHTTPClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as a JSON object (empty if it is not one).
        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }

        /// `errors[].code` of an error envelope.
        var errorCodes: [Int] {
            (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? Int }
        }

        var data: [String: Any]? { json["data"] as? [String: Any] }
    }

    enum Failure: Error, Equatable {
        case connectFailed(Int32)
        /// The server closed the connection without (a complete) answer.
        case closedWithoutAnswer
        case timedOut
        case malformedResponse(String)
    }

    let port: Int
    private let timeoutSeconds: Double
    private var socket: Int32 = -1
    private var pending: [UInt8] = []
    /// How many TCP connections this client opened so far (keep-alive keeps it at 1).
    private(set) var connectionsOpened = 0
    /// Statuses of interim (1xx) answers seen, e.g. 100 for `Expect: 100-continue`.
    private(set) var interimStatuses: [Int] = []

    init(port: Int, timeoutSeconds: Double = 10) {
        self.port = port
        self.timeoutSeconds = timeoutSeconds
    }

    deinit { close() }

    func close() {
        if socket >= 0 { _ = Glibc.close(socket) }
        socket = -1
        pending = []
    }

    private func connectIfNeeded() throws {
        guard socket < 0 else { return }
        let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure.connectFailed(errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw Failure.connectFailed(code)
        }
        var timeout = timeval(tv_sec: Int(timeoutSeconds), tv_usec: Int((timeoutSeconds - Double(Int(timeoutSeconds))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        socket = fd
        connectionsOpened += 1
    }

    /// Sends one request and reads its answer. A connection the server closed without answering
    /// throws `.closedWithoutAnswer` and is dropped; the next call connects again.
    func send(_ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil) throws -> Response {
        try connectIfNeeded()
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        let bodyBytes = Array((body ?? "").utf8)
        if body != nil || method == "POST" {
            request += "Content-Type: application/json\r\nContent-Length: \(bodyBytes.count)\r\n"
        }
        request += "\r\n"
        let bytes = Array(request.utf8) + bodyBytes
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else {
                close()
                throw Failure.closedWithoutAnswer
            }
            sent += n
        }
        do {
            return try readResponse()
        } catch {
            close()
            throw error
        }
    }

    func post(_ path: String, headers: [String: String] = [:], body: String) throws -> Response {
        try send("POST", path, headers: headers, body: body)
    }

    func get(_ path: String) throws -> Response {
        try send("GET", path)
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
        if n > 0 {
            pending.append(contentsOf: chunk[0..<n])
            return
        }
        if n == 0 { throw Failure.closedWithoutAnswer }
        if errno == EAGAIN || errno == EWOULDBLOCK { throw Failure.timedOut }
        if errno == EINTR { return }
        throw Failure.closedWithoutAnswer
    }

    private func readResponse() throws -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headerEnd: Int?
        while headerEnd == nil {
            if pending.count >= 4 {
                for i in 0...(pending.count - 4) where pending[i..<i + 4].elementsEqual(separator) {
                    headerEnd = i
                    break
                }
            }
            if headerEnd == nil { try fill() }
        }
        let headText = String(decoding: pending[0..<headerEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else {
            throw Failure.malformedResponse(headText)
        }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if (100...199).contains(status) {
            interimStatuses.append(status)
            pending.removeFirst(headerEnd! + 4)
            return try readResponse()
        }
        guard let length = headers["content-length"].flatMap(Int.init) else {
            throw Failure.malformedResponse("no content-length")
        }
        let bodyStart = headerEnd! + 4
        while pending.count < bodyStart + length { try fill() }
        let body = Data(pending[bodyStart..<bodyStart + length])
        pending.removeFirst(bodyStart + length)
        if headers["connection"]?.lowercased() == "close" { close() }
        return Response(status: status, headers: headers, body: body)
    }
}
