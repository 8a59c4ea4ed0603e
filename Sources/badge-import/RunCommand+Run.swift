import ArgumentParser
import BadgeImport
import Foundation
import Logging
import MockEarnAPI

extension RunCommand {
    func run() throws {
        log.bootstrap()
        let logger = Logger(label: "badge-import.run")

        // Everything that can be wrong is found here, before any request (exit 2).
        let plan: (configuration: RunOptions, mock: MockEarnServer?, warnings: [String])
        do {
            plan = try prepare()
        } catch let error as ExitCode {
            throw error
        } catch let nothing as NothingToDo {
            let left = nothing.unsettled == 0 ? "" : " (\(nothing.unsettled) not settled yet, left for the next run)"
            print("no input files in \(TerminalText.escaped(nothing.arguments.joined(separator: " ")))\(left): nothing to do")
            return
        } catch {
            throw fail("\(error)")
        }
        defer { plan.mock?.shutdown() }
        for warning in plan.warnings { logger.warning("\(warning)") }
        if let mock = plan.mock {
            logger.info("embedded mock earn API listening", metadata: ["url": "\(mock.baseURL)"])
        }

        let run = ImportRun(configuration: plan.configuration, logger: logger)
        let signals = SignalWatcher { name in
            run.control.stop(because: "interrupted by \(name)")
            logger.warning("\(name): finishing requests in flight, then writing the ledger and the report")
        }
        defer { signals.cancel() }
        let progress = quiet ? nil : ProgressReporter(interval: plan.configuration.progressInterval, logger: logger) { run.progress() }
        progress?.start()

        let outcome: ImportOutcome
        do {
            outcome = try run.execute()
        } catch {
            progress?.stop()
            throw fail(error.description, exitCode: error.status.code)
        }
        progress?.stop()
        print(SummaryText.render(outcome.summary, reportDirectory: outcome.reportDirectory))
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }
}
