import Foundation

/// The result of validating inputs: what `badge-import validate` prints and writes as
/// summary.json.
public struct ValidationSummary: Sendable, Codable, Equatable {
    public var inputs: [String]
    public var records: Int
    public var valid: Int
    public var invalid: Int
    public var duplicatesInInput: Int
    public var uniqueRequestIds: Int
    /// Stable reason key (`customerId.notInteger`) → number of invalid rows having it.
    public var invalidByReason: [String: Int]
    /// Inputs whose size or modification time changed while they were read (a file still being
    /// written): their counts are of a moment, not of the finished file. nil when none.
    public var changedInputs: [String]?

    public init(inputs: [String] = [], records: Int = 0, valid: Int = 0, invalid: Int = 0, duplicatesInInput: Int = 0,
                uniqueRequestIds: Int = 0, invalidByReason: [String: Int] = [:]) {
        self.inputs = inputs
        self.records = records
        self.valid = valid
        self.invalid = invalid
        self.duplicatesInInput = duplicatesInInput
        self.uniqueRequestIds = uniqueRequestIds
        self.invalidByReason = invalidByReason
    }

    /// A few lines for people.
    public var humanDescription: String {
        var text = "\(records) records in \(inputs.count) input\(inputs.count == 1 ? "" : "s"): \(valid) valid (\(uniqueRequestIds) unique requestIds, \(duplicatesInInput) duplicate-in-input), \(invalid) invalid"
        for note in changedInputs ?? [] {
            text += "\n\(note)"
        }
        if !invalidByReason.isEmpty {
            text += "\ninvalid rows by reason:"
            for (key, count) in invalidByReason.sorted(by: { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }) {
                text += "\n  \(key): \(count)"
            }
        }
        return text
    }
}

/// `validate`'s work: streams every input through the same reader and rules as `run`,
/// counts, and (with a report directory) writes `invalid.csv`, `duplicates.csv` and
/// `summary.json`. Memory stays flat except the compact duplicate detector.
public struct InputValidation {
    public var files: [InputFile]
    public var mapping: MappingOptions
    public var reportDirectory: String?

    public init(files: [InputFile], mapping: MappingOptions, reportDirectory: String? = nil) {
        self.files = files
        self.mapping = mapping
        self.reportDirectory = reportDirectory
    }

    /// Fails (before reading any row) when an input cannot be opened or its header lacks a
    /// required column, or when the report directory cannot be written.
    public func run() throws(InputError) -> ValidationSummary {
        // Open everything first: a missing second file or column fails before any work.
        // Files are closed again after this check and reopened in turn (so a hundred inputs
        // never hold a hundred buffers); a stream (stdin, a pipe, a FIFO) cannot be reopened and
        // is kept: reopening a FIFO whose writer is gone would wait forever.
        var readers: [EarnFileReader?] = []
        var layouts: [[String]] = []
        var stamps: [FileStamp?] = []
        for file in files {
            let stream = file.isStream
            stamps.append(stream ? nil : FileStamp.of(path: file.path))
            let reader = try EarnFileReader(file: file, mapping: mapping)
            layouts.append(reader.columns)
            readers.append(stream ? reader : nil)
        }
        let layout = ColumnUnion(layouts)

        var invalidWriter: CSVWriter?
        var duplicateWriter: CSVWriter?
        if let dir = reportDirectory {
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw InputError(path: dir, message: "cannot create the report directory")
            }
            do {
                invalidWriter = try CSVWriter(path: dir + "/invalid.csv",
                                              header: ["source", "line", "field", "reason"] + layout.columns)
                duplicateWriter = try CSVWriter(path: dir + "/duplicates.csv",
                                                header: ["source", "line", "requestId", "firstSource", "firstLine"])
            } catch {
                throw InputError(path: "", message: error.description)
            }
        }

        var summary = ValidationSummary(inputs: files.map(\.displayName))
        var detector = DuplicateDetector()
        for (readerIndex, file) in files.enumerated() {
            let reader: EarnFileReader
            if let kept = readers[readerIndex] { reader = kept } else { reader = try EarnFileReader(file: file, mapping: mapping) }
            readers[readerIndex] = nil
            while let record = try reader.next() {
                summary.records += 1
                switch record {
                case .valid(let row, _):
                    summary.valid += 1
                    if let first = detector.firstOccurrence(of: row.requestId, source: row.source, line: row.line) {
                        summary.duplicatesInInput += 1
                        duplicateWriter?.write([row.source, String(row.line), row.requestId, first.source, String(first.line)])
                    }
                case .invalid(let bad):
                    summary.invalid += 1
                    var keys = Set<String>()
                    for error in bad.errors where keys.insert(error.key).inserted {
                        summary.invalidByReason[error.key, default: 0] += 1
                    }
                    if let invalidWriter {
                        invalidWriter.write([bad.source, String(bad.line),
                                                    bad.errors.map(\.field).joined(separator: "; "),
                                                    bad.errors.map(\.reason).joined(separator: "; ")]
                                                   + layout.place(bad.original, from: readerIndex))
                    }
                }
            }
            if let before = stamps[readerIndex], let after = reader.currentStamp(), after != before {
                summary.changedInputs = (summary.changedInputs ?? []) + [
                    "\(file.displayName): changed while it was read (\(after.difference(from: before))); still being written? These counts are not the finished file's"]
            }
        }
        summary.uniqueRequestIds = detector.count
        do {
            try invalidWriter?.finish()
            try duplicateWriter?.finish()
        } catch {
            throw InputError(path: "", message: error.description)
        }
        if let dir = reportDirectory {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let path = dir + "/summary.json"
            do {
                try encoder.encode(summary).write(to: URL(fileURLWithPath: path))
            } catch {
                throw InputError(path: path, message: "cannot write")
            }
        }
        return summary
    }
}
