import Foundation

/// The real `badge-import` binary, run as a user would run it. `swift build --build-tests`
/// (the README's test command) builds it next to the test bundle.
enum BadgeImportBinary {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    static let url: URL = {
        // The test bundle lives in the same build folder as the executable.
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("badge-import"),
            packageRoot.appendingPathComponent(".build/debug/badge-import"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]
    }()

    static var samples: URL { packageRoot.appendingPathComponent("samples") }
}

/// A finished run of the binary.
struct ProcessResult {
    var exitCode: Int32
    var stdout: String
    var stderr: String
}

/// Starts the binary with arguments, environment and working directory of the test's choosing.
final class BinaryProcess: @unchecked Sendable {
    let process = Process()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()

    init(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil,
         stdin: Data? = nil) throws {
        process.executableURL = BadgeImportBinary.url
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in ["CAP_USERNAME", "CAP_PASSWORD", "CAP_CLIENT_KEY", "CAP_CLIENT_SECRET", "CAP_BASE_URL",
                    "BADGE_IMPORT_CONFIG", "BADGE_IMPORT_PROFILE", "BADGE_IMPORT_RATE",
                    "BADGE_IMPORT_CONCURRENCY", "BADGE_IMPORT_LEDGER", "JOB_COMPLETION_INDEX"] {
            env.removeValue(forKey: key)
        }
        env.merge(environment) { _, new in new }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        stdoutPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock { self?.out.append(data) }
        }
        stderrPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            self?.lock.withLock { self?.err.append(data) }
        }
    }

    var stdoutSoFar: String { lock.withLock { String(decoding: out, as: UTF8.self) } }

    /// Waits for a line on stdout matching `prefix` (e.g. the mock's listening line).
    func waitForLine(startingWith prefix: String, timeout: Double = 20) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = stdoutSoFar.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                return String(line)
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        return nil
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    @discardableResult
    func wait(timeout: Double = 120) -> ProcessResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        process.waitUntilExit()
        stdoutPipe.fileHandleForReading.readabilityHandler = nil
        stderrPipe.fileHandleForReading.readabilityHandler = nil
        let restOut = stdoutPipe.fileHandleForReading.readDataToEndOfFile()
        let restErr = stderrPipe.fileHandleForReading.readDataToEndOfFile()
        return lock.withLock {
            out.append(restOut)
            err.append(restErr)
            return ProcessResult(exitCode: process.terminationStatus,
                                 stdout: String(decoding: out, as: UTF8.self),
                                 stderr: String(decoding: err, as: UTF8.self))
        }
    }

    /// Runs to the end and returns what it printed.
    static func run(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil,
                    stdin: Data? = nil, timeout: Double = 120) throws -> ProcessResult {
        try BinaryProcess(arguments, environment: environment, directory: directory, stdin: stdin).wait(timeout: timeout)
    }
}

/// A fresh folder per test, removed at the end.
final class TemporaryDirectory {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("badge-import-e2e-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    @discardableResult
    func write(_ name: String, _ contents: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try contents.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    func read(_ name: String) throws -> String {
        try String(contentsOf: url.appendingPathComponent(name), encoding: .utf8)
    }
}
