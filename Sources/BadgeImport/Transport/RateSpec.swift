import Foundation

/// A request rate as given on the command line or in a profile: `N/s`, `N/sec`, `N/min`, `N/m`
/// (also `N/second`, `N/minute`, `N/h`, `N/hour`). The API's limits are per minute per key, so
/// `/min` is the usual form. One grammar for flags, environment and profiles.
public struct RateSpec: Sendable, Equatable, CustomStringConvertible {
    public var perSecond: Double
    /// The count and unit as written, to print the rate back as the user gave it.
    private var count: Double
    private var perMinute: Bool

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self {
            case .invalid(let text): return "invalid rate '\(text)': expected N/s, N/min or N/h with N > 0 (e.g. 1000/min), or 'unlimited'"
            }
        }
    }

    public init(perSecond: Double) {
        self.perSecond = perSecond
        count = perSecond
        perMinute = false
    }

    public init(perMinute: Double) {
        perSecond = perMinute / 60
        count = perMinute
        self.perMinute = true
    }

    public init(parsing text: String) throws(ParseError) {
        let parts = text.replacingOccurrences(of: " ", with: "").split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Double(parts[0]), count.isFinite, count > 0,
              parts[0].allSatisfy({ $0.isNumber || $0 == "." }) else { throw .invalid(text) }
        switch parts[1].lowercased() {
        case "s", "sec", "second": self.init(perSecond: count)
        case "m", "min", "minute": self.init(perMinute: count)
        case "h", "hour": self.init(perMinute: count / 60)
        default: throw .invalid(text)
        }
    }

    /// A rate setting: a rate, or `unlimited` (also `none`, `adaptive`) for nil, meaning no
    /// fixed pace: the limiter adapts to the server's 429s. Lets a flag or the environment lift
    /// a profile's rate.
    public static func parseSetting(_ text: String) throws(ParseError) -> RateSpec? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "unlimited", "none", "adaptive": return nil
        default: return try RateSpec(parsing: text)
        }
    }

    public var description: String {
        func format(_ value: Double) -> String {
            value == value.rounded() && value < 1e15 ? String(Int64(value)) : String(value)
        }
        return perMinute ? "\(format(count))/min" : "\(format(count))/s"
    }
}
