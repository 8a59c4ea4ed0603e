import ArgumentParser

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "(being built)")
    func run() throws { throw ValidationError("'status' is not built yet") }
}
