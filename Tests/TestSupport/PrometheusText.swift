import Foundation

/// Reads the Prometheus text exposition back into numbers, so tests compare values, not text:
/// `value("badge_import_rows_total", ["status": "earned"])`. Series keep every label they
/// carry; a lookup matches the labels it names and ignores the rest (`job`, `instance` added
/// by a Pushgateway).
public struct PrometheusText: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public let series: [Series]
    /// `# TYPE` lines: name to counter, gauge, histogram.
    public let types: [String: String]

    public init(_ text: String) {
        var series: [Series] = []
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            if line.hasPrefix("#") || line.isEmpty { continue }
            guard let parsed = Self.parse(String(line)) else { continue }
            series.append(parsed)
        }
        self.series = series
        self.types = types
    }

    public func values(_ name: String, _ labels: [String: String] = [:]) -> [Double] {
        series.filter { one in one.name == name && labels.allSatisfy { one.labels[$0.key] == $0.value } }.map(\.value)
    }

    /// The one series that matches, or nil when none or several do.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let found = values(name, labels)
        return found.count == 1 ? found[0] : nil
    }

    private static func parse(_ line: String) -> Series? {
        var labels: [String: String] = [:]
        let name: String, rest: Substring
        if let brace = line.firstIndex(of: "{"), let close = line.lastIndex(of: "}") {
            name = String(line[..<brace])
            var body = line[line.index(after: brace)..<close]
            while let equals = body.firstIndex(of: "=") {
                let key = body[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: ", "))
                var cursor = body.index(equals, offsetBy: 2)  // past ="
                var value = ""
                while cursor < body.endIndex, body[cursor] != "\"" {
                    if body[cursor] == "\\" { cursor = body.index(after: cursor) }
                    value.append(body[cursor])
                    cursor = body.index(after: cursor)
                }
                labels[key] = value
                body = body[body.index(after: cursor)...]
            }
            rest = line[line.index(after: close)...]
        } else {
            guard let space = line.firstIndex(of: " ") else { return nil }
            name = String(line[..<space])
            rest = line[space...]
        }
        guard let text = rest.split(separator: " ").first, let value = Double(text) else { return nil }
        return Series(name: name, labels: labels, value: value)
    }
}
