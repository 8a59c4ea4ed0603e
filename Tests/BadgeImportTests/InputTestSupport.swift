import Foundation
@testable import BadgeImport

/// A unique temporary directory per test (tests run in parallel), removed on deinit.
final class InputTempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("badge-import-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, bytes: Array(text.utf8))
    }

    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let p = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    /// Compresses a file with the system gzip, leaving `name.gz`.
    func gzip(_ name: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        process.arguments = ["-k", "-f", path(name)]
        try process.run()
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "gzip failed")
        return path(name) + ".gz"
    }
}

/// 2026-01-01T00:00:00Z: the injected "now" of these tests.
let testNow = Date(timeIntervalSince1970: 1_767_225_600)

func testMapping(_ configure: (inout MappingOptions) -> Void = { _ in }) -> MappingOptions {
    var options = MappingOptions(now: testNow)
    configure(&options)
    return options
}

func readAll(_ path: String, format: InputFormat? = nil, mapping: MappingOptions = testMapping()) throws -> [MappedRecord] {
    let reader = try EarnFileReader(file: try InputFile(path: path, format: format), mapping: mapping)
    var records: [MappedRecord] = []
    while let record = try reader.next() { records.append(record) }
    return records
}

extension MappedRecord {
    var validRow: EarnRow? { if case .valid(let row, _) = self { return row }; return nil }
    var invalidRecord: InvalidRecord? { if case .invalid(let bad) = self { return bad }; return nil }
    var errorKeys: [String] { invalidRecord?.errors.map(\.key) ?? [] }
    var originalCells: [String] {
        switch self {
        case .valid(_, let original): return original
        case .invalid(let bad): return bad.original
        }
    }
}

let sampleHeader = "badgeMetaId,customerId,earnEventDate,ownerType,referenceId"
let goodBadge = "66276dc68fe258516a88ff8e"
