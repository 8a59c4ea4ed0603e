import Testing
@testable import BadgeImport

@Suite("Progress line")
struct ProgressLineTests {
    static let midRun = ProgressSnapshot(
        rowsDone: 12_345, totalRows: 100_000, bytesRead: 4_000_000, totalBytes: 8_000_000,
        elapsed: 754, rowsPerSecond: 16.4, earned: 12_000, duplicate: 100, alreadyDone: 200,
        rejected: 30, failed: 5, invalid: 10, pace: 1000.0 / 60, inFlight: 16)

    @Test func wideTerminalShowsEverything() {
        let line = ProgressLine.terminal(Self.midRun, width: 200)
        #expect(line.hasPrefix("12,345/100,000 rows 12.3% | 16.4 rows/s | ETA "))
        // (100000 - 12345) / 16.4 = 5345 s = 1h29m
        #expect(line.contains("ETA 1h29m"))
        #expect(line.contains("earned 12,000 dup 100 done 200 rejected 30 failed 5 invalid 10"))
        #expect(line.contains("12m34s elapsed"))
        #expect(line.contains("in-flight 16"))
        #expect(line.contains("pace 1,000/min"))
        #expect(!line.contains("\n") && !line.contains("\r"))
    }

    @Test(arguments: [0, 1, 5, 20, 40, 60, 80, 100, 120, 140, 160])
    func neverExceedsTheWidth(width: Int) {
        let line = ProgressLine.terminal(Self.midRun, width: width)
        #expect(line.count <= width)
        if width >= 30 { #expect(line.hasPrefix("12,345/100,000 rows")) }
    }

    @Test func narrowTerminalsDropTheLeastUsefulPartsFirst() {
        let full = ProgressLine.terminal(Self.midRun, width: 500)
        let narrower = ProgressLine.terminal(Self.midRun, width: full.count - 1)
        // First the counts are abbreviated (everything else stays).
        #expect(narrower.contains("ok 12,300 not-ok 45"))
        #expect(narrower.contains("pace"))
        let narrow = ProgressLine.terminal(Self.midRun, width: 60)
        #expect(narrow.contains("rows/s") && narrow.contains("ETA"))
        #expect(!narrow.contains("pace") && !narrow.contains("in-flight"))
        let tiny = ProgressLine.terminal(Self.midRun, width: 10)
        #expect(tiny == "12,345/...")
    }

    @Test func beforeTheTotalIsKnownProgressIsInBytes() {
        var s = Self.midRun
        s.totalRows = nil
        let line = ProgressLine.terminal(s, width: 200)
        #expect(line.hasPrefix("12,345 rows, 50.0% read | "))
        // Half the bytes in 754 s: about 754 s to go.
        #expect(line.contains("ETA 12m34s"))
        s.totalBytes = nil
        #expect(ProgressLine.terminal(s, width: 200).hasPrefix("12,345 rows | "))
        #expect(ProgressLine.terminal(s, width: 200).contains("ETA --"))
        #expect(s.etaSeconds == nil && s.fractionDone == nil)
    }

    @Test func fastPacesAreShownPerSecondAndUnlimitedIsLeftOut() {
        var s = Self.midRun
        s.pace = 250
        #expect(ProgressLine.terminal(s, width: 300).contains("pace 250/s"))
        s.pace = nil
        #expect(!ProgressLine.terminal(s, width: 300).contains("pace"))
    }

    @Test func logLineIsKeyValue() {
        let line = ProgressLine.logLine(Self.midRun)
        #expect(line.hasPrefix("progress "))
        var pairs: [String: String] = [:]
        for token in line.split(separator: " ").dropFirst() {
            let kv = token.split(separator: "=", maxSplits: 1)
            #expect(kv.count == 2, "\(token)")
            pairs[String(kv[0])] = String(kv[1])
        }
        #expect(pairs["rows"] == "12345")
        #expect(pairs["total_rows"] == "100000")
        #expect(pairs["percent"] == "12.3")
        #expect(pairs["bytes"] == "4000000")
        #expect(pairs["total_bytes"] == "8000000")
        #expect(pairs["elapsed_s"] == "754.0")
        #expect(pairs["rows_per_s"] == "16.40")
        #expect(pairs["eta_s"] == "5345")
        #expect(pairs["earned"] == "12000")
        #expect(pairs["duplicate"] == "100")
        #expect(pairs["already_done"] == "200")
        #expect(pairs["rejected"] == "30")
        #expect(pairs["failed"] == "5")
        #expect(pairs["invalid"] == "10")
        #expect(pairs["pace_per_s"] == "16.67")
        #expect(pairs["in_flight"] == "16")
        var unknown = Self.midRun
        unknown.totalRows = nil
        unknown.totalBytes = nil
        unknown.pace = nil
        let sparse = ProgressLine.logLine(unknown)
        #expect(!sparse.contains("total_rows=") && !sparse.contains("eta_s=") && !sparse.contains("pace_per_s="))
    }

    @Test func stalledOrFinishedRuns() {
        var s = Self.midRun
        s.rowsPerSecond = 0
        #expect(s.etaSeconds == nil)
        #expect(ProgressLine.terminal(s, width: 200).contains("ETA --"))
        s.rowsDone = 100_000
        #expect(s.etaSeconds == 0)
        #expect(ProgressLine.terminal(s, width: 200).contains("100,000/100,000 rows 100.0%"))
    }

    @Test func formatting() {
        #expect(ProgressLine.thousands(0) == "0")
        #expect(ProgressLine.thousands(999) == "999")
        #expect(ProgressLine.thousands(1000) == "1,000")
        #expect(ProgressLine.thousands(-1_234_567) == "-1,234,567")
        #expect(ProgressLine.duration(0) == "0s")
        #expect(ProgressLine.duration(59.4) == "59s")
        #expect(ProgressLine.duration(61) == "1m01s")
        #expect(ProgressLine.duration(3600) == "1h00m")
        #expect(ProgressLine.duration(61_200) == "17h00m")
        #expect(ProgressLine.duration(90_000) == "1d01h")
        #expect(ProgressLine.duration(.infinity) == "--")
        #expect(ProgressLine.duration(1e9) == ">99d")
    }
}
