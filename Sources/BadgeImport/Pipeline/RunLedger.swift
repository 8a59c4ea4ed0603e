import Foundation
import Logging

/// The ledger as one run uses it: opened for writing (read-only, without a lock, for a dry run),
/// checked to be the ledger of the API this run sends to, and bound to it when new.
enum RunLedger {
    /// The run's ledger; nil for a dry run without one (it plans against nothing).
    static func open(_ configuration: RunOptions, clock: Clock) throws(ImportError) -> Ledger? {
        do {
            if !configuration.dryRun { return try Ledger(path: configuration.ledgerPath, clock: clock) }
            guard FileManager.default.fileExists(atPath: configuration.ledgerPath) else { return nil }
            return try Ledger.openForReading(path: configuration.ledgerPath)
        } catch {
            throw ImportError(error)
        }
    }

    /// Refuses a ledger written for another API (its "done" means nothing there) unless the run
    /// was told to rebind it; binds a new or older, unbound ledger to this run's target.
    /// Returns what a rebind replaced, for the run's recorded options.
    static func bind(_ ledger: Ledger, _ configuration: RunOptions, logger: Logger) throws(ImportError) -> String? {
        let target = configuration.ledgerTarget
        let bound: LedgerTarget?
        do { bound = try ledger.boundTarget() } catch { throw ImportError(error) }
        if bound == target { return nil }
        if let bound, !configuration.rebindLedger {
            throw ImportError(.configuration, """
                ledger \(configuration.ledgerPath) was written for \(bound), but this run sends to \(target): \
                the rows it has as done are done there, not here. Use another --ledger for this target, \
                or --rebind-ledger if both are one service
                """)
        }
        guard !configuration.dryRun else { return nil }
        do { try ledger.bind(to: target) } catch { throw ImportError(error) }
        if let bound {
            logger.warning("ledger rebound to another target (--rebind-ledger)", metadata: ["from": "\(bound)", "to": "\(target)"])
        }
        return bound.map { "from \($0) to \(target)" }
    }
}
