import EarnAPI
import NIOCore

/// What a test or a demo tells the mock to change behind the importer's back, to prove the
/// importer notices: forget an earn (`verify` must find it missing) and issue a badge to a
/// customer (an 811 clears). Bodies are earn-shaped JSON; no credentials (loopback only).
extension MockEarnService {
    /// `POST /__forget {"requestId":"..."}`: the earn is gone, as if the CRM had lost it; its
    /// requestId is free again. 404 when the mock holds no earn under that id.
    func forget(body: ByteBuffer, allocator: ByteBufferAllocator) -> MockReply {
        guard let request = body.withUnsafeReadableBytes({ EarnRequestBody.decode($0) }), let requestId = request.requestId else {
            return .json(.badRequest, ResponseBody.errors(
                [APIError(code: Code.malformedBody, message: #"expected {"requestId":"..."}"#, reference: nil)], allocator: allocator))
        }
        let found: Bool = state.withLock { state in
            guard state.acceptedRequestIds.remove(requestId) != nil,
                  let position = state.records.indices.last(where: { state.records[$0].requestId == requestId && !state.forgotten.contains($0) })
            else { return false }
            state.forgotten.insert(position)
            state.earnsByCustomer?[state.records[position].customerId]?.removeAll { $0 == position }
            return true
        }
        guard found else {
            return .json(.notFound, ResponseBody.errors(
                [APIError(code: Code.notFound, message: "No earn with that requestId", reference: "requestId")], allocator: allocator))
        }
        return .json(.ok, allocator.buffer(string: #"{"forgotten":1}"#))
    }

    /// `POST /__issue {"badgeMetaId":"...","customerId":N}`: the customer is enrolled for an
    /// issue-and-earn badge, as `issueBulk` would do; its earns stop answering 811.
    func issue(body: ByteBuffer, allocator: ByteBufferAllocator) -> MockReply {
        guard let request = body.withUnsafeReadableBytes({ EarnRequestBody.decode($0) }),
              let badge = request.badgeMetaId.flatMap(ObjectID.init), case .value(let customerId) = request.customerId else {
            return .json(.badRequest, ResponseBody.errors(
                [APIError(code: Code.malformedBody, message: #"expected {"badgeMetaId":"<24 hex>","customerId":N}"#, reference: nil)],
                allocator: allocator))
        }
        state.withLock { _ = $0.issued.insert(IssueKey(badge: badge, customerId: customerId)) }
        return .json(.ok, allocator.buffer(string: #"{"issued":true}"#))
    }
}
