import ArgumentParser
import BadgeImport
import Foundation

/// How inputs are read and mapped: shared by `validate` and `run`, so both judge rows alike.
struct InputOptions: ParsableArguments {
    @Option(help: "Input format, required for standard input (csv or jsonl).")
    var format: String?

    @Option(name: .customLong("map"), help: ArgumentHelp("Read FIELD from another column.", valueName: "FIELD=COLUMN"))
    var maps: [String] = []

    @Option(name: .customLong("badge-meta-id"), help: "badgeMetaId for rows whose column is absent or empty.")
    var badgeMetaId: String?

    @Option(name: .customLong("owner-type"), help: "ownerType for rows whose column is absent or empty.")
    var ownerType: String?

    @Option(name: .customLong("reference-id"), help: "referenceId for rows whose column is absent or empty.")
    var referenceId: String?

    @Flag(name: .customLong("allow-missing-date"), help: "Accept rows without an earnEventDate.")
    var allowMissingDate = false

    @Option(name: .customLong("key-namespace"),
            help: "Namespace of derived requestIds (default \(RequestID.defaultNamespace)); a new one re-issues every event.")
    var keyNamespace: String?

    @Option(help: ArgumentHelp("Read a file found in a folder or by a glob only once it has gone unmodified this long (default \(Int(RunOptions.defaultSettle)), or BADGE_IMPORT_SETTLE); files named explicitly are always read.", valueName: "seconds"))
    var settle: Double?

    /// The files to read (directories and globs expanded, in name order, unsettled files left
    /// out with a warning on stderr naming each) and the mapping rules.
    /// `settle` comes from the settings (RunOptionsResolver.settle()), not straight from the flag.
    func resolve(_ arguments: [String], settle settleSeconds: Double, now: Date = Date())
        throws(InputError) -> (files: [InputFile], mapping: MappingOptions, unsettled: [InputPaths.UnsettledFile]) {
        var explicitFormat: InputFormat?
        if let format {
            guard let value = InputFormat(rawValue: format.lowercased()) else {
                throw InputError(path: "", message: "--format '\(format)': expected csv or jsonl")
            }
            explicitFormat = value
        }
        let mapping = try MappingOptions.fromCommandLine(
            maps: maps, badgeMetaId: badgeMetaId, ownerType: ownerType, referenceId: referenceId,
            allowMissingDate: allowMissingDate, keyNamespace: keyNamespace, now: now)
        let expansion = try InputPaths.expand(arguments, settle: settleSeconds, now: now)
        var files: [InputFile] = []
        for path in expansion.paths {
            files.append(try InputFile(path: path, format: explicitFormat))
        }
        for file in expansion.unsettled {
            warn(file.describe(settle: settleSeconds))
        }
        return (files, mapping, expansion.unsettled)
    }
}

/// One line on stderr, the tool's name first: something left for later, not an error.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("badge-import: warning: \(message)\n".utf8))
}

/// One line on stderr, the tool's name first, and the exit code the docs promise.
func fail(_ message: String, exitCode: Int32 = 2) -> ExitCode {
    FileHandle.standardError.write(Data("badge-import: \(TerminalText.escaped(message))\n".utf8))
    return ExitCode(exitCode)
}
