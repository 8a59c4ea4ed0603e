import Foundation

/// Turns what the user named (files, directories, globs, `-`) into the files to read, in a
/// stable order: a nightly drop folder is processed in name order, every time.
public enum InputPaths {
    static let extensions = [".csv", ".jsonl", ".ndjson", ".csv.gz", ".jsonl.gz", ".ndjson.gz"]

    /// A file of a folder or glob left for a later run: modified too recently to be complete.
    public struct UnsettledFile: Equatable, Sendable {
        public var path: String
        /// Seconds since its last modification (negative when its time is in the future).
        public var age: Double
        /// Seconds until it counts as settled.
        public var settlesIn: Double

        /// One line for people, naming the file.
        public func describe(settle: Double) -> String {
            "\(path): modified \(Int(max(0, age).rounded(.down))) s ago, less than --settle \(Self.seconds(settle)) s; left for the next run (settles in \(Int(settlesIn.rounded(.up))) s)"
        }

        static func seconds(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(value)
        }
    }

    /// What the user named, expanded: the files to read, and the files of folders and globs left
    /// out because they are not settled yet.
    public struct Expansion: Equatable, Sendable {
        public var paths: [String]
        public var unsettled: [UnsettledFile]
    }

    /// Expands like `expand(_:)`; a file found in a folder or by a glob is taken only once
    /// `settle` seconds have passed since its last modification at `now` (a drop still being
    /// copied is left for the next run). Files named explicitly are always taken.
    public static func expand(_ arguments: [String], settle: Double, now: Date) throws(InputError) -> Expansion {
        var expansion = Expansion(paths: [], unsettled: [])
        for argument in arguments {
            let (paths, found) = try expandOne(argument)
            guard found, settle > 0 else { expansion.paths += paths; continue }
            for path in paths {
                guard let modified = modificationTime(path) else { expansion.paths.append(path); continue }
                let age = now.timeIntervalSince1970 - modified
                if age >= settle {
                    expansion.paths.append(path)
                } else {
                    expansion.unsettled.append(UnsettledFile(path: path, age: age, settlesIn: settle - age))
                }
            }
        }
        return expansion
    }

    public static func expand(_ arguments: [String]) throws(InputError) -> [String] {
        var paths: [String] = []
        for argument in arguments { paths += try expandOne(argument).paths }
        return paths
    }

    /// Seconds since 1970 of the last modification; nil when it cannot be stat'ed (opening it
    /// will say why).
    static func modificationTime(_ path: String) -> Double? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let time = info.st_mtimespec
        #else
        let time = info.st_mtim
        #endif
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// One argument's paths, and whether they were found (a folder or a glob) rather than named.
    private static func expandOne(_ argument: String) throws(InputError) -> (paths: [String], found: Bool) {
        if argument == "-" {
            return ([argument], false)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                return (try files(in: argument), true)
            }
            return ([argument], false)
        }
        if argument.contains(where: { "*?[".contains($0) }) {
            let matches = glob(argument)
            guard !matches.isEmpty else { throw InputError(path: argument, message: "no file matches this pattern") }
            return (matches, true)
        }
        throw InputError(path: argument, message: "no such file or directory")
    }

    /// The inputs directly inside a folder (not below it), by name; hidden and partial files
    /// (a drop still being copied is usually `.name` or `name.tmp`) are left alone.
    static func files(in directory: String) throws(InputError) -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) }
        catch { throw InputError(path: directory, message: "cannot list the directory") }
        let base = directory.hasSuffix("/") ? directory : directory + "/"
        return names
            .filter { name in !name.hasPrefix(".") && extensions.contains { name.lowercased().hasSuffix($0) } }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { base + $0 }
    }

    static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Foundation.glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths.filter { path in extensions.contains { path.lowercased().hasSuffix($0) } }.sorted()
    }
}
