import ArgumentParser

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "(being built)")
    func run() throws { throw ValidationError("'validate' is not built yet") }
}
