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
