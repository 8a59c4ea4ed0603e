/// Reads one input (CSV or JSONL, optionally gzip, file or stdin) as a stream of
/// `MappedRecord`s: valid rows ready to send, invalid rows with every reason. Bad content
/// never throws; only I/O failures do. Memory is bounded whatever the file size.
public final class EarnFileReader {
    public let file: InputFile
    /// Original column names, aligned with every record's `original` (JSONL: the canonical field names).
    public private(set) var columns: [String] = []
    /// Line of the CSV header (1 unless blank lines precede it); 0 for JSONL or an empty file.
    public private(set) var headerLine = 0

    private let mapper: RecordMapper
    private let source: ByteSource
    private var csv: CSVRecordReader?
    private var lines: JSONLLineReader?
    /// CSV: the column index of each field (indexed like EarnField.allCases), nil if absent.
    private var columnIndex: [Int?] = []
    /// JSONL: lower-cased key → field index.
    private var keyToField: [String: Int] = [:]
    private var exactKeyToField: [String: Int] = [:]
    private var csvCells = [InputCell](repeating: .absent, count: 6)

    /// The record `next()` returned last ended at the end of the input without a line end.
    /// Harmless in a file that did not change (many writers omit the final newline); in a file
    /// still being written it may be a record cut short.
    public private(set) var lastRecordUnterminated = false

    /// - Parameter hashContent: compute the SHA-256 of the input while reading it (`contentHash`),
    ///   for an input that is read once (`InputFile.isStream`) and so cannot be hashed beforehand.
    public convenience init(file: InputFile, mapping: MappingOptions, hashContent: Bool = false) throws(InputError) {
        try self.init(file: file, mapping: mapping, source: try ByteSource(file: file, hashing: hashContent))
    }

    init(file: InputFile, mapping: MappingOptions, source: ByteSource) throws(InputError) {
        self.file = file
        mapper = RecordMapper(mapping: mapping)
        self.source = source
        switch file.format {
        case .csv:
            let reader = CSVRecordReader(source: source)
            csv = reader
            if let header = try reader.next() {
                if header.tooManyCells {
                    throw InputError(path: file.displayName, message: "the header (line \(header.line)) has more than \(CSVRecordReader.maxCells) columns, the limit; is this the right file and delimiter?")
                }
                if header.tooLong {
                    throw InputError(path: file.displayName, message: "the header (line \(header.line)) is longer than \(CSVRecordReader.maxRecordBytes) bytes, the limit; is this the right file?")
                }
                headerLine = header.line
                columns = header.fields
                try bindColumns(mapping: mapping)
            }
        case .jsonl:
            lines = JSONLLineReader(source: source)
            columns = EarnField.allCases.map(\.rawValue)
            for field in EarnField.allCases {
                let name = mapping.column(for: field)
                exactKeyToField[name] = mapper.fieldIndex(field)
                keyToField[name.lowercased()] = mapper.fieldIndex(field)
            }
        }
    }

    /// Compressed bytes consumed so far (for progress).
    public var bytesRead: Int64 { source.bytesRead }
    /// The input's size when known (a regular file); nil for stdin or a pipe.
    public var totalBytes: Int64? { source.totalBytes }
    /// SHA-256 of all the input's bytes once it has been read to the end, when opened with
    /// `hashContent`; nil otherwise (never the hash of a part).
    public var contentHash: String? { source.contentHash }
    /// The file as it was when opened, and as it is now (regular files only).
    public var openedStamp: FileStamp? { source.openedStamp }
    public func currentStamp() -> FileStamp? { source.currentStamp() }

    private func bindColumns(mapping: MappingOptions) throws(InputError) {
        let normalised = columns.map { FieldRules.trimmed($0).lowercased() }
        columnIndex = []
        for field in EarnField.allCases {
            let wanted = FieldRules.trimmed(mapping.column(for: field)).lowercased()
            let hits = normalised.indices.filter { normalised[$0] == wanted }
            if hits.count > 1 {
                throw InputError(path: file.displayName, message: "column '\(mapping.column(for: field))' (for \(field.rawValue)) appears \(hits.count) times in the header")
            }
            columnIndex.append(hits.first)
            if hits.isEmpty {
                let required: Bool
                switch field {
                case .badgeMetaId: required = mapping.defaultBadgeMetaId == nil
                case .ownerType: required = mapping.defaultOwnerType == nil
                case .referenceId: required = mapping.defaultReferenceId == nil
                case .customerId: required = true
                case .earnEventDate: required = !mapping.allowMissingDate
                case .requestId: required = false
                }
                if required {
                    let hint: String
                    switch field {
                    case .badgeMetaId: hint = " (or --badge-meta-id)"
                    case .ownerType: hint = " (or --owner-type)"
                    case .referenceId: hint = " (or --reference-id)"
                    case .earnEventDate: hint = " (or --allow-missing-date)"
                    default: hint = ""
                    }
                    throw InputError(path: file.displayName, message: "no column '\(mapping.column(for: field))' for \(field.rawValue) in the header (line \(headerLine)); use --map \(field.rawValue)=COLUMN\(hint)")
                }
            }
        }
    }

