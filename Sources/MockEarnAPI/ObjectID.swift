/// A 24-hex id (MongoDB ObjectId shape) held in 12 bytes: badge ids, earned ids, issued ids.
/// Compact on purpose: a million committed earns hold three of these each.
struct ObjectID: Hashable, Sendable {
    var high: UInt64
    var low: UInt32

    init(high: UInt64, low: UInt32) {
        self.high = high
        self.low = low
    }

    /// Parses exactly 24 hex digits (either case); nil otherwise.
    init?<Bytes: Collection>(hex: Bytes) where Bytes.Element == UInt8 {
        guard hex.count == 24 else { return nil }
        var high: UInt64 = 0
        var low: UInt32 = 0
        var index = 0
        for char in hex {
            guard let value = Hex.value(char) else { return nil }
            if index < 16 { high = high << 4 | UInt64(value) } else { low = low << 4 | UInt32(value) }
            index += 1
        }
        self.init(high: high, low: low)
    }

    init?(_ text: String) { self.init(hex: text.utf8) }

    /// The 24 lower-case hex bytes.
    var hexBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 24)
        for i in 0..<16 { out[i] = Hex.digits[Int(high >> UInt64(60 - 4 * i) & 0xf)] }
        for i in 0..<8 { out[16 + i] = Hex.digits[Int(low >> UInt32(28 - 4 * i) & 0xf)] }
        return out
    }

    var hexString: String { String(decoding: hexBytes, as: UTF8.self) }
}
