import Foundation
import Testing

/// Runs the real `badge-import` binary (built by `swift build --build-tests`).
struct ValidateCommandTests {
    struct Run { var status: Int32; var stdout: String; var stderr: String }

    static func binary() throws -> URL {
        // Next to the test bundle first (whatever the build configuration), then the package's debug build.
        var candidates: [URL] = []
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        candidates.append(runner.appendingPathComponent("badge-import"))
        candidates.append(runner.deletingLastPathComponent().appendingPathComponent("badge-import"))
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
                candidates.append(dir.appendingPathComponent(".build/debug/badge-import"))
                break
            }
            dir = dir.deletingLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "badge-import not built; run swift build --build-tests"])
        }
        return found
    }

    static var packageRoot: URL {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { dir = dir.deletingLastPathComponent() }
        return dir
    }

    func run(_ arguments: [String], stdin: Data? = nil, in directory: URL? = nil) throws -> Run {
        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    func tempDir() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("badge-import-e2e-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    let header = "badgeMetaId,customerId,earnEventDate,ownerType,referenceId\n"
    let good = "66276dc68fe258516a88ff8e,62090013,2024-03-01T10:00:00Z,Historical_Import,r1\n"

    @Test func allValidExitsZero() throws {
        let dir = try tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        try (header + good).write(to: dir.appendingPathComponent("ok.csv"), atomically: true, encoding: .utf8)
        let result = try run(["validate", "ok.csv"], in: dir)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("1 records in 1 input: 1 valid"))
        #expect(result.stderr.isEmpty)
    }

    @Test func invalidRowsExitOneAndWriteReports() throws {
        let dir = try tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let text = header + good + "66276dc68fe258516a88ff8e,62O90013,2023-02-30T10:00:00Z,Historical-Import,r2\n" + good
        try text.write(to: dir.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
        let result = try run(["validate", "in.csv", "--report-dir", "rep"], in: dir)
        #expect(result.status == 1)
        let invalid = try String(contentsOf: dir.appendingPathComponent("rep/invalid.csv"), encoding: .utf8)
        let lines = invalid.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0] == "source,line,field,reason,badgeMetaId,customerId,earnEventDate,ownerType,referenceId")
        #expect(lines[1].hasPrefix("in.csv,3,customerId; earnEventDate; ownerType,"))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("rep/summary.json"))) as? [String: Any]
        #expect(summary?["records"] as? Int == 3)
        #expect(summary?["valid"] as? Int == 2)
        #expect(summary?["invalid"] as? Int == 1)
        #expect(summary?["duplicatesInInput"] as? Int == 1)
        #expect(summary?["uniqueRequestIds"] as? Int == 1)
        #expect(summary?["invalidByReason"] as? [String: Int] == ["customerId.notInteger": 1, "earnEventDate.invalid": 1, "ownerType.unknown": 1])
    }

    /// The duplicate check's memory is a flag: checked before any row, and any budget in range
    /// gives the same counts.
    @Test func duplicateMemoryIsAFlagCheckedUpFront() throws {
        let dir = try tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        try (header + good + good).write(to: dir.appendingPathComponent("in.csv"), atomically: true, encoding: .utf8)
        let small = try run(["validate", "in.csv", "--duplicate-memory", "4", "--report-dir", "rep"], in: dir)
        #expect(small.status == 0)
        #expect(small.stdout.hasPrefix("2 records in 1 input: 2 valid (1 unique requestIds, 1 duplicate-in-input)"))
        let tooSmall = try run(["validate", "in.csv", "--duplicate-memory", "2"], in: dir)
        #expect(tooSmall.status == 2)
        #expect(tooSmall.stderr.contains("--duplicate-memory: duplicate memory 2 MiB must be between 4 and 65536"), "\(tooSmall.stderr)")
    }

    @Test func standardInputNeedsFormat() throws {
        let piped = try run(["validate", "-", "--format", "csv"], stdin: Data((header + good + good).utf8))
        #expect(piped.status == 0)
        #expect(piped.stdout.hasPrefix("2 records in 1 input: 2 valid (1 unique requestIds, 1 duplicate-in-input)"))
        let jsonl = try run(["validate", "-", "--format", "jsonl"], stdin: Data("{\"customerId\":1}\n".utf8))
        #expect(jsonl.status == 1)
        let noFormat = try run(["validate", "-"], stdin: Data())
        #expect(noFormat.status == 2)
        #expect(noFormat.stderr == "badge-import: -: reading standard input needs --format csv|jsonl\n")
    }

    @Test func usageAndIOErrorsExitTwoWithOneLine() throws {
        let dir = try tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        try (header + good).write(to: dir.appendingPathComponent("ok.csv"), atomically: true, encoding: .utf8)
        let missing = try run(["validate", "ok.csv", "missing.csv"], in: dir)
        #expect(missing.status == 2)
        #expect(missing.stderr == "badge-import: missing.csv: no such file or directory\n")
        #expect(missing.stdout.isEmpty)
        let owner = try run(["validate", "ok.csv", "--owner-type", "Historical-Import"], in: dir)
        #expect(owner.status == 2)
        #expect(owner.stderr.hasPrefix("badge-import: --owner-type 'Historical-Import': expected one of Loyalty,"))
        let map = try run(["validate", "ok.csv", "--map", "customer=cust"], in: dir)
        #expect(map.status == 2)
        #expect(map.stderr.contains("unknown field 'customer'"))
        let badge = try run(["validate", "ok.csv", "--badge-meta-id", "xyz"], in: dir)
        #expect(badge.status == 2)
        let pattern = try run(["validate", "nothing-*.csv"], in: dir)
        #expect(pattern.status == 2)
        for r in [missing, owner, map, badge, pattern] { #expect(r.stderr.split(separator: "\n").count == 1) }
    }

    /// The shipped samples: the deliberately bad rows and nothing else.
    @Test func samplesHaveExactlyTheDocumentedBadRows() throws {
        let dir = try tempDir(); defer { try? FileManager.default.removeItem(at: dir) }
        let root = Self.packageRoot
        let result = try run(["validate", root.appendingPathComponent("samples/backfill.csv").path,
                              root.appendingPathComponent("samples/backfill.jsonl").path, "--report-dir", dir.path])
        #expect(result.status == 1)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("summary.json"))) as? [String: Any]
        #expect(summary?["invalid"] as? Int == 6)
        #expect(summary?["duplicatesInInput"] as? Int == 1)
        let invalid = try String(contentsOf: dir.appendingPathComponent("invalid.csv"), encoding: .utf8)
        let lines = invalid.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[1] }
        #expect(lines == ["33", "34", "35", "36", "19", "20"])
    }
}
