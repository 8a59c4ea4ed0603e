import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The progress display of `run` as people and log collectors see it: the real binary against
/// the real mock server, stderr a pipe or a pseudo-terminal. (scripts/check-progress-tty.sh
/// checks the same in tmux, with screenshots, on a bigger input.)
@Suite(.serialized) struct ProgressEndToEndTests {
    /// 200 rows, 2 workers, 20 ms per answer: about 2 s, long enough for several updates.
    private static func arguments(_ mock: MockServerProcess) -> [String] {
        ["run", "earns.csv", "--base-url", mock.baseURL, "--ledger", "l.ledger", "--report-dir", "r",
         "--concurrency", "2", "--progress-interval", "0.5"]
    }

    @Test func stderrNotATerminalGetsALogLineEveryInterval() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 200))
        let mock = try MockServerProcess(["--latency-ms", "20"])
        let result = try BinaryProcess.run(Self.arguments(mock), directory: dir.url)
        #expect(result.exitCode == 0, "\(result.stderr)")

        let lines = result.stderr.split(separator: "\n").filter { $0.contains("progress rows=") }
        #expect(lines.count >= 2, "\(result.stderr)")
        #expect(lines.allSatisfy { $0.contains(" rows_per_s=") && $0.contains(" in_flight=") && $0.contains(" earned=") })
        let rows = lines.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("rows=") }.flatMap { Int($0.dropFirst(5)) }
        }
        #expect(rows.count == lines.count && rows == rows.sorted() && (rows.last ?? 0) <= 200, "\(rows)")
        #expect(!result.stderr.contains("\r") && !result.stderr.contains("\u{1B}"), "no terminal control bytes in a log")
    }

    @Test func quietPrintsNoProgressButTheSummary() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 200))
        let mock = try MockServerProcess(["--latency-ms", "20"])
        let result = try BinaryProcess.run(Self.arguments(mock) + ["--quiet"], directory: dir.url)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("progress"), "\(result.stderr)")
        #expect(result.stdout.contains("done, every valid row is on the server"))
    }

    @Test func terminalGetsOneLineRedrawnInPlaceThenCleared() throws {
        let dir = try TemporaryDirectory()
        try dir.write("earns.csv", EarnFixtures.csv(rows: 200))
        let mock = try MockServerProcess(["--latency-ms", "20"])
        let terminal = try PseudoTerminal(columns: 60)

        let process = Process()
        process.executableURL = BadgeImportBinary.url
        process.arguments = Self.arguments(mock)
        process.currentDirectoryURL = dir.url
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle(fileDescriptor: terminal.secondary, closeOnDealloc: false)
        try process.run()
        terminal.closeSecondary()   // the child holds it now; its exit ends the reading
        let summary = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let screen = terminal.readAll(timeout: 10)

        #expect(process.terminationStatus == 0, "\(summary)")
        #expect(summary.contains("done, every valid row is on the server"))
        let clear = "\u{1B}[K"
        #expect(screen.components(separatedBy: clear).count - 1 >= 3, "redrawn several times: \(screen.debugDescription)")
        #expect(!screen.contains("\n"), "redrawn in place, never a new line: \(screen.debugDescription)")
        #expect(screen.hasSuffix("\r" + clear), "stop() leaves a clean line for the summary")
        let drawn = screen.split(separator: "\r").map { $0.replacingOccurrences(of: clear, with: "") }.filter { !$0.isEmpty }
        #expect(!drawn.isEmpty && drawn.allSatisfy { $0.contains("rows/s") && $0.contains("ETA") })
        #expect(drawn.allSatisfy { $0.count <= 59 }, "one column short of a 60-column terminal: \(drawn)")
    }
}

/// A pseudo-terminal pair: the child writes to `secondary`, the test reads what a terminal
/// would show from the primary side.
private final class PseudoTerminal: @unchecked Sendable {
    let primary: Int32
    private(set) var secondary: Int32
    private let lock = NSLock()
    private var output = Data()
    private let finished = DispatchSemaphore(value: 0)

    init(columns: UInt16) throws {
        // posix_openpt & co. are in glibc but hidden from the Glibc module (they need
        // _XOPEN_SOURCE), so they are looked up by name.
        typealias OpenFunction = @convention(c) (Int32) -> Int32
        typealias PrepareFunction = @convention(c) (Int32) -> Int32
        typealias NameFunction = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32
        guard let openSymbol = dlsym(nil, "posix_openpt"), let grantSymbol = dlsym(nil, "grantpt"),
              let unlockSymbol = dlsym(nil, "unlockpt"), let nameSymbol = dlsym(nil, "ptsname_r") else {
            throw PseudoTerminalError()
        }
        primary = unsafeBitCast(openSymbol, to: OpenFunction.self)(O_RDWR | O_NOCTTY | O_CLOEXEC)
        var name = [CChar](repeating: 0, count: 128)
        guard primary >= 0, unsafeBitCast(grantSymbol, to: PrepareFunction.self)(primary) == 0,
              unsafeBitCast(unlockSymbol, to: PrepareFunction.self)(primary) == 0,
              unsafeBitCast(nameSymbol, to: NameFunction.self)(primary, &name, name.count) == 0 else {
            throw PseudoTerminalError()
        }
        let path = name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        secondary = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard secondary >= 0 else { throw PseudoTerminalError() }
        var size = winsize(ws_row: 20, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(primary, UInt(TIOCSWINSZ), &size)
        // Read from the start: a full pty buffer would block the child's writes.
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(primary, $0.baseAddress, $0.count) }
                if n <= 0 { break }   // EIO once every holder of the secondary side has closed it
                lock.withLock { output.append(contentsOf: buffer[0..<n]) }
            }
            finished.signal()
        }
    }

    func closeSecondary() {
        if secondary >= 0 { close(secondary); secondary = -1 }
    }

    func readAll(timeout: Double) -> String {
        _ = finished.wait(timeout: .now() + timeout)
        return lock.withLock { String(decoding: output, as: UTF8.self) }
    }

    deinit {
        closeSecondary()
        close(primary)
    }
}

private struct PseudoTerminalError: Error {}
