import Foundation
import Logging

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
    /// `--bulk-preview`: the requests the valid rows would take with and without bulk earns.
    public var bulkPreview: BulkPreview?
    /// `--check-badges`: rows the API would refuse, by code (1054, 815, 816, 810). nil without it.
    public var refusedByCode: [String: Int]?
    /// `--check-badges`: each badge as its definition was read, in the order first seen.
    public var badges: [BadgeCheck]?

    /// Rows the API would refuse (`--check-badges`).
    public var refused: Int { refusedByCode?.values.reduce(0, +) ?? 0 }

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
        if let bulkPreview { text += "\nbulk preview: " + bulkPreview.sentence }
        if let refusedByCode {
            text += "\nbadges checked: \(badges?.count ?? 0); rows the API would refuse: \(refused)"
            for (code, count) in refusedByCode.sorted(by: { $0.key < $1.key }) {
                text += "\n  \(code): \(count)"
            }
            for badge in badges ?? [] where badge.outcome == "unavailable" {
                text += "\n  badge \(badge.badgeMetaId) not checked: \(badge.problem ?? "its definition could not be read")"
            }
        }
        return text
    }
}

/// `validate`'s work: streams every input through the same reader and rules as `run`,
/// counts, and (with a report directory) writes `invalid.csv`, `duplicates.csv` and
/// `summary.json`. Memory stays flat: the duplicate check keeps to its budget.
public struct InputValidation {
    public var files: [InputFile]
    public var mapping: MappingOptions
    public var reportDirectory: String?
    /// `--bulk-preview N`: count the requests with bulk earns of at most N customers.
    public var bulkPreviewSize: Int?
    /// Bytes the duplicate check keeps in memory; beyond, it spills to scratch files in the
    /// report directory (else `$TMPDIR`).
    public var duplicateMemory: Int
    /// `--check-badges`: the API whose badge definitions judge every row that would be sent
    /// (nil: no check, no network).
    public var checkBadges: RunOptions?
    /// Where a badge whose definition cannot be read is reported.
    public var logger = Logger(label: "badge-import", factory: { _ in SwiftLogNoOpLogHandler() })

    public init(files: [InputFile], mapping: MappingOptions, reportDirectory: String? = nil,
                duplicateMemory: Int = DuplicateDetector.defaultMemoryBudget) {
        self.files = files
        self.mapping = mapping
        self.reportDirectory = reportDirectory
        self.duplicateMemory = duplicateMemory
    }

    /// Fails (before reading any row) when an input cannot be opened or its header lacks a
    /// required column, or when the report directory cannot be written.
    public func run() throws(InputError) -> ValidationSummary {
        // The scratch files are made on the first row, once reportWriters has made the directory.
        let scan = try InputScan(files: files, mapping: mapping, duplicates: DuplicateDetector(
            memoryBudget: duplicateMemory, directory: reportDirectory ?? DuplicateDetector.temporaryDirectory))
        let layout = ColumnUnion(scan.inputs.map(\.columns))
        let writers = try reportWriters(layout: layout)
        var refusals: BadgeRefusals?
        if let checkBadges {
            refusals = try BadgeRefusals(api: checkBadges, reportDirectory: reportDirectory, layout: layout, logger: logger)
        }

        var summary = ValidationSummary(inputs: files.map(\.displayName))
        let preview = bulkPreviewSize.map { BulkPreviewCounter(bulkSize: $0) }
        for index in scan.inputs.indices {
            let ending: InputScan.Ending
            do {
                ending = try scan.read(index) { (event: InputScan.Event) in
                    Self.count(event, into: &summary, writers: writers, layout: layout, inputIndex: index)
                    // A repeat is never sent; every other valid row would be.
                    if let preview, case .valid(let row, _) = event { preview.add(row) }
                    refusals?.judge(event, inputIndex: index)
                }
            } catch {
                switch error {
                case .input(let failure): throw failure
                case .body(let never): switch never {}
                }
            }
            if let change = ending.change {
                summary.changedInputs = (summary.changedInputs ?? []) + [
                    "\(files[index].displayName): changed while it was read (\(change)); still being written? These counts are not the finished file's"]
            }
        }
        summary.uniqueRequestIds = scan.uniqueRequestIds
        summary.bulkPreview = preview?.finish()
        summary.refusedByCode = refusals?.byCode
        summary.badges = refusals?.badges
        do {
            try writers?.invalid.finish()
            try writers?.duplicates.finish()
            try refusals?.finish()
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

    private struct Writers {
        var invalid: CSVWriter
        var duplicates: CSVWriter
    }

    private func reportWriters(layout: ColumnUnion) throws(InputError) -> Writers? {
        guard let dir = reportDirectory else { return nil }
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw InputError(path: dir, message: "cannot create the report directory")
        }
        do {
            return Writers(
                invalid: try CSVWriter(path: dir + "/invalid.csv", header: ["source", "line", "field", "reason"] + layout.columns),
                duplicates: try CSVWriter(path: dir + "/duplicates.csv",
                                          header: ["source", "line", "requestId", "firstSource", "firstLine"]))
        } catch {
            throw InputError(path: "", message: error.description)
        }
    }

    /// Counts one record; a record cut short by a writer still at work counts as what it is
    /// (validate sends nothing, and says the input changed).
    private static func count(_ event: InputScan.Event, into summary: inout ValidationSummary, writers: Writers?,
                              layout: ColumnUnion, inputIndex: Int) {
        summary.records += 1
        switch event {
        case .valid, .cutShort(.valid, _):
            summary.valid += 1
        case .repeated(let row, _, let first):
            summary.valid += 1
            summary.duplicatesInInput += 1
            writers?.duplicates.write([row.source, String(row.line), row.requestId, first.source, String(first.line)])
        case .invalid(let bad), .cutShort(.invalid(let bad), _):
            summary.invalid += 1
            var keys = Set<String>()
            for error in bad.errors where keys.insert(error.key).inserted {
                summary.invalidByReason[error.key, default: 0] += 1
            }
            writers?.invalid.write([bad.source, String(bad.line), bad.errors.map(\.field).joined(separator: "; "),
                                    bad.errors.map(\.reason).joined(separator: "; ")]
                                   + layout.place(bad.original, from: inputIndex))
        }
    }
}
