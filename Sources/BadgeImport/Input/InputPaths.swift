import Foundation

/// Turns what the user named (files, directories, globs, `-`) into the files to read, in a
/// stable order: a nightly drop folder is processed in name order, every time.
public enum InputPaths {
    static let extensions = [".csv", ".jsonl", ".ndjson", ".csv.gz", ".jsonl.gz", ".ndjson.gz"]

    public static func expand(_ arguments: [String]) throws(InputError) -> [String] {
        var paths: [String] = []
        for argument in arguments {
            if argument == "-" {
                paths.append(argument)
                continue
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) {
                if isDirectory.boolValue {
                    paths.append(contentsOf: try files(in: argument))
                } else {
                    paths.append(argument)
                }
                continue
            }
            if argument.contains(where: { "*?[".contains($0) }) {
                let matches = glob(argument)
                guard !matches.isEmpty else { throw InputError(path: argument, message: "no file matches this pattern") }
                paths.append(contentsOf: matches)
                continue
            }
            throw InputError(path: argument, message: "no such file or directory")
        }
        return paths
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
