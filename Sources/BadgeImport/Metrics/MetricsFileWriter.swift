import Foundation

/// `--metrics-file`: the exposition written to a temporary file beside the target and renamed
/// over it, so node_exporter's textfile collector never reads half a file.
struct MetricsFileWriter: Sendable {
    let path: String

    func write(_ exposition: String) throws {
        let url = URL(fileURLWithPath: path)
        // Same directory, so the rename stays on one file system and is atomic; the collector
        // only reads *.prom, so the temporary name must not end in it.
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        do {
            try Data(exposition.utf8).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
