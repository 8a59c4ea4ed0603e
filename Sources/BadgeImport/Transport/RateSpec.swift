import Foundation

/// A request rate as given on the command line: `N/s`, `N/sec`, `N/min`, `N/m` (also `N/second`, `N/minute`).
public struct RateSpec: Sendable, Equatable, CustomStringConvertible {
    public var perSecond: Double
    /// The count and unit as written, to print the rate back as the user gave it.
    private var count: Double
    private var perMinute: Bool

    public enum ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalid(String)
        public var description: String {
            switch self {
            case .invalid(let text): return "invalid rate '\(text)': expected N/s, N/sec, N/min or N/m with N > 0 (e.g. 1000/min)"
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
        default: throw .invalid(text)
        }
    }

    public var description: String {
        func format(_ value: Double) -> String {
            value == value.rounded() && value < 1e15 ? String(Int64(value)) : String(value)
        }
        return perMinute ? "\(format(count))/min" : "\(format(count))/s"
    }
}
