import Foundation

/// What the ledger records when a run begins.
public struct RunStart: Sendable {
    public var startedAt: Date
    public var inputs: [RunInput]
    /// The run's options, already scrubbed of secrets by the caller; the ledger drops any key
    /// that still looks secret (see `RunStart.scrubbed`) as a second line of defence.
    public var options: [String: String]
    public var toolVersion: String

    public init(startedAt: Date, inputs: [RunInput], options: [String: String], toolVersion: String) {
        self.startedAt = startedAt
        self.inputs = inputs
        self.options = options
        self.toolVersion = toolVersion
    }

    /// Words that mark an option as secret; its value is replaced before it reaches the file.
    static let secretMarkers = ["password", "passwd", "secret", "token", "authorization", "credential",
                                "apikey", "api-key", "api_key"]
    static let redacted = "[redacted]"

    /// The options with the value of every secret-looking key replaced by "[redacted]".
    public static func scrubbed(_ options: [String: String]) -> [String: String] {
        var clean = options
        for key in options.keys {
            let lower = key.lowercased()
            if secretMarkers.contains(where: { lower.contains($0) }) { clean[key] = redacted }
        }
        return clean
    }
}
