import Foundation

/// Nightly drops: a fully processed input moves out of the drop folder so the next night
/// does not see it again (its content hash in the ledger guards against a copy coming back).
enum Archive {
    static func move(_ path: String, into directory: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var target = directory + "/" + (path as NSString).lastPathComponent
        if manager.fileExists(atPath: target) {
            target += "." + String(Int(Date().timeIntervalSince1970))
        }
        try manager.moveItem(atPath: path, toPath: target)
    }
}
