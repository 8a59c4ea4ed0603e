/// The one pass over the inputs of a run or of a validation, so `run` and `validate` cannot
/// read the same file two ways.
///
/// `open` opens every input first, so a missing file or column fails before any work (and
/// before any request). The first `keptOpen` inputs and every stream (stdin, a pipe, a FIFO)
/// stay open, so their bytes are read once; later files are closed again and reopened when
/// their turn comes (their first chunk read twice), so a hundred drops never hold a hundred
/// buffers. With `hashContent`, each input's SHA-256 is taken on the way. `read` then goes
/// through one input record by record, remembers every requestId to find repeats, and says how
/// the input ended.
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
        /// The input's SHA-256 (with `hashContent`, or a stream) and size, once read to its end.
        public var contentHash: String?
        public var bytes: Int64 = 0
    }

    public private(set) var inputs: [Input] = []
    private let mapping: MappingOptions
    private let detector: DuplicateDetector
    private let hashContent: Bool

    /// Inputs whose reader stays open from the header check to their turn (about 0.6 MB each).
    static let keptOpen = 4

    /// Opens every input (reading its header). Throws the first that cannot be opened.
    /// - Parameters:
    ///   - duplicates: the repeat check, with its memory budget and scratch directory.
    ///   - hashContent: take each input's SHA-256 as it is read (`Ending.contentHash`).
    public init(files: [InputFile], mapping: MappingOptions, duplicates: DuplicateDetector = DuplicateDetector(),
                hashContent: Bool = false) throws(InputError) {
        self.mapping = mapping
        self.hashContent = hashContent
        detector = duplicates
        for (index, file) in files.enumerated() {
            let stream = file.isStream
            let stamp = stream ? nil : FileStamp.of(path: file.path)
            let keep = stream || index < Self.keptOpen
            let reader = try EarnFileReader(file: file, mapping: mapping, hashContent: stream || (keep && hashContent))
            inputs.append(Input(file: file, columns: reader.columns, stamp: stamp, openReader: keep ? reader : nil))
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
            do { reader = try EarnFileReader(file: input.file, mapping: mapping, hashContent: hashContent) }
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
            let event: Event
            if reader.lastRecordUnterminated, let change = Self.change(of: input, reader: reader) {
                event = .cutShort(record, change: change)
            } else {
                // Consumed, so the row's strings move into the event instead of being copied.
                switch consume record {
                case .invalid(let invalid):
                    event = .invalid(invalid)
                case .valid(let row, let original):
                    guard keep(row) else { continue }
                    let first: (source: String, line: Int)?
                    do { first = try detector.firstOccurrence(of: row.requestId, source: row.source, line: row.line) }
                    catch { throw .input(error) }
                    event = first.map { .repeated(row, original: original, first: $0) } ?? .valid(row, original: original)
                }
            }
            do throws(Failure) { try body(event) } catch { throw .body(error) }
        }
        progress(reader.bytesRead)
        ending.change = Self.change(of: input, reader: reader)
        ending.contentHash = reader.contentHash
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
