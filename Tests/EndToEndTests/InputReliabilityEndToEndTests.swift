import Foundation
import Testing

/// Inputs read once, bounded records and drops still being written, through the real binary.
@Suite(.serialized) struct InputReliabilityEndToEndTests {
    // MARK: Pipes and FIFOs are read once

    @Test func aNamedFIFOIsReadOnceAndEveryRowSent() throws {
        let dir = try TemporaryDirectory()
        let fifo = dir.url.appendingPathComponent("drop.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let text = EarnFixtures.csv(rows: 120)
        let writer = Self.feed(fifo, text)
        let mock = try MockServerProcess()
        let result = try BinaryProcess.run(["run", "drop.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                            "--report-dir", "out", "--quiet"], directory: dir.url, timeout: 30)
        writer.wait()
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(try mock.stat("committedEarns") == 120)
        #expect(try mock.stat("requests") == 120)
        let results = try CSVText.rows(dir.read("out/results.csv")).dropFirst()
        #expect(results.count == 120 && results.allSatisfy { $0[3] == "earned" })
    }

    @Test func standardInputNamedAsDevFdIsReadOnce() throws {
        // `run <(zcat x.gz)` hands the tool /dev/fd/63; /dev/stdin is the same kind of path.
        let dir = try TemporaryDirectory()
        let text = EarnFixtures.csv(rows: 80, firstCustomer: 73_000_000)
        let mock = try MockServerProcess()
        let result = try BinaryProcess.run(["run", "--format", "csv", "/dev/stdin", "--base-url", mock.baseURL,
                                            "--ledger", "l.ledger", "--report-dir", "out", "--quiet"],
                                           directory: dir.url, stdin: Data(text.utf8), timeout: 30)
        #expect(result.exitCode == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(try mock.stat("committedEarns") == 80)
        // The hash recorded is of the bytes actually read: the same content as a file is done.
        try dir.write("same.csv", text)
        let again = try BinaryProcess.run(["run", "same.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                           "--report-dir", "out2", "--quiet"], directory: dir.url)
        #expect(again.exitCode == 0)
        #expect(try mock.stat("committedEarns") == 80 && mock.stat("requests") == 80)
    }

    @Test func validateOnAFIFOFinishesWithTheRightCounts() throws {
        let dir = try TemporaryDirectory()
        let fifo = dir.url.appendingPathComponent("drop.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        try dir.write("plain.csv", EarnFixtures.csv(rows: 10, firstCustomer: 74_000_000))
        let writer = Self.feed(fifo, EarnFixtures.csv(rows: 50) + "not,a,row\n")
        let started = Date()
        let result = try BinaryProcess.run(["validate", "plain.csv", "drop.csv"], directory: dir.url, timeout: 20)
        writer.wait()
        #expect(Date().timeIntervalSince(started) < 15, "no hang waiting for a second writer")
        #expect(result.exitCode == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("61 records in 2 inputs: 60 valid"), "\(result.stdout)")
    }

    // MARK: Bounded records

    @Test func aHeaderOfMillionsOfCommasIsRefusedQuicklyInLittleMemory() throws {
        let dir = try TemporaryDirectory()
        try Data((String(repeating: ",", count: 5_000_000) + "\n" + EarnFixtures.csv(rows: 2)).utf8)
            .write(to: dir.url.appendingPathComponent("wide.csv"))
        let mock = try MockServerProcess()
        for command in [["validate", dir.path + "/wide.csv"],
                        ["run", dir.path + "/wide.csv", "--base-url", mock.baseURL, "--ledger", dir.path + "/l.ledger",
                         "--report-dir", dir.path + "/out", "--quiet"]] {
            let measured = try Measured.run(command, in: dir)
            #expect(measured.exitCode == 2, "\(measured.stderr)")
            #expect(measured.stderr.contains("wide.csv") && measured.stderr.contains("more than 1000 columns"), "\(measured.stderr)")
            #expect(measured.seconds < 15)
            #expect(measured.peakKB < 300_000, "peak RSS \(measured.peakKB) KB")
        }
        #expect(try mock.stat("requests") == 0)
    }

    @Test func aRowOfMillionsOfCommasIsOneInvalidRowAndTheRunGoesOn() throws {
        let dir = try TemporaryDirectory()
        let rows = EarnFixtures.csv(rows: 4).split(separator: "\n", omittingEmptySubsequences: false)
        // header, 2 rows, the giant row (line 4), 2 rows, then an unterminated quote of 5 MB (line 7).
        let text = rows[0...2].joined(separator: "\n") + "\n" + String(repeating: ",", count: 5_000_000) + "\n"
            + rows[3...4].joined(separator: "\n") + "\n\"" + String(repeating: "x", count: 5_000_000)
        try Data(text.utf8).write(to: dir.url.appendingPathComponent("rows.csv"))
        let mock = try MockServerProcess()
        let measured = try Measured.run(["run", dir.path + "/rows.csv", "--base-url", mock.baseURL,
                                         "--ledger", dir.path + "/l.ledger", "--report-dir", dir.path + "/out", "--quiet"],
                                        in: dir)
        #expect(measured.exitCode == 1, "\(measured.stdout)\n\(measured.stderr)")
        #expect(measured.seconds < 20)
        #expect(measured.peakKB < 300_000, "peak RSS \(measured.peakKB) KB")
        #expect(try mock.stat("committedEarns") == 4)
        let invalid = try CSVText.rows(dir.read("out/results.csv")).dropFirst().filter { $0[3] == "invalid" }
        #expect(invalid.map { $0[1] }.sorted() == ["4", "7"])
        let failed = try dir.read("out/failed.csv")
        #expect(failed.contains("more than 1000 cells"))
        #expect(failed.contains("record longer than 1048576 bytes"))
    }

    // MARK: Drops still being written

    @Test func aFolderTakesOnlySettledFilesUnlessSettleIsZero() throws {
        let dir = try TemporaryDirectory()
        let drops = dir.url.appendingPathComponent("drops")
        try FileManager.default.createDirectory(at: drops, withIntermediateDirectories: true)
        try EarnFixtures.csv(rows: 10, firstCustomer: 75_000_000).write(to: drops.appendingPathComponent("old.csv"), atomically: true, encoding: .utf8)
        try EarnFixtures.csv(rows: 7, firstCustomer: 76_000_000).write(to: drops.appendingPathComponent("fresh.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3_600)],
                                              ofItemAtPath: drops.appendingPathComponent("old.csv").path)
        let mock = try MockServerProcess()
        let args = ["run", "drops", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--quiet"]

        let first = try BinaryProcess.run(args + ["--report-dir", "r1"], directory: dir.url)
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(try mock.stat("committedEarns") == 10)
        #expect(first.stderr.contains("drops/fresh.csv") && first.stderr.contains("left for the next run"), "\(first.stderr)")
        #expect(!first.stdout.contains("fresh.csv"))

        // Only the fresh file left: like an empty folder, but saying which file waits.
        try FileManager.default.removeItem(at: drops.appendingPathComponent("old.csv"))
        let waiting = try BinaryProcess.run(args + ["--report-dir", "r2"], directory: dir.url)
        #expect(waiting.exitCode == 0)
        #expect(waiting.stdout.contains("1 not settled yet") && waiting.stderr.contains("drops/fresh.csv"), "\(waiting.stdout)")
        #expect(try mock.stat("committedEarns") == 10)

        let validate = try BinaryProcess.run(["validate", "drops"], directory: dir.url)
        #expect(validate.stdout.contains("0 records in 0 inputs") && validate.stderr.contains("drops/fresh.csv"))

        let settled = try BinaryProcess.run(args + ["--report-dir", "r3", "--settle", "0"], directory: dir.url)
        #expect(settled.exitCode == 0, "\(settled.stderr)")
        #expect(try mock.stat("committedEarns") == 17)
        // The same from the environment.
        try EarnFixtures.csv(rows: 3, firstCustomer: 77_000_000).write(to: drops.appendingPathComponent("next.csv"), atomically: true, encoding: .utf8)
        let fromEnv = try BinaryProcess.run(args + ["--report-dir", "r4"], environment: ["BADGE_IMPORT_SETTLE": "0"], directory: dir.url)
        #expect(fromEnv.exitCode == 0, "\(fromEnv.stderr)")
        #expect(try mock.stat("committedEarns") == 20)
    }

    @Test func aFileGrowingWhileReadIsReportedChangedAndItsCutLastRecordWaitsForTheNextRun() throws {
        let dir = try TemporaryDirectory()
        // 399 whole rows and the start of the 400th: "backfill-39" of "backfill-399".
        let whole = EarnFixtures.csv(rows: 400)
        let cut = String(whole.dropLast(2))
        try dir.write("drop.csv", cut)
        // 10 ms an answer and one worker: the reader, held by the full queue, reaches the end of
        // the file seconds after the first answers, long after the writer went on.
        let mock = try MockServerProcess(["--latency-ms", "10"])
        let args = ["run", "drop.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--concurrency", "1"]
        let run = try BinaryProcess(args + ["--report-dir", "r1", "--quiet"], directory: dir.url)
        var waited = 0
        while try mock.stat("committedEarns") < 3 && waited < 400 { usleep(10_000); waited += 1 }
        let handle = try FileHandle(forWritingTo: dir.url.appendingPathComponent("drop.csv"))
        try handle.seekToEnd(); try handle.write(contentsOf: Data("9".utf8)); try handle.close()
        let result = run.wait(timeout: 60)

        #expect(result.exitCode == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("CHANGED while read"), "\(result.stdout)")
        #expect(try mock.stat("committedEarns") == 399, "the cut last record is not sent")
        let summary = try JSONSerialization.jsonObject(with: Data(dir.read("r1/summary.json").utf8)) as! [String: Any]
        let input = (summary["inputs"] as! [[String: Any]])[0]
        #expect(input["changedWhileRead"] as? Bool == true && input["fullyProcessed"] as? Bool == false)
        #expect((input["problem"] as? String)?.contains("changed while it was read") == true)
        #expect(result.stderr.contains("input changed while it was read") && result.stderr.contains("drop.csv"), "\(result.stderr)")
        let held = try CSVText.rows(dir.read("r1/results.csv")).dropFirst().filter { $0[3] == "failed" }
        #expect(held.count == 1 && held.first?[1] == "401" && held.first?[5] == "not-sent")

        // The writer finishes the line: the next run sends that record, and only it.
        let finish = try FileHandle(forWritingTo: dir.url.appendingPathComponent("drop.csv"))
        try finish.seekToEnd(); try finish.write(contentsOf: Data("\n".utf8)); try finish.close()
        let next = try BinaryProcess.run(args + ["--report-dir", "r2", "--quiet"], directory: dir.url)
        #expect(next.exitCode == 0, "\(next.stdout)\n\(next.stderr)")
        #expect(try mock.stat("committedEarns") == 400)
        #expect(try mock.stat("doubleEarns") == 0)
        let again = try CSVText.rows(dir.read("r2/results.csv")).dropFirst()
        #expect(again.filter { $0[3] == "earned" }.map { $0[1] } == ["401"])
    }

    // MARK: Helpers

    /// Writes `text` into a FIFO from another thread (opening blocks until the reader opens it).
    private static func feed(_ fifo: String, _ text: String) -> DispatchGroup {
        let group = DispatchGroup()
        group.enter()
        Thread {
            defer { group.leave() }
            let fd = open(fifo, O_WRONLY)
            guard fd >= 0 else { return }
            defer { close(fd) }
            let bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n <= 0 { return }
                offset += n
            }
        }.start()
        return group
    }
}

/// The binary run with posix_spawn and reaped with wait4, for its own peak RSS (Foundation's
/// Process reaps its children itself, and RUSAGE_CHILDREN mixes every child of the test process).
struct Measured {
    var exitCode: Int32
    var stdout: String
    var stderr: String
    var seconds: Double
    var peakKB: Int

    static func run(_ arguments: [String], in dir: TemporaryDirectory) throws -> Measured {
        let outPath = dir.path + "/measured.out", errPath = dir.path + "/measured.err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([BadgeImportBinary.url.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CAP_") && !$0.key.hasPrefix("BADGE_IMPORT_") }
            .map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        var pid: pid_t = 0
        let started = Date()
        let rc = posix_spawn(&pid, BadgeImportBinary.url.path, &actions, nil, argv, env)
        guard rc == 0 else { throw MockProcessError("posix_spawn failed: \(rc)") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let seconds = Date().timeIntervalSince(started)
        let exitCode = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Measured(exitCode: exitCode,
                        stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                        stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
                        seconds: seconds, peakKB: Int(usage.ru_maxrss))
    }
}
