import ArgumentParser
import BadgeImport
import Logging

/// `--log-format` and `--log-level`, shared by every subcommand through `@OptionGroup var log: LogOptions`,
/// then `log.bootstrap()` first thing in `run()`.
struct LogOptions: ParsableArguments {
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case text, json
        var lineFormat: LogLineFormat { self == .text ? .text : .json }
    }

    enum Level: String, CaseIterable, ExpressibleByArgument {
        case trace, debug, info, notice, warning, error, critical
        var loggerLevel: Logger.Level { Logger.Level(rawValue: rawValue)! }
    }

    @Option(name: .customLong("log-format"),
            help: "Log lines on stderr: text (for people) or json (one object per line: ts, level, label, message, metadata).")
    var logFormat: Format = .text

    @Option(name: .customLong("log-level"), help: "Least severe level logged (\(Level.allCases.map(\.rawValue).joined(separator: ", "))).")
    var logLevel: Level = .info

    /// Installs the stderr handler for the whole process. swift-log allows this once per
    /// process, which is once per command invocation.
    func bootstrap() {
        LogSetup.bootstrap(format: logFormat.lineFormat, level: logLevel.loggerLevel)
    }
}

enum LogSetup {
    static func bootstrap(format: LogLineFormat, level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            StderrLogHandler(label: label, format: format, level: level)
        }
    }
}
