import Dispatch
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A running mock earn API: a real HTTP/1.1 server (keep-alive, one event loop per core) on
/// loopback, started in-process by tests and by `badge-import mock-server`. Call `shutdown()`
/// when done: the event loop threads live until then.
///
/// Endpoints: `POST /api_gateway/v1/badges/customer/earn` and `.../earnBulk`, `POST /v3/oauth/token/generate`,
/// `GET /__stats` (`MockStats` as JSON), `GET /__earns` (committed earns, JSON lines).
public final class MockEarnServer: Sendable {
    /// The earn endpoint's path (append to `baseURL`).
    public static let earnPath = MockEarnHandler.earnPath
    /// The bulk earn endpoint's path.
    public static let earnBulkPath = MockEarnHandler.earnBulkPath
    /// The OAuth token endpoint's path.
    public static let tokenPath = MockEarnHandler.tokenPath

    public let host: String
    public let port: Int
    /// `http://HOST:PORT`, no trailing slash.
    public let baseURL: String

    private let service: MockEarnService
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let phase = Mutex<Phase>(.running)
    private let stopped = DispatchSemaphore(value: 0)

    private enum Phase { case running, stopping, stopped }

    private init(host: String, port: Int, service: MockEarnService, group: MultiThreadedEventLoopGroup, channel: any Channel) {
        self.host = host
        self.port = port
        self.baseURL = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        self.service = service
        self.group = group
        self.channel = channel
    }

    /// Binds and returns once the server is listening. Throws `MockConfigurationError` for a
    /// configuration that cannot work, or the bind error.
    public static func start(_ configuration: MockConfiguration) throws -> MockEarnServer {
        try configuration.validate()
        let service = MockEarnService(configuration: configuration)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads ?? System.coreCount)
        let maxBodyBytes = configuration.maxBodyBytes
        do {
            let channel = try ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 512)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
                .childChannelOption(.maxMessagesPerRead, value: 16)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true,
                                                                                       withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(
                            MockEarnHandler(service: service, maxBodyBytes: maxBodyBytes))
                    }
                }
                .bind(host: configuration.host, port: configuration.port)
                .wait()
            guard let port = channel.localAddress?.port else {
                throw MockConfigurationError("the server socket has no port")
            }
            return MockEarnServer(host: configuration.host, port: port, service: service, group: group, channel: channel)
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
    }

    /// Counters by outcome (the same as `GET /__stats`).
    public func stats() -> MockStats { service.stats() }

    /// Committed earns in commit order (the same as `GET /__earns`).
    public func committedEarns() -> [CommittedEarn] { service.committedEarns() }

    /// Writes the committed earns as JSON lines (`--earns-out`), replacing the file.
    public func writeCommittedEarns(toFile path: String) throws {
        try Data(service.earnsJSONLines()).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Stops listening, closes every connection and the event loops. Safe to call more than
    /// once and from any thread except the server's own event loops.
    public func shutdown() {
        let first = phase.withLock { phase -> Bool in
            guard phase == .running else { return false }
            phase = .stopping
            return true
        }
        guard first else {
            waitUntilShutdown()
            return
        }
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
        phase.withLock { $0 = .stopped }
        stopped.signal()
    }

    /// Blocks until `shutdown()` has completed (for the subcommand, whose signal handler stops it).
    public func waitUntilShutdown() {
        stopped.wait()
        stopped.signal()  // let every other waiter through too
    }
}