    /// The next record, or nil at the end of the input.
    public func next() throws(InputError) -> MappedRecord? {
        if let csv { return try nextCSV(csv) }
        if let lines { return try nextJSONL(lines) }
        return nil
    }

    private func nextCSV(_ reader: CSVRecordReader) throws(InputError) -> MappedRecord? {
        guard let record = try reader.next() else { return nil }
        lastRecordUnterminated = record.endedWithoutLineEnd
        var shape: [RowError] = []
        if record.unterminatedQuote {
            shape.append(RowError(field: "row", reason: "a quoted field is not closed before the end of the file", key: "csv.unterminatedQuote"))
        }
        if record.tooManyCells {
            shape.append(RowError(field: "row", reason: "more than \(CSVRecordReader.maxCells) cells, the limit per record (the rest of the record was skipped)", key: "csv.tooManyCells"))
        } else if record.fields.count < columns.count {
            shape.append(RowError(field: "row", reason: "\(record.fields.count) fields, the header has \(columns.count)", key: "csv.tooFewFields"))
        } else if record.fields.count > columns.count {
            shape.append(RowError(field: "row", reason: "\(record.fields.count) fields, the header has \(columns.count)", key: "csv.tooManyFields"))
        }
        if record.textAfterQuote {
            shape.append(RowError(field: "row", reason: "text after a closing quote", key: "csv.textAfterQuote"))
        }
        if record.tooLong {
            shape.append(RowError(field: "row", reason: "record longer than \(CSVRecordReader.maxRecordBytes) bytes (cut)", key: "csv.recordTooLong"))
        }
        for index in record.invalidUTF8Fields {
            let name = index < columns.count ? columns[index] : "column \(index + 1)"
            shape.append(RowError(field: name, reason: "not valid UTF-8", key: "csv.invalidUTF8"))
        }
        // One cells array for the whole file, borrowed for the row (no allocation per row).
        var cells: [InputCell] = []
        swap(&cells, &csvCells)
        defer { swap(&cells, &csvCells) }
        for k in 0..<6 {
            if let index = columnIndex[k] {
                cells[k] = index < record.fields.count ? .text(record.fields[index]) : .cutShort
            } else {
                cells[k] = .absent
            }
        }
        return mapper.map(source: file.displayName, line: record.line, cells: cells, original: record.fields, shapeErrors: shape)
    }

    private func nextJSONL(_ reader: JSONLLineReader) throws(InputError) -> MappedRecord? {
        while true {
            let result: MappedRecord?? = try reader.nextLine { line, bytes, tooLong -> MappedRecord? in
                var bytes = bytes
                if line == 1, bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
                    bytes = UnsafeBufferPointer(rebasing: bytes[3...])
                }
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return nil } // blank
                lastRecordUnterminated = reader.lastLineUnterminated
                return mapJSON(line: line, bytes: bytes, tooLong: tooLong)
            }
            switch result {
            case .none: return nil                  // end of input
            case .some(.none): continue             // blank line
            case .some(.some(let record)): return record
            }
        }
    }

    private func mapJSON(line: Int, bytes: UnsafeBufferPointer<UInt8>, tooLong: Bool) -> MappedRecord {
        let source = file.displayName
        if tooLong {
            return .invalid(InvalidRecord(source: source, line: line, errors: [RowError(field: "row", reason: "line longer than \(JSONLLineReader.maxLineBytes) bytes", key: "json.lineTooLong")], original: Array(repeating: "", count: 6)))
        }
        switch FlatJSONScanner.scan(bytes) {
        case .malformed(let reason, let offset):
            return .invalid(InvalidRecord(source: source, line: line, errors: [RowError(field: "row", reason: "malformed JSON at byte \(offset + 1): \(reason)", key: "json.malformed")], original: Array(repeating: "", count: 6)))
        case .tooManyKeys(let limit):
            return .invalid(InvalidRecord(source: source, line: line, errors: [RowError(field: "row", reason: "more than \(limit) keys, the limit per object", key: "json.tooManyKeys")], original: Array(repeating: "", count: 6)))
        case .notObject(let kind):
            return .invalid(InvalidRecord(source: source, line: line, errors: [RowError(field: "row", reason: "expected a JSON object, got \(kind)", key: "json.notObject")], original: Array(repeating: "", count: 6)))
        case .object(let members):
            var cells = [InputCell](repeating: .absent, count: 6)
            var original = [String](repeating: "", count: 6)
            for member in RequestShape.flattened(members) {
                guard let k = exactKeyToField[member.key] ?? keyToField[FieldRules.trimmed(member.key).lowercased()] else { continue }
                cells[k] = .json(member.value)
                switch member.value {
                case .string(let s), .number(let s), .nested(let s): original[k] = s
                case .bool(let b): original[k] = b ? "true" : "false"
                case .null: original[k] = ""
                }
            }
            return mapper.map(source: source, line: line, cells: cells, original: original, shapeErrors: [])
        }
    }
}
