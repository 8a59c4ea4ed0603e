import Foundation
import MockEarnAPI

/// The embedded mock that `--mock` starts, with `--mock-badges`' catalog: the same for `run`
/// and `validate --check-badges`.
enum EmbeddedMock {
    static func start(catalogPath: String?) throws -> MockEarnServer {
        // The sample catalog from a checkout, else where the container image keeps it.
        let defaultCatalogs = ["samples/badges.json", "/opt/badge-import/samples/badges.json"]
        var catalog: BadgeCatalog?
        if let path = catalogPath ?? defaultCatalogs.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            catalog = try BadgeCatalog.load(path: path)
        }
        return try MockEarnServer.start(MockConfiguration(catalog: catalog))
    }
}
