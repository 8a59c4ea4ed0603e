import Foundation
import Testing

/// Nightly drops, dry runs, shards and reports, through the real binary against the mock.
@Suite(.serialized) struct OperationsEndToEndTests {
    @Test func dryRunSendsNothingAndListsWhatWouldBeSent() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 40))
        let mock = try MockServerProcess()
        let first = try BinaryProcess.run(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                           "--report-dir", "r1", "--quiet"], directory: dir.url)
        #expect(first.exitCode == 0)
        try dir.write("more.csv", EarnFixtures.csv(rows: 60))  // the first 40 rows are the same events
        let requests = try mock.stat("requests")

        let dry = try BinaryProcess.run(["run", "more.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                         "--report-dir", "dry", "--dry-run", "--quiet"], directory: dir.url)
        #expect(dry.exitCode == 0, "\(dry.stderr)")
        #expect(try mock.stat("requests") == requests, "a dry run sends nothing")
        let statuses = try CSVText.rows(dir.read("dry/results.csv")).dropFirst().map { $0[3] }
        #expect(statuses.filter { $0 == "already-done" }.count == 40)
        #expect(statuses.filter { $0 == "would-send" }.count == 20)
        #expect(dry.stdout.contains("dry run"))
    }

    @Test func dropFolderIsProcessedInNameOrderOnceAndArchived() throws {
        let dir = try TemporaryDirectory()
        let drops = dir.url.appendingPathComponent("drops")
        try FileManager.default.createDirectory(at: drops, withIntermediateDirectories: true)
        try EarnFixtures.csv(rows: 30, firstCustomer: 71_000_000).write(to: drops.appendingPathComponent("b.csv"), atomically: true, encoding: .utf8)
        try EarnFixtures.csv(rows: 20, firstCustomer: 72_000_000).write(to: drops.appendingPathComponent("a.csv"), atomically: true, encoding: .utf8)
        try "ignored".write(to: drops.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        let mock = try MockServerProcess()
        // The files were just written: --settle 0 takes them at once (the default waits 30 s).
        let args = ["run", "drops", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--quiet", "--settle", "0"]

        let first = try BinaryProcess.run(args + ["--report-dir", "n1"], directory: dir.url)
        #expect(first.exitCode == 0, "\(first.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(dir.read("n1/summary.json").utf8)) as! [String: Any]
        let inputs = summary["inputs"] as! [[String: Any]]
        #expect(inputs.map { $0["path"] as! String } == ["drops/a.csv", "drops/b.csv"])

        // The same content dropped again under another name is skipped at once.
        try FileManager.default.copyItem(at: drops.appendingPathComponent("a.csv"), to: drops.appendingPathComponent("c.csv"))
        let requests = try mock.stat("requests")
        let second = try BinaryProcess.run(args + ["--report-dir", "n2", "--archive-dir", "done"], directory: dir.url)
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(try mock.stat("requests") == requests)
        let again = try JSONSerialization.jsonObject(with: Data(dir.read("n2/summary.json").utf8)) as! [String: Any]
        #expect((again["inputs"] as! [[String: Any]]).allSatisfy { $0["skipped"] as? Bool == true })
        // Fully processed files move to the archive.
        let archived = try FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("done").path).sorted()
        #expect(archived == ["a.csv", "b.csv", "c.csv"])
    }

    @Test func emptyDropFolderIsAQuietNight() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("drops"), withIntermediateDirectories: true)
        let result = try BinaryProcess.run(["run", "drops", "--base-url", "http://127.0.0.1:9", "--ledger", "l.ledger"],
                                           directory: dir.url)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("nothing to do"))
    }

    @Test func shardsSplitOneFileWithNoOverlapAndNoGapAndMergeInStatusAndReport() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 300))
        let mock = try MockServerProcess()
        for index in 0..<3 {
            let result = try BinaryProcess.run(
                ["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "shard-\(index).ledger", "--shards", "3",
                 "--report-dir", "s\(index)", "--quiet"],
                environment: ["JOB_COMPLETION_INDEX": String(index)], directory: dir.url)
            #expect(result.exitCode == 0, "\(result.stderr)")
        }
        var seen: [String: Int] = [:]
        for index in 0..<3 {
            for row in try CSVText.rows(dir.read("s\(index)/results.csv")).dropFirst() { seen[row[2], default: 0] += 1 }
        }
        #expect(seen.count == 300, "the union of the shards is the whole file")
        #expect(seen.values.allSatisfy { $0 == 1 }, "no row in two shards")
        #expect(try mock.stat("committedEarns") == 300)

        let ledgers = (0..<3).flatMap { ["--ledger", "shard-\($0).ledger"] }
        let status = try BinaryProcess.run(["status", "--json"] + ledgers, directory: dir.url)
        #expect(status.exitCode == 0, "\(status.stderr)")
        let merged = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as! [String: Any]
        #expect((merged["rowsByStatus"] as? [String: Int])?["earned"] == 300)

        let report = try BinaryProcess.run(["report", "--output-dir", "all"] + ledgers, directory: dir.url)
        #expect(report.exitCode == 0, "\(report.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(dir.read("all/summary.json").utf8)) as! [String: Any]
        #expect((summary["counts"] as? [String: Int])?["earned"] == 300)
        #expect(try dir.read("all/report.html").contains("data-metric=\"earned\""))
    }

    @Test func reportRendersAPastRunAgainFromTheLedger() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 25))
        let mock = try MockServerProcess()
        let run = try BinaryProcess.run(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                         "--report-dir", "orig", "--quiet"], directory: dir.url)
        #expect(run.exitCode == 0)
        let report = try BinaryProcess.run(["report", "--ledger", "l.ledger", "--run", "1", "--output-dir", "again"],
                                           directory: dir.url)
        #expect(report.exitCode == 0, "\(report.stderr)")
        #expect(try dir.read("again/summary.json") == dir.read("orig/summary.json"))
        let missing = try BinaryProcess.run(["report", "--ledger", "l.ledger", "--run", "9"], directory: dir.url)
        #expect(missing.exitCode == 2)
    }
}

/// The container runs as an unprivileged user. The mock once set a socket option only root may
/// set (SO_DEBUG, by asking for TCP_NODELAY at the wrong level), and refused every connection
/// for anyone else: this runs the sample as `nobody` when the tests run as root.
@Suite struct UnprivilegedUserTests {
    @Test(.enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser")))
    func embeddedMockServesAnUnprivilegedUser() throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.path)
        let binary = dir.url.appendingPathComponent("badge-import")
        try FileManager.default.copyItem(at: BadgeImportBinary.url, to: binary)
        try dir.write("earns.csv", EarnFixtures.csv(rows: 20))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir.url.appendingPathComponent("earns.csv").path)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        process.arguments = ["-u", "nobody", "--", binary.path, "run", "--mock", "earns.csv", "--ledger", "l.ledger",
                             "--report-dir", "out", "--quiet"]
        process.currentDirectoryURL = dir.url
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("earned              20"))
    }
}
