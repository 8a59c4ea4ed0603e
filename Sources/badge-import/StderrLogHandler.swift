import BadgeImport
import Foundation
import Logging

/// swift-log handler writing one line per event to stderr, as text or JSON (LogLineFormatter,
/// which also scrubs secret-looking metadata). stdout stays free for command output.
struct StderrLogHandler: LogHandler {
    let label: String
    let formatter: LogLineFormatter
    /// Where lines go; stderr in production, a collector in tests.
    let write: @Sendable (String) -> Void
    let now: @Sendable () -> Date

    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, format: LogLineFormat, level: Logger.Level,
         metadataProvider: Logger.MetadataProvider? = nil,
         now: @escaping @Sendable () -> Date = { Date() },
         write: @escaping @Sendable (String) -> Void = StderrLogHandler.writeToStandardError) {
        self.label = label
        self.formatter = LogLineFormatter(format: format)
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.now = now
        self.write = write
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    // swift-log 1.16+ calls this; older 1.x versions call the flat-parameter method below.
    func log(event: LogEvent) {
        emit(level: event.level, message: event.message, metadata: event.metadata)
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
             source: String, file: String, function: String, line: UInt) {
        emit(level: level, message: message, metadata: explicit)
    }

    private func emit(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?) {
        // Handler metadata, then the provider's (e.g. a run id set per task), then the call's own.
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit { merged.merge(explicit) { _, new in new } }
        write(formatter.line(timestamp: now(), level: level, label: label, message: message.description, metadata: merged) + "\n")
    }

    /// One write(2) per line: lines from concurrent workers never interleave mid-line.
    @Sendable static func writeToStandardError(_ line: String) {
        FileHandle.standardError.write(Data(line.utf8))
    }
}
