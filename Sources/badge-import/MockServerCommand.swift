import ArgumentParser

struct MockServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mock-server", abstract: "(being built)")
    func run() throws { throw ValidationError("'mock-server' is not built yet") }
}
