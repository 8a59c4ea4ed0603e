import EarnAPI
import NIOCore

/// The bodies the mock answers with. The earn API's own bodies are encoded by the shared
/// `EarnAPI` model (so the client's decoder reads exactly what the mock writes); this only
/// moves them into `ByteBuffer`s, and writes the mock's own formats (token, earns log).
enum ResponseBody {
    /// `{"data":null,"errors":[{"code":..,"message":..,"reference":..}],"warnings":null}`
    static func errors(_ errors: [APIError], allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(bytes: ErrorEnvelope(errors: errors).encoded())
    }

    /// `{"data":{"badgeMetaId","customerId","earnedBadgeId","expiresOn","requestId","issuedId"},"errors":[],"warnings":[]}`
    static func earned(badge: ObjectID, customerId: Int64, earnedID: ObjectID, expiresOnMicros: Int64,
                       requestId: String, issuedID: ObjectID?, allocator: ByteBufferAllocator) -> ByteBuffer {
        allocator.buffer(bytes: EarnedBadge.encodedAnswer(
            badgeMetaId: badge.hexBytes, customerId: customerId, earnedBadgeId: earnedID.hexBytes,
            expiresOnMicros: expiresOnMicros, requestId: requestId, issuedId: issuedID?.hexBytes))
    }

    /// `{"data":{"accessToken":"...","ttlSeconds":N},"errors":null}`
    static func token(_ token: String, ttlSeconds: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var json = JSONWriter(capacity: 96 + token.utf8.count)
        json.raw(#"{"data":{"accessToken":"#)
        json.string(token)
        json.raw(#","ttlSeconds":"#)
        json.integer(Int64(ttlSeconds))
        json.raw(#"},"errors":null}"#)
        return allocator.buffer(bytes: json.bytes)
    }

    /// One committed earn as a JSON line (the `/__earns` and `--earns-out` format).
    static func writeEarnLine(_ record: EarnRecord, to out: inout [UInt8]) {
        var json = JSONWriter(capacity: 0)
        swap(&json.bytes, &out)
        defer { swap(&json.bytes, &out) }
        json.raw(#"{"requestId":"#); json.string(record.requestId)
        json.raw(#","badgeMetaId":""#); json.raw(record.badge.hexBytes)
        json.raw(#"","customerId":"#); json.integer(record.customerId)
        json.raw(#","ownerType":"#); json.string(record.ownerType.rawValue)
        json.raw(#","referenceId":"#); json.string(record.referenceId)
        json.raw(#","earnEventDate":"#); json.string(EventInstant(millisecondsSinceEpoch: record.eventMillis).utcString)
        json.raw(#","earnedBadgeId":""#); json.raw(record.earnedID.hexBytes)
        json.raw("\"}\n")
    }
}
