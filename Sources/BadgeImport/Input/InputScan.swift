/// The one pass over the inputs of a run or of a validation, so `run` and `validate` cannot
/// read the same file two ways.
///
/// `open` opens every input first, so a missing file or column fails before any work (and
/// before any request). Files are closed again and reopened when their turn comes, so a hundred
/// drops never hold a hundred buffers; a stream (stdin, a pipe, a FIFO) is read once, so its
/// reader is kept and its SHA-256 taken on the way. `read` then goes through one input record
/// by record, remembers every requestId to find repeats, and says how the input ended.
public final class InputScan {
    /// One input as opened: its columns (the header), and for a file its stamp before any read.
    public struct Input {
        public let file: InputFile
        public let columns: [String]
        /// A regular file as it was when opened: any change after it shows when it has been read.
        public let stamp: FileStamp?
        fileprivate var openReader: EarnFileReader?
    }

    /// A record as the scan hands it over.
    public enum Event {
        case invalid(InvalidRecord)
        case valid(EarnRow, original: [String])
        /// A valid row whose requestId came earlier in the inputs (in the same scan).
        case repeated(EarnRow, original: [String], first: (source: String, line: Int))
        /// The last record of a file that changed while it was read, without a line end: maybe
        /// cut short by a writer still at work ("REF-00" of "REF-0000149"). Never to be sent.
        case cutShort(MappedRecord, change: String)
    }

    /// How reading one input ended.
    public struct Ending: Sendable {
        /// Stopped by `isStopping` before the end.
        public var stopped = false
        /// What changed in the file while it was read (size, time, inode); nil if nothing did.
        public var change: String?
        /// A stream's SHA-256 and size, once it has been read to its end.
        public var streamHash: String?
        public var bytes: Int64 = 0
    }

    public private(set) var inputs: [Input] = []
    private let mapping: MappingOptions
    private var detector = DuplicateDetector()

    /// Opens every input (reading its header). Throws the first that cannot be opened.
    public init(files: [InputFile], mapping: MappingOptions) throws(InputError) {
        self.mapping = mapping
        for file in files {
            let stream = file.isStream
            let stamp = stream ? nil : FileStamp.of(path: file.path)
            let reader = try EarnFileReader(file: file, mapping: mapping, hashContent: stream)
            inputs.append(Input(file: file, columns: reader.columns, stamp: stamp, openReader: stream ? reader : nil))
        }
    }

    /// Distinct requestIds seen so far.
    public var uniqueRequestIds: Int { detector.count }

    /// Reads input `index` to its end, or until `isStopping` says so, handing each record to
    /// `body`. Rows `keep` turns down (another shard's) are passed over before the repeat check.
    /// `progress` gets the bytes read now and then. Throws when the input cannot be read further,
    /// naming the last line read; `body`'s own error stops the read and is rethrown as is.
    public func read<Failure: Error>(
        _ index: Int, keep: (EarnRow) -> Bool = { _ in true }, isStopping: () -> Bool = { false },
        progress: (Int64) -> Void = { _ in }, _ body: (Event) throws(Failure) -> Void
    ) throws(ScanFailure<Failure>) -> Ending {
        let input = inputs[index]
        let reader: EarnFileReader
        if let open = input.openReader {
            reader = open
            inputs[index].openReader = nil
        } else {
            do { reader = try EarnFileReader(file: input.file, mapping: mapping) }
            catch { throw .input(InputError(path: input.file.displayName, message: "cannot open it again: \(error.message)")) }
        }
        var ending = Ending()
        var lastLine = 0
        var counter = 0
        while true {
            if isStopping() { ending.stopped = true; break }
            let next: MappedRecord?
            do { next = try reader.next() } catch {
                let message = lastLine == 0 ? error.message : "stopped after line \(lastLine): \(error.message)"
                throw .input(InputError(path: error.path, message: message))
            }
            guard let record = next else { break }
            counter += 1
            if counter & 31 == 0 { progress(reader.bytesRead) }
            lastLine = record.line
            do throws(Failure) {
                if reader.lastRecordUnterminated, let change = Self.change(of: input, reader: reader) {
                    try body(.cutShort(record, change: change))
                    continue
                }
                switch record {
                case .invalid(let invalid):
                    try body(.invalid(invalid))
                case .valid(let row, let original):
                    guard keep(row) else { continue }
                    if let first = detector.firstOccurrence(of: row.requestId, source: row.source, line: row.line) {
                        try body(.repeated(row, original: original, first: first))
                    } else {
                        try body(.valid(row, original: original))
                    }
                }
            } catch {
                throw .body(error)
            }
        }
        progress(reader.bytesRead)
        ending.change = Self.change(of: input, reader: reader)
        ending.streamHash = reader.contentHash
        ending.bytes = reader.bytesRead
        return ending
    }

    /// What changed in a regular input since it was stamped; nil if nothing did.
    private static func change(of input: Input, reader: EarnFileReader) -> String? {
        guard let before = input.stamp ?? reader.openedStamp else { return nil }
        guard let now = reader.currentStamp() else { return "cannot stat it any more" }
        return now == before ? nil : now.difference(from: before)
    }
}

/// Why `InputScan.read` stopped early: the input could not be read further, or the caller's
/// handler failed (a ledger lookup, say).
public enum ScanFailure<Failure: Error>: Error {
    case input(InputError)
    case body(Failure)
}
