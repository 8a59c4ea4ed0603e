/// A credential in memory. Printing, interpolating, dumping or logging it shows `<redacted>`;
/// the value is only reachable through `revealed`, so every place that uses it is greppable.
/// Deliberately not Codable: a secret must never end up in summary.json or the ledger.
public struct Secret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let value: String

    public init(_ value: String) { self.value = value }

    /// The actual value, for building the Authorization header or the token request only.
    public var revealed: String { value }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
