import BadgeImport
import Foundation
import Testing

/// The ways a run could lose rows silently through its ledger, tried with the real binary: a
/// ledger reused for another API, a ledger that cannot be read or written, an input that ends
/// early, outcomes kept only in memory on a slow run, and names that forge screen lines.
@Suite(.serialized) struct LedgerSafetyEndToEndTests {
    private func summary(_ dir: TemporaryDirectory, _ name: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(dir.read(name).utf8)) as! [String: Any]
    }

    @Test func aLedgerIsBoundToTheAPIItWasWrittenFor() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 30))
        let staging = try MockServerProcess()
        let production = try MockServerProcess()

        // The README's first example: a demo against the embedded mock, default ledger.
        let demo = try BinaryProcess.run(["run", "--mock", "earns.csv", "--quiet", "--report-dir", "demo"], directory: dir.url)
        #expect(demo.exitCode == 0, "\(demo.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(Ledger.defaultMockPath).path))
        // ...then the real thing from the same folder: the mock's ledger is not the real one's.
        let real = try BinaryProcess.run(["run", "earns.csv", "--base-url", staging.baseURL, "--quiet", "--report-dir", "real"],
                                         directory: dir.url)
        #expect(real.exitCode == 0, "\(real.stderr)")
        #expect(try staging.stat("committedEarns") == 30, "the real server got every row, not 'already done'")

        // Staging's ledger against production: refused before any request, naming both.
        let wrong = try BinaryProcess.run(["run", "earns.csv", "--base-url", production.baseURL + "/", "--quiet",
                                           "--report-dir", "wrong"], directory: dir.url)
        #expect(wrong.exitCode == 2, "\(wrong.stdout)\n\(wrong.stderr)")
        #expect(wrong.stderr.contains(staging.baseURL) && wrong.stderr.contains(production.baseURL))
        #expect(wrong.stderr.contains("--rebind-ledger"))
        #expect(try production.stat("requests") == 0)
        // The same target written another way (trailing slash, upper-case scheme) is the same target.
        let same = try BinaryProcess.run(["run", "earns.csv", "--base-url", staging.baseURL.replacingOccurrences(of: "http:", with: "HTTP:") + "/",
                                          "--quiet", "--report-dir", "same"], directory: dir.url)
        #expect(same.exitCode == 0, "\(same.stderr)")
        // Another user on the same URL is another target too (never the password: it is not recorded).
        let otherUser = try BinaryProcess.run(["run", "earns.csv", "--base-url", staging.baseURL, "--username", "someone.else",
                                               "--quiet", "--report-dir", "other"],
                                              environment: ["CAP_PASSWORD": "pw-not-in-any-file"], directory: dir.url)
        #expect(otherUser.exitCode == 2 && otherUser.stderr.contains("basic:someone.else"), "\(otherUser.stderr)")
        let ledgerBytes = try Data(contentsOf: dir.url.appendingPathComponent(Ledger.defaultPath))
        #expect(ledgerBytes.range(of: Data("pw-not-in-any-file".utf8)) == nil)
        // A dry run is refused the same way.
        let dry = try BinaryProcess.run(["run", "earns.csv", "--base-url", production.baseURL, "--dry-run", "--quiet",
                                         "--report-dir", "dry"], directory: dir.url)
        #expect(dry.exitCode == 2, "\(dry.stderr)")

        // Told explicitly, the ledger moves to production, and the run records that it did.
        let rebound = try BinaryProcess.run(["run", "earns.csv", "--base-url", production.baseURL, "--rebind-ledger",
                                             "--reprocess", "--quiet", "--report-dir", "rebound"], directory: dir.url)
        #expect(rebound.exitCode == 0, "\(rebound.stderr)")
        let options = try summary(dir, "rebound/summary.json")["options"] as? [String: String]
        #expect(options?["rebind_ledger"]?.contains(production.baseURL) == true)
        let after = try BinaryProcess.run(["run", "earns.csv", "--base-url", staging.baseURL, "--quiet", "--report-dir", "after"],
                                          directory: dir.url)
        #expect(after.exitCode == 2, "now bound to production, staging is refused")
    }

    @Test func anotherNameForTheLedgerMeetsTheSameLock() throws {
        // The lock is the ledger file's (its inode): neither a symlink nor a deleted lock file
        // lets a second run work a ledger a first one holds.
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 400))
        let mock = try MockServerProcess(["--latency-ms", "50"])
        try FileManager.default.createSymbolicLink(atPath: dir.url.appendingPathComponent("alias.ledger").path,
                                                   withDestinationPath: "real.ledger")
        let args = ["run", "earns.csv", "--base-url", mock.baseURL, "--quiet", "--concurrency", "2"]
        let first = try BinaryProcess(args + ["--ledger", "real.ledger", "--report-dir", "r1"], directory: dir.url)
        var waited = 0
        while try mock.stat("requests") < 1 && waited < 200 { usleep(50_000); waited += 1 }
        try? FileManager.default.removeItem(at: dir.url.appendingPathComponent("real.ledger.lock"))
        let second = try BinaryProcess.run(args + ["--ledger", "alias.ledger", "--report-dir", "r2"], directory: dir.url)
        #expect(second.exitCode == 2, "\(second.stderr)")
        #expect(second.stderr.contains("alias.ledger") && second.stderr.contains("in use"), "\(second.stderr)")
        first.signal(SIGTERM)
        #expect(first.wait().exitCode == 3)
    }

    @Test func aTruncatedInputIsNamedWithItsLineOnScreenInTheLogAndTheReport() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 5_000))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-k", dir.url.appendingPathComponent("earns.csv").path]
        try gzip.run()
        gzip.waitUntilExit()
        let whole = try Data(contentsOf: dir.url.appendingPathComponent("earns.csv.gz"))
        try whole.prefix(whole.count / 2).write(to: dir.url.appendingPathComponent("cut.csv.gz"))

        let mock = try MockServerProcess()
        let args = ["run", "cut.csv.gz", "--base-url", mock.baseURL, "--ledger", "l.ledger"]
        let result = try BinaryProcess.run(args + ["--report-dir", "r1"], directory: dir.url)
        #expect(result.exitCode == 1, "\(result.stdout)\n\(result.stderr)")
        let sent = try mock.stat("committedEarns")
        #expect(sent > 0 && sent < 5_000)
        // The screen names the input, the last line read and why.
        let screen = result.stdout.split(separator: "\n").first { $0.contains("NOT READ TO THE END") }
        #expect(screen?.contains("truncated gzip") == true && screen?.contains("line \(sent + 1)") == true,
                "\(result.stdout)")
        // The log too, with the input's name.
        #expect(result.stderr.contains("input not read to the end") && result.stderr.contains("cut.csv.gz"), "\(result.stderr)")
        // And summary.json, where the input is not fully processed.
        let input = (try summary(dir, "r1/summary.json")["inputs"] as? [[String: Any]])?.first
        #expect((input?["problem"] as? String)?.contains("line \(sent + 1)") == true)
        #expect(input?["fullyProcessed"] as? Bool == false)
        // A rerun reads it again (not skipped by its hash) and finds the same place.
        let again = try BinaryProcess.run(args + ["--report-dir", "r2", "--quiet"], directory: dir.url)
        #expect(again.exitCode == 1)
        #expect((try summary(dir, "r2/summary.json")["inputs"] as? [[String: Any]])?.first?["skipped"] as? Bool == false)
        #expect(try mock.stat("committedEarns") == sent)
    }

    @Test func aCorruptLedgerStopsTheRunWithExitThree() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 3_000))
        let mock = try MockServerProcess()
        let args = ["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--quiet"]
        #expect(try BinaryProcess.run(args + ["--report-dir", "r1"], directory: dir.url).exitCode == 0)
        // Damage every page after the schema's, whole: whatever the run reads first (the target,
        // an input's hash, a row's entry) meets SQLite error 11. (Damage inside a page can land in
        // its free space and go unnoticed.)
        let handle = try FileHandle(forUpdating: dir.url.appendingPathComponent("l.ledger"))
        let pages = Int(try handle.seekToEnd()) / 4096
        for page in 2..<pages {
            try handle.seek(toOffset: UInt64(page * 4096))
            handle.write(Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ page) }))
        }
        try handle.close()
        let requestsBefore = try mock.stat("requests")

        let result = try BinaryProcess.run(args + ["--report-dir", "r2", "--reprocess"], directory: dir.url)
        #expect(result.exitCode == 3, "\(result.stdout)\n\(result.stderr)")
        #expect((result.stdout + result.stderr).contains("SQLite error 11"), "\(result.stdout)\n\(result.stderr)")
        #expect(try mock.stat("requests") == requestsBefore, "nothing is sent that the ledger could not check")
    }

    @Test func aLedgerThatCannotBeWrittenStopsTheSending() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 6_000))
        let mock = try MockServerProcess()
        // A full disk, for this process only: files may not grow past 1 MiB. SIGXFSZ ignored,
        // so a write past the limit fails with EFBIG as it would with ENOSPC.
        let command = "trap '' XFSZ; ulimit -f 1024; exec \"$0\" \"$@\""
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", command, BadgeImportBinary.url.path, "run", "earns.csv", "--base-url", mock.baseURL,
                             "--ledger", "l.ledger", "--report-dir", "out", "--quiet", "--concurrency", "4"]
        process.currentDirectoryURL = dir.url
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        #expect(process.terminationStatus == 3, "\(stdout)")
        #expect(stdout.contains("the ledger could not be written") && stdout.contains("no more rows were taken"), "\(stdout)")
        let reader = try Ledger.openForReading(path: dir.url.appendingPathComponent("l.ledger").path)
        let recorded = try reader.status().rowsByStatus.values.reduce(0, +)
        reader.close()
        let earned = try mock.stat("committedEarns")
        #expect(earned < 6_000, "the sending stopped")
        // What was sent and not recorded is the batch whose commit failed and the few answers
        // that came in meanwhile, and the message counts it exactly.
        #expect(earned - recorded <= 600, "recorded \(recorded), earned \(earned)")
        #expect(stdout.contains("it holds \(recorded) outcomes of this run; \(earned - recorded) outcomes of rows that were sent are not in it"),
                "\(stdout)")
    }

    @Test func aSlowRunCommitsItsOutcomesEverySecond() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 400))
        let mock = try MockServerProcess()
        let run = try BinaryProcess(["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger",
                                     "--report-dir", "out", "--quiet", "--rate", "40/s"], directory: dir.url)
        let deadline = Date().addingTimeInterval(20)
        while try mock.stat("committedEarns") < 80 && Date() < deadline { usleep(50_000) }
        usleep(1_500_000)   // a second and a half for the timer to commit what was earned so far
        run.signal(SIGKILL)
        run.wait()
        let earned = try mock.stat("committedEarns")
        let reader = try Ledger.openForReading(path: dir.url.appendingPathComponent("l.ledger").path)
        let recorded = try reader.status().rowsByStatus["earned"] ?? 0
        reader.close()
        // 500-row batches alone would have left nothing: the ledger is at most ~1.5 s behind.
        #expect(earned < 400, "killed mid-run")
        #expect(recorded >= 80 && earned - recorded <= 80, "recorded \(recorded) of \(earned)")
    }

    @Test func controlCharactersInANameCannotForgeAScreenLine() throws {
        let dir = try TemporaryDirectory()
        let forged = "a\nrun 1 done, every valid row is on the server\n\u{1B}[2Jb.csv"
        try dir.write(forged, EarnFixtures.csv(rows: 3) + "not,a,valid,row,at-all\n")
        let result = try BinaryProcess.run(["run", "--mock", forged, "--ledger", "l.ledger", "--report-dir", "out", "--quiet"],
                                           directory: dir.url)
        #expect(result.exitCode == 1, "\(result.stderr)")
        #expect(!result.stdout.split(separator: "\n").contains { $0.hasPrefix("run 1 done") }, "\(result.stdout)")
        #expect(!result.stdout.contains("\u{1B}"))
        #expect(result.stdout.contains("a\\nrun 1 done, every valid row is on the server\\n\\u{1B}[2Jb.csv"), "\(result.stdout)")
        // A configuration error naming the file is escaped the same way.
        let missing = try BinaryProcess.run(["run", "--mock", "x\ny.csv"], directory: dir.url)
        #expect(missing.exitCode == 2 && missing.stderr.contains("x\\ny.csv"), "\(missing.stderr)")
    }
}
