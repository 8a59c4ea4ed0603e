/// One CSV record as read: its cells and anything wrong with its shape.
struct CSVRecord {
    /// Physical line on which the record starts (1-based; the header is line 1).
    var line: Int
    var fields: [String]
    /// Indexes of cells whose bytes were not valid UTF-8 (their text holds U+FFFD).
    var invalidUTF8Fields: [Int] = []
    /// The file ended inside a quoted field.
    var unterminatedQuote = false
    /// Text after a closing quote, as in `"abc"x` (kept, but the row is suspect).
    var textAfterQuote = false
    /// The record exceeded `CSVRecordReader.maxRecordBytes`; its cells are truncated.
    var tooLong = false
    /// The record had more than `CSVRecordReader.maxCells` cells; only the first ones are kept.
    var tooManyCells = false
    /// The input ended inside this record, with no line end after it (the last line of a file
    /// written without a final newline, or of a file still being written).
    var endedWithoutLineEnd = false
}

/// A streaming, byte-level RFC 4180 reader: quoted fields may hold commas, doubled quotes
/// and line breaks; LF, CRLF and lone CR all end a line; a UTF-8 BOM is dropped; blank lines
/// are skipped; unquoted cells are trimmed of surrounding spaces and tabs. Memory is one
/// input chunk plus the current record (capped), whatever the file size. Never fails on
/// content: malformed records come back flagged, and reading goes on.
final class CSVRecordReader {
    /// Bytes of cell content kept per record (1 MiB); the rest of a longer record is skipped.
    static let maxRecordBytes = 1 << 20
    /// Cells kept per record (header included); the rest of a wider record is skipped, so a
    /// line of millions of commas costs time in proportion but no memory.
    static let maxCells = 1_000

    private let source: ByteSource
    private let chunk: UnsafeMutableRawBufferPointer
    private var pos = 0
    private var end = 0
    private var finished = false
    private var checkedBOM = false
    private var bomSeen = 0

    /// Bytes of the field being built.
    private var field: UnsafeMutablePointer<UInt8>
    private var fieldCapacity = 256

    private var line = 1
    private var previousWasCR = false

    init(source: ByteSource) {
        self.source = source
        chunk = .allocate(byteCount: ByteSource.chunkSize, alignment: 16)
        field = .allocate(capacity: fieldCapacity)
    }

    deinit {
        chunk.deallocate()
        field.deallocate()
    }

    var bytesRead: Int64 { source.bytesRead }

    /// The next non-blank record, or nil at end of input.
    func next() throws(InputError) -> CSVRecord? {
        // The hot loop works on a local `Scan` (class properties would cost a dynamic
        // exclusivity check per byte); what outlives the record is written back on the way out.
        var scan = Scan(field: field, fieldCapacity: fieldCapacity, line: line, previousWasCR: previousWasCR,
                        pos: pos, end: end)
        defer {
            field = scan.field; fieldCapacity = scan.fieldCapacity
            line = scan.line; previousWasCR = scan.previousWasCR
            pos = scan.pos; end = scan.end
        }
        while true {
            if scan.pos == scan.end {
                let more = finished ? false : try refill()
                scan.pos = pos; scan.end = end
                if !more { return scan.finishAtEndOfInput() }
            }
            if let record = scan.consume(chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)) { return record }
        }
    }

    /// Reads the next chunk; false at end of input. Drops a leading UTF-8 BOM.
    private func refill() throws(InputError) -> Bool {
        pos = 0
        end = try source.read(into: chunk)
        if end == 0 { finished = true; return false }
        if !checkedBOM {
            // Drop a leading UTF-8 BOM, even when it arrives split across reads.
            let b = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            while pos < end && bomSeen < 3 && b[pos] == bom[bomSeen] { pos += 1; bomSeen += 1 }
            if pos < end || bomSeen == 3 { checkedBOM = true }
        }
        return true
    }
}

