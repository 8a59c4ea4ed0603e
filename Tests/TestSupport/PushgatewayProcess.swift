import BadgeImport
import Foundation

/// The real Prometheus Pushgateway (Debian's `prometheus-pushgateway`) on a free loopback
/// port, for as long as the value lives. Tests that need it are enabled only when the binary
/// is installed (`.ci/run` installs it), and say so when they are skipped.
public final class PushgatewayProcess {
    public static let binary = "/usr/bin/prometheus-pushgateway"
    public static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: binary) }
    public static let skipReason = "prometheus-pushgateway is not installed (apt-get install prometheus-pushgateway)"

    public let baseURL: String
    private let process = Process()

    public init() throws {
        let port = try FreePort.next()
        baseURL = "http://127.0.0.1:\(port)"
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["--web.listen-address=127.0.0.1:\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if (try? HTTPGet.fetch(baseURL + "/-/ready"))?.status == 200 { return }
            usleep(50_000)
        }
        process.terminate()
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "the Pushgateway did not get ready"])
    }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }

    /// Everything the gateway holds, as it would be scraped.
    public func metrics() throws -> PrometheusText {
        PrometheusText(try HTTPGet.text(baseURL + "/metrics"))
    }
}

/// A GET over the project's own libcurl transport.
public enum HTTPGet {
    public static func fetch(_ url: String) throws -> HTTPResponse {
        try CurlTransport().send(HTTPRequest(method: "GET", url: url, timeout: 5))
    }

    public static func text(_ url: String) throws -> String {
        String(decoding: try fetch(url).body, as: UTF8.self)
    }
}

/// A loopback port nobody listens on right now (bound, read back, closed).
public enum FreePort {
    public static func next() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "no free port"]) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
