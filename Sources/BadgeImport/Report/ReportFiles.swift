import Foundation

/// The files a run leaves next to results.csv and failed.csv: summary.json for machines and
/// report.html for people, both made from the same `RunSummary` so they cannot disagree.
public enum ReportFiles {
    public static func write(_ summary: RunSummary, to directory: String) throws(ReportError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try summary.jsonData().write(to: URL(fileURLWithPath: directory + "/summary.json"), options: .atomic)
            try HTMLReport.render(summary).write(toFile: directory + "/report.html", atomically: true, encoding: .utf8)
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError("cannot write the report in \(directory): \(error.localizedDescription)")
        }
    }
}

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
