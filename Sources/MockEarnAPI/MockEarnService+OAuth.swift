import Foundation
import EarnAPI
import NIOCore
import NIOHTTP1

/// The OAuth token endpoint of the mock: `POST /v3/oauth/token/generate {"key","secret"}`.
extension MockEarnService {
    func token(body: ByteBuffer, allocator: ByteBufferAllocator) -> MockReply {
        guard let request = body.withUnsafeReadableBytes({ TokenRequestBody.decode($0) }) else {
            return .json(.badRequest, ResponseBody.errors(
                [APIError(code: Code.malformedBody, message: "Request body is not a valid JSON object", reference: nil)],
                allocator: allocator))
        }
        let accepted: Bool
        if let client = configuration.oauth {
            accepted = request.key == client.key && request.secret == client.secret
        } else {
            accepted = !authEnabled  // auth off: any client gets a (useless but harmless) token
        }
        guard accepted else {
            return .json(.unauthorized, ResponseBody.errors(
                [APIError(code: 320001, message: "Invalid key or secret", reference: nil)], allocator: allocator))
        }
        let ttl = configuration.tokenTTLSeconds
        let expiry = configuration.clock.wallNow() + Double(ttl)
        let token: String = state.withLock { state in
            let token = Self.makeToken(random: &state.tokenRandom, expiry: expiry)
            state.tokens[token] = expiry
            state.stats.tokensIssued += 1
            return token
        }
        return .json(.ok, ResponseBody.token(token, ttlSeconds: ttl, allocator: allocator))
    }

    /// JWT-shaped (header.payload.signature) so clients that peek at it are not surprised;
    /// the mock only ever looks it up.
    private static func makeToken(random: inout SplitMix64, expiry: Double) -> String {
        func base64URL(_ text: String) -> String {
            Data(text.utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let id = String(random.next(), radix: 16)
        let header = base64URL(#"{"alg":"HS256","typ":"JWT"}"#)
        let payload = base64URL(#"{"iss":"mock-earn-api","jti":"\#(id)","exp":\#(Int64(expiry))}"#)
        let signature = String(random.next(), radix: 16) + String(random.next(), radix: 16)
        return "\(header).\(payload).\(signature)"
    }
}
