/// The ISO 8601 instants the earn API takes, parsed by hand to epoch milliseconds (UTC) because
/// every earn request carries one and Foundation's formatters cost more than the rest of the
/// request. Accepted shape: `YYYY-MM-DDTHH:MM:SS[.f{1,9}]` then `Z`, `±HH:MM` or `±HHMM`;
/// fractions beyond milliseconds are truncated. Optionally a bare `YYYY-MM-DD` (catalog only).
enum EarnTimestamp {
    enum Zone { case utcOnly, utcOrOffset }

    /// Epoch milliseconds, or nil if `text` is not a valid instant of the accepted shape.
    /// With `dateOnlyMeansEndOfDay`, a bare date is the last millisecond of that day.
    static func parseMillis<Bytes: RandomAccessCollection>(
        _ text: Bytes, zone: Zone, allowDateOnly: Bool = false, dateOnlyMeansEndOfDay: Bool = false
    ) -> Int64? where Bytes.Element == UInt8, Bytes.Index == Int {
        var reader = Reader(bytes: text)
        guard let year = reader.digits(4), reader.take(UInt8(ascii: "-")),
              let month = reader.digits(2), reader.take(UInt8(ascii: "-")),
              let day = reader.digits(2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        let dayStart = daysFromCivil(year: year, month: month, day: day) * 86_400_000
        if reader.atEnd {
            guard allowDateOnly else { return nil }
            return dateOnlyMeansEndOfDay ? dayStart + 86_399_999 : dayStart
        }
        guard reader.take(UInt8(ascii: "T")),
              let hour = reader.digits(2), reader.take(UInt8(ascii: ":")),
              let minute = reader.digits(2), reader.take(UInt8(ascii: ":")),
              let second = reader.digits(2),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var millis: Int64 = 0
        if reader.take(UInt8(ascii: ".")) {
            var count = 0
            while let digit = reader.digit() {
                if count < 3 { millis = millis * 10 + Int64(digit) }
                count += 1
            }
            guard (1...9).contains(count) else { return nil }
            for _ in count..<max(count, 3) { millis *= 10 }
        }
        var offsetMinutes: Int64 = 0
        if reader.take(UInt8(ascii: "Z")) {
            // UTC
        } else {
            guard zone == .utcOrOffset, let sign = reader.next(),
                  sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
                  let offsetHours = reader.digits(2)
            else { return nil }
            _ = reader.take(UInt8(ascii: ":"))
            guard let offsetMins = reader.digits(2), offsetHours < 24, offsetMins < 60 else { return nil }
            offsetMinutes = (offsetHours * 60 + offsetMins) * (sign == UInt8(ascii: "-") ? -1 : 1)
        }
        guard reader.atEnd else { return nil }
        return dayStart + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis
    }

    /// `YYYY-MM-DDTHH:MM:SS.SSSZ` for epoch milliseconds (years 0...9999).
    static func format(millis: Int64) -> String {
        let days = floorDiv(millis, 86_400_000)
        let msOfDay = millis - days * 86_400_000
        let (year, month, day) = civilFromDays(days)
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func put(_ value: Int64, width: Int) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        put(year, width: 4); out.append(UInt8(ascii: "-"))
        put(month, width: 2); out.append(UInt8(ascii: "-"))
        put(day, width: 2); out.append(UInt8(ascii: "T"))
        put(msOfDay / 3_600_000, width: 2); out.append(UInt8(ascii: ":"))
        put(msOfDay / 60_000 % 60, width: 2); out.append(UInt8(ascii: ":"))
        put(msOfDay / 1000 % 60, width: 2); out.append(UInt8(ascii: "."))
        put(msOfDay % 1000, width: 3); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - Calendar arithmetic (proleptic Gregorian, H. Hinnant's algorithms)

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    private struct Reader<Bytes: RandomAccessCollection> where Bytes.Element == UInt8, Bytes.Index == Int {
        let bytes: Bytes
        var index: Int

        init(bytes: Bytes) {
            self.bytes = bytes
            index = bytes.startIndex
        }

        var atEnd: Bool { index == bytes.endIndex }

        mutating func next() -> UInt8? {
            guard index < bytes.endIndex else { return nil }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func take(_ expected: UInt8) -> Bool {
            guard index < bytes.endIndex, bytes[index] == expected else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int64? {
            guard index < bytes.endIndex else { return nil }
            let char = bytes[index]
            guard char >= UInt8(ascii: "0"), char <= UInt8(ascii: "9") else { return nil }
            index += 1
            return Int64(char - UInt8(ascii: "0"))
        }

        mutating func digits(_ count: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<count {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }
    }
}
