/// An ISO 8601 instant as the earn API takes it: parsed strictly, checked against the real
/// calendar (`2023-02-30` is not a date), normalised to UTC milliseconds. Parsed by hand because
/// every input row and every earn request carries one, and Foundation's formatters cost more
/// than the rest of that work.
///
/// Always: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits (truncated to
/// milliseconds, the API's precision), then `Z` or an offset as `rules` allow. Anything else
/// (`yesterday`, a missing zone, second 60) is invalid.
public struct EventInstant: Sendable, Equatable, Comparable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

    public static func < (a: EventInstant, b: EventInstant) -> Bool { a.millisecondsSinceEpoch < b.millisecondsSinceEpoch }

    public init?(iso8601 text: String, rules: InstantRules = .inputFile) {
        var text = text
        guard let value = text.withUTF8({ EventInstant.parse($0, rules: rules) }) else { return nil }
        self = value
    }

    public static func parse(_ b: UnsafeBufferPointer<UInt8>, rules: InstantRules = .inputFile) -> EventInstant? {
        let n = b.count
        guard n >= 10 else { return nil }
        @inline(__always) func digits(_ at: Int, _ count: Int) -> Int? {
            var v = 0
            for k in at..<(at + count) {
                let c = b[k] &- 0x30
                guard c < 10 else { return nil }
                v = v * 10 + Int(c)
            }
            return v
        }
        guard let year = digits(0, 4), b[4] == 0x2D, let month = digits(5, 2), b[7] == 0x2D, let day = digits(8, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              year >= 1 || !rules.fourDigitYearsOnly else { return nil }
        let dayStart = Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400_000
        if n == 10 {
            switch rules.bareDate {
            case .refused: return nil
            case .startOfDay: return EventInstant(millisecondsSinceEpoch: dayStart)
            case .endOfDay: return EventInstant(millisecondsSinceEpoch: dayStart + 86_399_999)
            }
        }
        guard n >= 20, b[10] == 0x54 || (rules.lowercaseDesignators && b[10] == 0x74),
              let hour = digits(11, 2), b[13] == 0x3A, let minute = digits(14, 2),
              b[16] == 0x3A, let second = digits(17, 2), hour < 24, minute < 60, second < 60 else { return nil }
        var i = 19
        var millis = 0
        if b[i] == 0x2E {
            i += 1
            let start = i
            while i < n, b[i] &- 0x30 < 10 { i += 1 }
            let count = i - start
            guard count >= 1, count <= 9 else { return nil }
            var scale = 100
            for k in start..<min(start + 3, i) { millis += Int(b[k] - 0x30) * scale; scale /= 10 }
        }
        guard i < n, let (offsetMinutes, zoneLength) = zone(b, at: i, rules: rules), i + zoneLength == n else { return nil }
        let seconds = Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        let instant = EventInstant(millisecondsSinceEpoch: dayStart + seconds * 1000 + Int64(millis))
        if rules.fourDigitYearsOnly {
            guard instant.millisecondsSinceEpoch >= EventInstant.minimum,
                  instant.millisecondsSinceEpoch <= EventInstant.maximum else { return nil }
        }
        return instant
    }

    /// The zone designator at `i`: its offset east of UTC in minutes and its length in bytes.
    private static func zone(_ b: UnsafeBufferPointer<UInt8>, at i: Int, rules: InstantRules) -> (Int, Int)? {
        let c = b[i]
        if c == 0x5A || (rules.lowercaseDesignators && c == 0x7A) { return (0, 1) }
        guard rules.zone == .utcOrOffset, c == 0x2B || c == 0x2D else { return nil }
        let rest = b.count - i
        @inline(__always) func two(_ at: Int) -> Int? {
            let h = b[at] &- 0x30, l = b[at + 1] &- 0x30
            return h < 10 && l < 10 ? Int(h) * 10 + Int(l) : nil
        }
        let hours: Int?, minutes: Int?, length: Int
        if rest >= 6, b[i + 3] == 0x3A {
            (hours, minutes, length) = (two(i + 1), two(i + 4), 6)
        } else if rules.offsetWithoutColon, rest >= 5 {
            (hours, minutes, length) = (two(i + 1), two(i + 3), 5)
        } else {
            return nil
        }
        guard let hours, let minutes, hours < 24, minutes < 60 else { return nil }
        return ((hours * 60 + minutes) * (c == 0x2D ? -1 : 1), length)
    }

    static let minimum: Int64 = -62_135_596_800_000 // 0001-01-01T00:00:00.000Z
    static let maximum: Int64 = 253_402_300_799_999 // 9999-12-31T23:59:59.999Z

    /// `YYYY-MM-DDTHH:MM:SS.SSSZ` in UTC.
    public var utcString: String {
        let ms = millisecondsSinceEpoch
        var days = ms / 86_400_000
        var rem = ms % 86_400_000
        if rem < 0 { rem += 86_400_000; days -= 1 }
        let (year, month, day) = EventInstant.civil(fromDays: Int(days))
        let secs = Int(rem / 1000), milli = Int(rem % 1000)
        return String(unsafeUninitializedCapacity: 24) { out in
            @inline(__always) func put(_ value: Int, _ at: Int, _ width: Int) {
                var v = value
                var k = at + width - 1
                while k >= at { out[k] = UInt8(truncatingIfNeeded: 0x30 + v % 10); v /= 10; k -= 1 }
            }
            put(year, 0, 4); out[4] = 0x2D; put(month, 5, 2); out[7] = 0x2D; put(day, 8, 2); out[10] = 0x54
            put(secs / 3600, 11, 2); out[13] = 0x3A; put(secs / 60 % 60, 14, 2); out[16] = 0x3A; put(secs % 60, 17, 2)
            out[19] = 0x2E; put(milli, 20, 3); out[23] = 0x5A
            return 24
        }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days_from_civil (proleptic Gregorian).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
