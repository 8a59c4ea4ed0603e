import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny HTTP/1.1 server on 127.0.0.1 (port 0) for testing the real libcurl transport:
/// keep-alive, scripted replies, and counters for connections and requests in flight at once.
/// One thread per connection: simple and slow, for behaviour, never for benchmarks. Call `stop()`.
final class LoopbackHTTPServer: @unchecked Sendable {
    struct Request: Sendable {
        var method: String
        var path: String
        /// Names lower-cased.
        var headers: [String: String]
        var body: [UInt8]
        var connection: Int
    }

    struct Reply: Sendable {
        enum Action: Sendable {
            case respond, closeWithoutAnswer
            /// A 200 whose chunked body never ends: 64 KB chunks until the client goes away.
            case endlessBody
            /// A 200 whose header block never ends: 1 KB header lines until the client goes away.
            case endlessHeaders
        }
        var status: Int = 200
        var headers: [(String, String)] = [("Content-Type", "application/json")]
        var body: String = ""
        /// Seconds to wait before answering (or closing).
        var delay: Double = 0
        /// Hold the answer until this many requests are in flight (or 5 s pass).
        var holdUntilInFlight: Int? = nil
        var action: Action = .respond
        /// Close the connection right after answering (as a proxy closing idle connections does).
        var closeAfterAnswer = false

        static func json(_ status: Int, _ body: String, headers: [(String, String)] = []) -> Reply {
            Reply(status: status, headers: [("Content-Type", "application/json")] + headers, body: body)
        }
    }

    private let lock = NSCondition()
    private let listener: Int32
    let port: Int
    private let handler: @Sendable (Request) -> Reply
    private var openSockets: Set<Int32> = []
    private var stopped = false
    private let acceptLoopDone = DispatchSemaphore(value: 0)
    private var _connections = 0
    private var _requests: [Request] = []
    private var _inFlight = 0
    private var _maxInFlight = 0

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var connections: Int { lock.withLock { _connections } }
    var requests: [Request] { lock.withLock { _requests } }
    var maxInFlight: Int { lock.withLock { _maxInFlight } }

    init(handler: @escaping @Sendable (Request) -> Reply) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// A server answering from a fixed list, in order; the last reply repeats.
    convenience init(script: [Reply]) throws {
        let queue = ReplyQueue(script)
        try self.init(handler: { _ in queue.next() })
    }

    /// Stops accepting and cuts open connections; returns once the listening socket is closed.
    /// Sockets are shut down and closed only under the lock, so a number the kernel hands out
    /// again to another test's socket is never touched by this server.
    func stop() {
        let wasStopped: Bool = lock.withLock {
            let was = stopped
            stopped = true
            lock.broadcast()
            for fd in openSockets { shutdown(fd, Int32(SHUT_RDWR)) }
            return was
        }
        guard !wasStopped else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        acceptLoopDone.wait()
    }

    private func acceptLoop() {
        defer {
            close(listener)
            acceptLoopDone.signal()
        }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR, !lock.withLock({ stopped }) { continue }
                return
            }
            let id: Int? = lock.withLock {
                if stopped { return nil }
                _connections += 1
                openSockets.insert(fd)
                return _connections
            }
            guard let id else { close(fd); return }
            let thread = Thread { [self] in serve(fd, connection: id) }
            thread.start()
        }
    }

    private func serve(_ fd: Int32, connection: Int) {
        defer {
            lock.withLock {
                openSockets.remove(fd)
                close(fd)
            }
        }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            // Read one request: head up to the blank line, then Content-Length bytes of body.
            var headEnd: Int?
            while headEnd == nil {
                headEnd = Self.find([13, 10, 13, 10], in: buffer)
                if headEnd != nil { break }
                let count = recv(fd, &chunk, chunk.count, 0)
                if count <= 0 { return }
                buffer.append(contentsOf: chunk[0..<count])
            }
            let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let requestLine = lines.removeFirst().split(separator: " ")
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            let bodyStart = headEnd! + 4
            while buffer.count < bodyStart + length {
                let count = recv(fd, &chunk, chunk.count, 0)
                if count <= 0 { return }
                buffer.append(contentsOf: chunk[0..<count])
            }
            let request = Request(method: requestLine.first.map(String.init) ?? "", path: requestLine.dropFirst().first.map(String.init) ?? "",
                                  headers: headers, body: Array(buffer[bodyStart..<(bodyStart + length)]), connection: connection)
            buffer.removeFirst(bodyStart + length)

            lock.withLock {
                _requests.append(request)
                _inFlight += 1
                _maxInFlight = max(_maxInFlight, _inFlight)
                lock.broadcast()
            }
            let reply = handler(request)
            if let target = reply.holdUntilInFlight {
                let deadline = Date().addingTimeInterval(5)
                lock.withLock {
                    while _maxInFlight < target && !stopped && lock.wait(until: deadline) {}
                }
            }
            if reply.delay > 0 { Thread.sleep(forTimeInterval: reply.delay) }
            defer { lock.withLock { _inFlight -= 1 } }
            if reply.action == .closeWithoutAnswer { return }
            if reply.action == .endlessBody || reply.action == .endlessHeaders {
                streamForever(fd, headers: reply.action == .endlessHeaders)
                return
            }

            let body = Array(reply.body.utf8)
            var text = "HTTP/1.1 \(reply.status) \(Self.reason(reply.status))\r\n"
            for (name, value) in reply.headers { text += "\(name): \(value)\r\n" }
            text += "Content-Length: \(body.count)\r\n\r\n"
            let bytes = Array(text.utf8) + body
            var sent = 0
            while sent < bytes.count {
                let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if count <= 0 { return }
                sent += count
            }
            if reply.closeAfterAnswer { return }
        }
    }

    /// Sends an answer that never ends, until a send fails (the client closed) or `stop()`.
    private func streamForever(_ fd: Int32, headers endlessHeaders: Bool) {
        func write(_ bytes: [UInt8]) -> Bool {
            var sent = 0
            while sent < bytes.count {
                if lock.withLock({ stopped }) { return false }
                let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if count <= 0 { return false }
                sent += count
            }
            return true
        }
        if endlessHeaders {
            guard write(Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n".utf8)) else { return }
            let line = Array(("X-Filler: " + String(repeating: "a", count: 1_000) + "\r\n").utf8)
            while write(line) {}
            return
        }
        guard write(Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)) else { return }
        let chunk = Array("10000\r\n".utf8) + [UInt8](repeating: 0x20, count: 0x10000) + Array("\r\n".utf8)
        while write(chunk) {}
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }

    private static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 409: return "Conflict"
        case 429: return "Too Many Requests"
        case 498: return "Invalid Token"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

/// Scripted replies handed out in order; the last one repeats.
final class ReplyQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var replies: [LoopbackHTTPServer.Reply]

    init(_ replies: [LoopbackHTTPServer.Reply]) { self.replies = replies }

    func next() -> LoopbackHTTPServer.Reply {
        lock.withLock { replies.count > 1 ? replies.removeFirst() : replies[0] }
    }
}
