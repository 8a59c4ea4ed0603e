import Foundation

/// verify.csv, which is also what makes a verify resumable: each verdict is appended as it is
/// decided, and a verify that finds the file of an unfinished one (no summary.json saying
/// complete) keeps its confirmed and missing rows and checks only the rest. Unverifiable rows
/// are checked again.
struct VerifyJournal {
    static let header = ["source", "line", "requestId", "customerId", "badgeMetaId", "verdict", "sentRequestId", "detail"]

    /// Verdicts kept from an unfinished verify in `directory`, by requestId, with their lines.
    static func carriedOver(in directory: String) -> [String: (verdict: VerifyVerdict, line: [String])] {
        let summaryPath = directory + "/summary.json"
        if let data = FileManager.default.contents(atPath: summaryPath),
           let summary = try? JSONDecoder().decode(VerifySummary.self, from: data), summary.complete {
            return [:]
        }
        guard let text = try? String(contentsOfFile: directory + "/verify.csv", encoding: .utf8) else { return [:] }
        var kept: [String: (VerifyVerdict, [String])] = [:]
        // A killed process may have left half a line: only whole lines count.
        let whole = text.hasSuffix("\n") ? text : String(text[..<(text.lastIndex(of: "\n") ?? text.startIndex)])
        for line in whole.split(separator: "\n").dropFirst() {
            let fields = parse(String(line))
            guard fields.count == header.count, let verdict = VerifyVerdict(rawValue: fields[5]), verdict != .unverifiable
            else { continue }
            kept[fields[2]] = (verdict, fields)
        }
        return kept
    }

    static func line(_ row: Ledger.DoneRow, _ verdict: VerifyVerdict, _ detail: String) -> [String] {
        [row.source, String(row.line), row.requestId, String(row.customerId), row.badgeMetaId, verdict.rawValue,
         row.sentRequestId, detail]
    }

    /// One CSV line as CSVWriter writes it (quotes doubled inside quoted fields).
    static func parse(_ line: String) -> [String] {
        var fields: [String] = [], current = "", quoted = false, index = line.startIndex
        while index < line.endIndex {
            let char = line[index]
            if quoted {
                if char == "\"" {
                    let next = line.index(after: index)
                    if next < line.endIndex, line[next] == "\"" { current.append("\""); index = next } else { quoted = false }
                } else {
                    current.append(char)
                }
            } else if char == "\"" {
                quoted = true
            } else if char == "," {
                fields.append(current)
                current = ""
            } else if char != "\r" {
                current.append(char)
            }
            index = line.index(after: index)
        }
        fields.append(current)
        return fields
    }
}
