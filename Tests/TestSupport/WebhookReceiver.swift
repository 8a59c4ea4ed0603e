import Foundation
import Synchronization

/// A chat tool's incoming webhook on 127.0.0.1: answers every request 200 and keeps each
/// request's first line and body, for tests of the real binary's `--notify-url`.
public final class WebhookReceiver: Sendable {
    public struct Received: Sendable {
        public var requestLine: String
        public var body: Data
    }

    public let port: Int
    private let listener: Int32
    private let received = Mutex<[Received]>([])

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var requests: [Received] { received.withLock { $0 } }

    public init() throws {
        port = try FreePort.next()
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else {
            close(listener)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot listen on \(port)"])
        }
        Thread { [self] in acceptLoop() }.start()
    }

    /// Stops accepting: the accept loop ends when the socket is shut down.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 { return }
            serve(fd)
            close(fd)
        }
    }

    /// One request per connection: headers, then Content-Length bytes of body.
    private func serve(_ fd: Int32) {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { return }
            data.append(contentsOf: buffer[0..<count])
            guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { continue }
            let head = String(decoding: data[..<end.lowerBound], as: UTF8.self)
            let length = head.split(separator: "\r\n").compactMap { line -> Int? in
                let parts = line.split(separator: ":", maxSplits: 1)
                guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
                return Int(parts[1].trimmingCharacters(in: .whitespaces))
            }.first ?? 0
            guard data.count - end.upperBound >= length else { continue }
            let body = data[end.upperBound..<(end.upperBound + length)]
            received.withLock {
                $0.append(Received(requestLine: String(head.split(separator: "\r\n").first ?? ""), body: Data(body)))
            }
            let answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
            _ = answer.withCString { write(fd, $0, strlen($0)) }
            return
        }
    }
}
