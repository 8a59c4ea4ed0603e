import EarnAPI
import NIOCore
import NIOHTTP1

/// The HTTP side of the mock: collects a request, routes it to `MockEarnService`, and writes the
/// reply, later if the reply carries a delay (the event loop's timer, never a blocked thread).
/// The pipeline is set up with pipelining assistance, so a delayed answer also holds back the
/// next request on the same connection, as a real server would.
final class MockEarnHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    static let earnPath = "/api_gateway/v1/badges/customer/earn"
    static let earnBulkPath = "/api_gateway/v1/badges/customer/earnBulk"
    static let tokenPath = "/v3/oauth/token/generate"
    static let statsPath = "/__stats"
    static let earnsPath = "/__earns"
    static let forgetPath = "/__forget"
    static let issuePath = "/__issue"
    static let badgeMetaPrefix = "/api_gateway/v1/badges/badgeMeta/"
    static let customerPrefix = "/api_gateway/v1/badges/customer/"

    private let service: MockEarnService
    private let maxBodyBytes: Int
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false

    init(service: MockEarnService, maxBodyBytes: Int) {
        self.service = service
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = nil
            bodyTooLarge = false
            // curl and libcurl wait up to a second for this before sending a larger body.
            if requestHead.headers.first(name: "expect")?.lowercased() == "100-continue" {
                let interim = HTTPResponseHead(version: requestHead.version, status: .continue)
                context.writeAndFlush(wrapOutboundOut(.head(interim)), promise: nil)
            }
        case .body(var chunk):
            guard !bodyTooLarge else { return }
            if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
            if body!.readableBytes > maxBodyBytes {
                bodyTooLarge = true
                body = nil
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            let requestBody = body ?? context.channel.allocator.buffer(capacity: 0)
            body = nil
            let isEarn = requestHead.method == .POST && requestHead.uri.hasPrefix(Self.earnPath)
            if isEarn { service.earnStarted() }
            let reply = route(requestHead, body: requestBody, allocator: context.channel.allocator)
            send(reply, keepAlive: requestHead.isKeepAlive, context: context, isEarn: isEarn)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func route(_ head: HTTPRequestHead, body: ByteBuffer, allocator: ByteBufferAllocator) -> MockReply {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if bodyTooLarge {
            return error(.payloadTooLarge, code: MockEarnService.Code.tooLarge, "Request body too large", allocator)
        }
        switch (head.method, path) {
        case (.POST, Self.earnPath):
            return service.earn(authorization: head.headers.first(name: "authorization"),
                                oauthToken: head.headers.first(name: "x-cap-api-oauth-token"),
                                body: body, allocator: allocator)
        case (.POST, Self.earnBulkPath):
            return service.earnBulk(authorization: head.headers.first(name: "authorization"),
                                    oauthToken: head.headers.first(name: "x-cap-api-oauth-token"),
                                    body: body, allocator: allocator)
        case (.POST, Self.tokenPath):
            return service.token(body: body, allocator: allocator)
        case (.GET, Self.statsPath):
            var buffer = allocator.buffer(capacity: 512)
            buffer.writeBytes(service.statsJSON())
            return .json(.ok, buffer)
        case (.GET, Self.earnsPath):
            let lines = service.earnsJSONLines()
            var buffer = allocator.buffer(capacity: lines.count)
            buffer.writeBytes(lines)
            return MockReply(action: .respond(.ok, buffer, retryAfterSeconds: nil, contentType: "application/x-ndjson"))
        case (.POST, Self.forgetPath):
            return service.forget(body: body, allocator: allocator)
        case (.POST, Self.issuePath):
            return service.issue(body: body, allocator: allocator)
        case (_, Self.earnPath), (_, Self.earnBulkPath), (_, Self.tokenPath), (_, Self.statsPath), (_, Self.earnsPath),
             (_, Self.forgetPath), (_, Self.issuePath):
            return error(.methodNotAllowed, code: MockEarnService.Code.methodNotAllowed, "Method not allowed", allocator)
        default:
            return read(head, path: path, allocator: allocator)
        }
    }

    /// The two GETs under `/api_gateway/v1/badges/`, with the id as the last path segment.
    private func read(_ head: HTTPRequestHead, path: String, allocator: ByteBufferAllocator) -> MockReply {
        let authorization = head.headers.first(name: "authorization"), token = head.headers.first(name: "x-cap-api-oauth-token")
        for (prefix, isBadge) in [(Self.badgeMetaPrefix, true), (Self.customerPrefix, false)] where path.hasPrefix(prefix) {
            let id = String(path.dropFirst(prefix.count))
            guard !id.isEmpty, !id.contains("/") else { break }
            guard head.method == .GET else {
                return error(.methodNotAllowed, code: MockEarnService.Code.methodNotAllowed, "Method not allowed", allocator)
            }
            return isBadge
                ? service.badgeDefinition(id: id, authorization: authorization, oauthToken: token, allocator: allocator)
                : service.customerBadges(customer: id, authorization: authorization, oauthToken: token, allocator: allocator)
        }
        return error(.notFound, code: MockEarnService.Code.notFound, "No such endpoint", allocator)
    }

    private func error(_ status: HTTPResponseStatus, code: Int, _ message: String, _ allocator: ByteBufferAllocator) -> MockReply {
        .json(status, ResponseBody.errors([APIError(code: code, message: message, reference: nil)], allocator: allocator))
    }

    private func send(_ reply: MockReply, keepAlive: Bool, context: ChannelHandlerContext, isEarn: Bool) {
        let service = self.service
        guard reply.delayNanos > 0 else {
            Self.write(reply.action, keepAlive: keepAlive, context: context)
            if isEarn { service.earnAnswered() }
            return
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let action = NIOLoopBound(reply.action, eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .nanoseconds(reply.delayNanos)) {
            Self.write(action.value, keepAlive: keepAlive, context: bound.value)
            if isEarn { service.earnAnswered() }
        }
    }

    private static func write(_ action: MockReply.Action, keepAlive: Bool, context: ChannelHandlerContext) {
        switch action {
        case .drop:
            context.close(promise: nil)
        case .respond(let status, let body, let retryAfter, let contentType):
            var headers = HTTPHeaders()
            headers.reserveCapacity(4)
            headers.add(name: "content-type", value: contentType)
            headers.add(name: "content-length", value: String(body.readableBytes))
            if let retryAfter { headers.add(name: "retry-after", value: String(retryAfter)) }
            if !keepAlive { headers.add(name: "connection", value: "close") }
            let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
            context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
            context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(body))), promise: nil)
            let written = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
            if !keepAlive {
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                written.whenComplete { _ in bound.value.close(promise: nil) }
            }
        }
    }
}
