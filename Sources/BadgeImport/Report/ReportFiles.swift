import Foundation

/// The files a run leaves next to results.csv and failed.csv: summary.json for machines and
/// report.html for people, both made from the same `RunSummary` so they cannot disagree.
public enum ReportFiles {
    public static func encode(_ summary: RunSummary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(summary), as: UTF8.self)
    }

    public static func write(_ summary: RunSummary, to directory: String) throws(ReportError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try (encode(summary) + "\n").write(toFile: directory + "/summary.json", atomically: true, encoding: .utf8)
            try HTMLReport.render(summary).write(toFile: directory + "/report.html", atomically: true, encoding: .utf8)
        } catch let error as ReportError {
            throw error
        } catch {
            throw ReportError("cannot write the report in \(directory): \(error.localizedDescription)")
        }
    }
}

/// Timestamps in the ledger and reports: ISO 8601, UTC, milliseconds.
enum ISO8601 {
    static func string(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                      Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(millis % 1000))
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
