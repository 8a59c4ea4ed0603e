import Foundation

/// A request pace as people write it: `1000/min`, `20/s`, `36000/h`, or a bare number meaning
/// per second. The API's limits are per minute per key, so `/min` is the usual form.
/// `unlimited` (or `none`, `0`) means no pacing at all; `parse` returns nil for it.
public struct RateSetting: Sendable, Equatable, CustomStringConvertible {
    public let requests: Double
    /// The period the count is per, in seconds (1, 60 or 3600).
    public let perSeconds: Double
    /// As written, for messages and summary.json's options.
    public let text: String

    public var requestsPerSecond: Double { requests / perSeconds }
    public var description: String { text }

    /// nil for "unlimited"/"none"/"0"; throws a message (the caller adds where it came from).
    public static func parse(_ raw: String) throws(RateSettingError) -> RateSetting? {
        let text = raw.trimmingCharacters(in: .whitespaces)
        let lower = text.lowercased()
        if lower == "unlimited" || lower == "none" || lower == "0" { return nil }
        let parts = lower.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              let count = Double(parts[0].trimmingCharacters(in: .whitespaces)), count.isFinite
        else { throw RateSettingError(text: raw) }
        let unit = parts.count == 2 ? parts[1].trimmingCharacters(in: .whitespaces) : "s"
        let period: Double
        switch unit {
        case "s", "sec", "second": period = 1
        case "m", "min", "minute": period = 60
        case "h", "hour": period = 3600
        default: throw RateSettingError(text: raw)
        }
        guard count > 0 else { throw RateSettingError(text: raw) }
        return RateSetting(requests: count, perSeconds: period, text: text)
    }
}

public struct RateSettingError: Error, Equatable, CustomStringConvertible {
    public let text: String
    public var description: String {
        "rate '\(text)' is not understood: write requests per period, e.g. 1000/min, 20/s, 36000/h, or 'unlimited'"
    }
}