extension CSVRecordReader {
    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted, afterQuoted }

    /// The reader's state machine over the bytes of one chunk, building one record. A struct in
    /// a local variable, so its fields live in registers and need no exclusivity checks.
    private struct Scan {
        var field: UnsafeMutablePointer<UInt8>
        var fieldCapacity: Int
        var line: Int
        var previousWasCR: Bool
        var pos: Int
        var end: Int

        var fieldCount = 0
        var recordBytes = 0
        var record: CSVRecord
        var state = State.fieldStart
        /// Any byte of this record consumed (other than a line end).
        var started = false
        var lastFieldQuoted = false
        /// Spaces at the end of an unquoted field, trimmed when it is finished.
        var trailingSpaces = 0

        init(field: UnsafeMutablePointer<UInt8>, fieldCapacity: Int, line: Int, previousWasCR: Bool, pos: Int, end: Int) {
            self.field = field
            self.fieldCapacity = fieldCapacity
            self.line = line
            self.previousWasCR = previousWasCR
            self.pos = pos
            self.end = end
            record = CSVRecord(line: line, fields: [])
            record.fields.reserveCapacity(8)
        }

        /// Consumes bytes from `pos` until a record is complete (returned) or the chunk ends (nil).
        @inline(__always) mutating func consume(_ bytes: UnsafePointer<UInt8>) -> CSVRecord? {
            while pos < end {
                let byte = bytes[pos]
                pos += 1
                let wasCR = previousWasCR
                previousWasCR = byte == 0x0D
                if byte == 0x0A || byte == 0x0D {
                    if byte == 0x0D || !wasCR { line += 1 }
                    if let record = lineEnd(byte) { return record }
                    continue
                }
                switch state {
                case .fieldStart: fieldStart(byte, bytes)
                case .unquoted:
                    if byte == 0x2C {
                        finishField(trim: trailingSpaces); state = .fieldStart
                    } else {
                        append(byte)
                        trailingSpaces = (byte == 0x20 || byte == 0x09) ? trailingSpaces + 1 : 0
                    }
                case .quoted:
                    if byte == 0x22 { state = .quoteInQuoted; continue }
                    // Fast path: the run up to the next quote or line break (line breaks count lines).
                    let runStart = pos - 1
                    while pos < end {
                        let c = bytes[pos]
                        if c == 0x22 || c == 0x0A || c == 0x0D { break }
                        pos += 1
                    }
                    appendRun(bytes + runStart, pos - runStart)
                case .quoteInQuoted:
                    if byte == 0x22 { append(0x22); state = .quoted }          // doubled quote
                    else if byte == 0x2C { finishField(trim: 0); state = .fieldStart }
                    else if byte == 0x20 || byte == 0x09 { state = .afterQuoted }
                    else { record.textAfterQuote = true; append(byte); state = .afterQuoted }
                case .afterQuoted:
                    if byte == 0x2C { finishField(trim: 0); state = .fieldStart }
                    else if byte != 0x20 && byte != 0x09 { record.textAfterQuote = true; append(byte) }
                }
            }
            return nil
        }

        /// A line end: inside quotes it is content; otherwise it ends the record (nil when the
        /// line was blank and the record goes on).
        @inline(__always) mutating func lineEnd(_ byte: UInt8) -> CSVRecord? {
            switch state {
            case .quoted:
                append(byte)
                return nil
            case .unquoted:
                finishField(trim: trailingSpaces)
            case .fieldStart, .quoteInQuoted, .afterQuoted:
                if !started { record.line = line; return nil } // blank line (or the LF of a CRLF)
                finishField(trim: 0)
            }
            if record.fields.count == 1 && record.fields[0].isEmpty && !lastFieldQuoted {
                // A line of nothing but spaces: blank.
                record = CSVRecord(line: line, fields: [])
                state = .fieldStart; started = false; recordBytes = 0
                return nil
            }
            return record
        }

        @inline(__always) mutating func fieldStart(_ byte: UInt8, _ bytes: UnsafePointer<UInt8>) {
            if byte == 0x20 || byte == 0x09 { started = true; return }
            started = true
            if byte == 0x22 { state = .quoted; lastFieldQuoted = true; return }
            if byte == 0x2C { finishField(trim: 0); lastFieldQuoted = false; return }
            state = .unquoted; trailingSpaces = 0; lastFieldQuoted = false
            // Fast path: the run of ordinary bytes up to the next comma or line end.
            let runStart = pos - 1
            while pos < end {
                let c = bytes[pos]
                if c == 0x2C || c == 0x0A || c == 0x0D { break }
                trailingSpaces = (c == 0x20 || c == 0x09) ? trailingSpaces + 1 : 0
                pos += 1
            }
            appendRun(bytes + runStart, pos - runStart)
        }

        /// The input ended: the record so far, or nil when nothing (or only spaces) came.
        mutating func finishAtEndOfInput() -> CSVRecord? {
            if !started { return nil }
            record.endedWithoutLineEnd = true
            switch state {
            case .quoted: record.unterminatedQuote = true; finishField(trim: 0)
            case .unquoted: finishField(trim: trailingSpaces)
            case .fieldStart, .quoteInQuoted, .afterQuoted: finishField(trim: 0)
            }
            if record.fields.count == 1 && record.fields[0].isEmpty && !lastFieldQuoted && !record.unterminatedQuote {
                return nil // trailing spaces only
            }
            return record
        }

        @inline(__always) mutating func append(_ byte: UInt8) {
            if recordBytes >= CSVRecordReader.maxRecordBytes { record.tooLong = true; return }
            if fieldCount == fieldCapacity { grow(to: fieldCapacity * 2) }
            field[fieldCount] = byte
            fieldCount += 1
            recordBytes += 1
        }

        /// Appends `count` bytes at once (the common case: a run of ordinary bytes).
        @inline(__always) mutating func appendRun(_ start: UnsafePointer<UInt8>, _ count: Int) {
            var count = count
            if recordBytes + count > CSVRecordReader.maxRecordBytes {
                record.tooLong = true
                count = max(0, CSVRecordReader.maxRecordBytes - recordBytes)
            }
            if fieldCount + count > fieldCapacity {
                var newCapacity = fieldCapacity * 2
                while newCapacity < fieldCount + count { newCapacity *= 2 }
                grow(to: newCapacity)
            }
            (field + fieldCount).update(from: start, count: count)
            fieldCount += count
            recordBytes += count
        }

        mutating func grow(to newCapacity: Int) {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            bigger.update(from: field, count: fieldCount)
            field.deallocate()
            field = bigger
            fieldCapacity = newCapacity
        }

        @inline(__always) mutating func finishField(trim: Int) {
            if record.fields.count >= CSVRecordReader.maxCells {
                record.tooManyCells = true
                fieldCount = 0
                return
            }
            let decoded = UTF8Text.decode(UnsafeBufferPointer(start: field, count: max(0, fieldCount - trim)))
            if !decoded.valid { record.invalidUTF8Fields.append(record.fields.count) }
            record.fields.append(decoded.text)
            fieldCount = 0
        }
    }
}
