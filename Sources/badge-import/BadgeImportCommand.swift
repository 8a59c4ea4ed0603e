import ArgumentParser

@main
struct BadgeImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "badge-import",
        abstract: "Backfill and replay badge earns into Capillary's CRM, exactly once in effect.",
        subcommands: [
            RunCommand.self,
            ValidateCommand.self,
            StatusCommand.self,
            MockServerCommand.self,
        ]
    )
}
