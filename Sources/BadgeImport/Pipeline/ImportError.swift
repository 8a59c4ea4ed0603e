/// A problem that ends a run before its summary: the command layer prints the message as one
/// line and exits with the kind's status.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Found before any request (a missing column, a ledger bound to another API, a locked
        /// ledger, an unwritable report folder): nothing was sent.
        case configuration
        /// The ledger itself failed (a damaged file, a full disk): the run stops.
        case ledger
        /// The report could not be written after requests were sent.
        case report
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// A lock held by another run, a newer schema or a file that is no ledger are the user's to
    /// fix; an SQLite failure (a corrupt page, a full disk) is the ledger failing.
    init(_ error: LedgerError) {
        if case .sqlite = error.kind { self.init(.ledger, error.description) } else { self.init(.configuration, error.description) }
    }

    public var description: String { message }

    public var status: ExitStatus {
        switch kind {
        case .configuration: .usage
        case .ledger, .report: .aborted
        }
    }
}
