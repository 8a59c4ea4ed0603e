/// A request rate as users write it: `N/s` (also `N/sec`, `N/second`) or `N/min` (also
/// `N/minute`), N a positive number (decimals allowed: `0.5/s`). The mock's own parser, so the
/// library stays self-contained.
public struct MockRateLimit: Sendable, Equatable, CustomStringConvertible {
    public enum Unit: String, Sendable { case second = "s", minute = "min" }

    public var count: Double
    public var unit: Unit

    public init(count: Double, unit: Unit) {
        self.count = count
        self.unit = unit
    }

    /// Parses `N/s` or `N/min`; nil for anything else (zero, negative, unknown unit).
    public init?(parsing text: String) {
        let parts = text.trimmingSpaces().split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Double(parts[0].trimmingSpaces()), count.isFinite, count > 0 else {
            return nil
        }
        switch parts[1].trimmingSpaces().lowercased() {
        case "s", "sec", "second": self.init(count: count, unit: .second)
        case "min", "minute", "m": self.init(count: count, unit: .minute)
        default: return nil
        }
    }

    public var perSecond: Double { unit == .second ? count : count / 60 }

    public var description: String {
        let number = count == count.rounded() ? String(Int(count)) : String(count)
        return "\(number)/\(unit.rawValue)"
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> Substring {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return slice
    }
}
