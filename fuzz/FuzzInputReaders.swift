// libFuzzer target for the CSV and JSONL readers (and the mapper behind them), compiled by
// fuzz/run.sh together with the library's Input/ and Identity/ sources into one module, so
// internal types are reachable without touching Package.swift.
//
// The first input byte picks the path: CSV, JSONL, the flat JSON scanner alone, or CSV/JSONL
// through the gzip decoder (mostly corrupt streams: they must fail cleanly); the rest
// is the file content, fed through an in-memory ByteSource that returns short, uneven reads
// so chunk boundaries fall everywhere. Any trap, overflow or sanitizer report is a bug.
import Foundation

private let fuzzMapping = MappingOptions(allowMissingDate: false, now: Date(timeIntervalSince1970: 1_767_225_600))

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzInputReaders(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let selector = data[0]
    let content = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch selector % 5 {
    case 0, 1, 3, 4:
        let format: InputFormat = selector % 5 == 0 || selector % 5 == 3 ? .csv : .jsonl
        let gzip = selector % 5 >= 3
        guard let file = try? InputFile(path: "fuzz.\(format.rawValue)\(gzip ? ".gz" : "")") else { return 0 }
        let source = ByteSource(bytes: content, name: file.path, gzip: gzip)
        guard let reader = try? EarnFileReader(file: file, mapping: fuzzMapping, source: source) else { return 0 }
        let detector = DuplicateDetector(memoryBudget: 1 << 16)
        var count = 0
        while let record = try? reader.next() {
            count += 1
            switch record {
            case .valid(let row, let original):
                precondition(row.badgeMetaId.utf8.count == 24 && row.customerId > 0 && !row.referenceId.isEmpty)
                precondition(row.earnEventDate.map { EventInstant(iso8601: $0)?.utcString == $0 } ?? false)
                precondition(format == .jsonl || original.count == reader.columns.count)
                _ = try? detector.firstOccurrence(of: row.requestId, source: row.source, line: row.line)
            case .invalid(let bad):
                precondition(!bad.errors.isEmpty && bad.line >= 1)
            }
            precondition(count <= size + 1, "more records than bytes")
        }
    default:
        _ = content.withUnsafeBufferPointer { FlatJSONScanner.scan($0) }
    }
    return 0
}
