import NIOCore

/// One entry of the API's `errors` array.
struct APIError: Equatable {
    var code: Int
    var message: String
    /// The field path the error is about, or nil.
    var reference: String?
}

/// The bodies the mock answers with, written straight into `ByteBuffer`s from pre-encoded
/// constant parts (no JSON encoder on the hot path). Shapes follow earn-api.md exactly.
enum ResponseBody {
    /// `{"data":null,"errors":[{"code":..,"message":..,"reference":..}],"warnings":null}`
    static func errors(_ errors: [APIError], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 96 + errors.count * 96)
        buffer.writeStaticString(#"{"data":null,"errors":["#)
        for (index, error) in errors.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            buffer.writeStaticString(#"{"code":"#)
            buffer.writeString(String(error.code))
            buffer.writeStaticString(#","message":"#)
            writeJSONString(error.message, to: &buffer)
            buffer.writeStaticString(#","reference":"#)
            if let reference = error.reference { writeJSONString(reference, to: &buffer) } else { buffer.writeStaticString("null") }
            buffer.writeStaticString("}")
        }
        buffer.writeStaticString(#"],"warnings":null}"#)
        return buffer
    }

    /// `{"data":{"badgeMetaId","customerId","earnedBadgeId","expiresOn","requestId","issuedId"},"errors":[],"warnings":[]}`
    static func earned(badge: ObjectID, customerId: Int64, earnedID: ObjectID, expiresOnMicros: Int64,
                       requestId: String, issuedID: ObjectID?, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 256 + requestId.utf8.count)
        buffer.writeStaticString(#"{"data":{"badgeMetaId":""#)
        buffer.writeBytes(badge.hexBytes)
        buffer.writeStaticString(#"","customerId":"#)
        buffer.writeString(String(customerId))
        buffer.writeStaticString(#","earnedBadgeId":""#)
        buffer.writeBytes(earnedID.hexBytes)
        buffer.writeStaticString(#"","expiresOn":"#)
        writeSecondsWithNanos(micros: expiresOnMicros, to: &buffer)
        buffer.writeStaticString(#","requestId":"#)
        writeJSONString(requestId, to: &buffer)
        buffer.writeStaticString(#","issuedId":"#)
        if let issuedID {
            buffer.writeStaticString("\"")
            buffer.writeBytes(issuedID.hexBytes)
            buffer.writeStaticString("\"")
        } else {
            buffer.writeStaticString("null")
        }
        buffer.writeStaticString(#"},"errors":[],"warnings":[]}"#)
        return buffer
    }

    /// `{"data":{"accessToken":"...","ttlSeconds":N},"errors":null}`
    static func token(_ token: String, ttlSeconds: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 96 + token.utf8.count)
        buffer.writeStaticString(#"{"data":{"accessToken":"#)
        writeJSONString(token, to: &buffer)
        buffer.writeStaticString(#","ttlSeconds":"#)
        buffer.writeString(String(ttlSeconds))
        buffer.writeStaticString(#"},"errors":null}"#)
        return buffer
    }

    /// One committed earn as a JSON line (the `/__earns` and `--earns-out` format).
    static func writeEarnLine(_ record: EarnRecord, to out: inout [UInt8]) {
        func put(_ text: StaticString) { text.withUTF8Buffer { out.append(contentsOf: $0) } }
        func putString(_ text: String) {
            out.append(UInt8(ascii: "\""))
            appendEscaped(text, to: &out)
            out.append(UInt8(ascii: "\""))
        }
        put(#"{"requestId":"#); putString(record.requestId)
        put(#","badgeMetaId":""#); out.append(contentsOf: record.badge.hexBytes)
        put(#"","customerId":"#); out.append(contentsOf: String(record.customerId).utf8)
        put(#","ownerType":"#); putString(record.ownerType.rawValue)
        put(#","referenceId":"#); putString(record.referenceId)
        put(#","earnEventDate":"#); putString(EarnTimestamp.format(millis: record.eventMillis))
        put(#","earnedBadgeId":""#); out.append(contentsOf: record.earnedID.hexBytes)
        put("\"}\n")
    }

    /// `1726809439.822462000`: epoch seconds with a nine-digit fraction, as the API shows it.
    static func writeSecondsWithNanos(micros: Int64, to buffer: inout ByteBuffer) {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        buffer.writeString(String(seconds))
        buffer.writeStaticString(".")
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: 9)
        var rest = fraction
        for index in stride(from: 5, through: 0, by: -1) {
            digits[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        buffer.writeBytes(digits)
    }

    static func writeJSONString(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeStaticString("\"")
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            buffer.writeString(text)
        } else {
            var escaped: [UInt8] = []
            appendEscaped(text, to: &escaped)
            buffer.writeBytes(escaped)
        }
        buffer.writeStaticString("\"")
    }

    static func appendEscaped(_ text: String, to out: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0a: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0d: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(Hex.digits[Int(byte >> 4)])
                out.append(Hex.digits[Int(byte & 0xf)])
            default: out.append(byte)
            }
        }
    }
}
