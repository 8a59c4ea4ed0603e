import Logging
import Synchronization

/// A swift-log handler that keeps what it is told, so a test can check a warning was given
/// (and that no secret was in any line).
public final class LogCapture: Sendable {
    public struct Line: Sendable {
        public var level: Logger.Level
        public var text: String
    }

    private let lines = Mutex<[Line]>([])

    public init() {}

    public var logger: Logger {
        Logger(label: "test") { _ in Handler(capture: self) }
    }

    public var captured: [Line] { lines.withLock { $0 } }

    public func warnings() -> [String] { captured.filter { $0.level == .warning }.map(\.text) }

    fileprivate func add(_ line: Line) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
            let extra = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            capture.add(Line(level: event.level, text: "\(event.message) \(extra)"))
        }
    }
}
