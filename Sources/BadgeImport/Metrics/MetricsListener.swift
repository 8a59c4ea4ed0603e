import NIOCore
import NIOHTTP1
import NIOPosix

/// `--metrics-listen`: `/metrics` over HTTP while the run lasts, for a Prometheus that scrapes
/// pods. One event-loop thread: a scrape every few seconds needs no more, and the exposition is
/// rendered on that thread from the registry (its own lock), never touching the workers.
final class MetricsListener: Sendable {
    let address: ListenAddress
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// Binds at once, so a port in use is a configuration error before any request.
    init(_ requested: ListenAddress, exposition: @escaping @Sendable () -> String) throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            channel = try ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(Handler(exposition: exposition))
                    }
                }
                .bind(host: requested.host, port: requested.port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw error
        }
        self.group = group
        var bound = requested
        bound.port = channel.localAddress?.port ?? requested.port
        address = bound
    }

    func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let exposition: @Sendable () -> String
        private var head: HTTPRequestHead?

        init(exposition: @escaping @Sendable () -> String) { self.exposition = exposition }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let requestHead): head = requestHead
            case .body: break
            case .end:
                guard let request = head else { return }
                head = nil
                let path = request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.uri
                let found = path == "/metrics" && (request.method == .GET || request.method == .HEAD)
                let text = found ? exposition() : "badge-import serves only GET /metrics\n"
                var headers = HTTPHeaders()
                headers.add(name: "Content-Type", value: found ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain")
                headers.add(name: "Content-Length", value: String(text.utf8.count))
                if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
                let status: HTTPResponseStatus = found ? .ok : .notFound
                context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
                              promise: nil)
                if request.method != .HEAD {
                    context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: text)))), promise: nil)
                }
                let keepAlive = request.isKeepAlive
                context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                    if !keepAlive { context.close(promise: nil) }
                }
            }
        }
    }
}
