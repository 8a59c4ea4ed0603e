/// Why the ledger could not be opened, read or written. Every message names the ledger file
/// (never anything secret), so the command layer can print it as is.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Another process holds the run lock (its pid when it wrote one into the lock file).
        case locked(holderPID: Int32?)
        /// The file was written by a newer badge-import than this binary knows.
        case newerSchema(found: Int32, supported: Int32)
        /// No ledger at the path (status and other read-only uses never create one).
        case missing
        /// The file exists but is not a badge-import ledger.
        case notALedger(String)
        /// The file system refused (lock file, directory): errno text.
        case io(String)
        /// SQLite reported an error: its result code and message.
        case sqlite(code: Int32, message: String)
        /// The ledger was used after close().
        case closed
    }

    public var kind: Kind
    /// The ledger file this error is about.
    public var path: String

    public init(_ kind: Kind, path: String) {
        self.kind = kind
        self.path = path
    }

    public static func locked(_ path: String, holderPID: Int32? = nil) -> LedgerError {
        LedgerError(.locked(holderPID: holderPID), path: path)
    }
    public static func newerSchema(_ path: String, found: Int32, supported: Int32) -> LedgerError {
        LedgerError(.newerSchema(found: found, supported: supported), path: path)
    }
    public static func sqlite(_ path: String, code: Int32, message: String) -> LedgerError {
        LedgerError(.sqlite(code: code, message: message), path: path)
    }

    public var description: String {
        switch kind {
        case .locked(let pid):
            let holder = pid.map { "another badge-import process (pid \($0))" } ?? "another badge-import process"
            return "ledger \(path) is in use by \(holder); wait for it to finish or use another --ledger"
        case .newerSchema(let found, let supported):
            return "ledger \(path) has schema version \(found), newer than this badge-import understands (\(supported)); use a newer badge-import"
        case .missing:
            return "no ledger at \(path)"
        case .notALedger(let why):
            return "\(path) is not a badge-import ledger: \(why)"
        case .io(let message):
            return "ledger \(path): \(message)"
        case .sqlite(let code, let message):
            return "ledger \(path): SQLite error \(code): \(message)"
        case .closed:
            return "ledger \(path) was used after it was closed"
        }
    }
}
