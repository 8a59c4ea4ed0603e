import ArgumentParser
import BadgeImport
import Foundation

@main
struct BadgeImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "badge-import",
        abstract: "Backfill and replay badge earns into Capillary's CRM, exactly once in effect.",
        discussion: """
        Exit status of every command: 0 success; 1 some rows rejected, failed or invalid; 2 usage or configuration error, nothing sent; 3 run stopped early, progress kept.
        """,
        version: BadgeImportVersion.current,
        subcommands: [
            RunCommand.self,
            ValidateCommand.self,
            StatusCommand.self,
            ReportCommand.self,
            VerifyCommand.self,
            MockServerCommand.self,
        ]
    )

    /// Argument errors exit 2, as the documentation promises, instead of the parser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                let stream = code == .success ? FileHandle.standardOutput : FileHandle.standardError
                stream.write(Data((message + "\n").utf8))
            }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}
