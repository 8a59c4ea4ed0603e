import BadgeImport
import Dispatch
import Foundation
import Logging

/// Shows where a long run is. On a terminal: one line on stderr redrawn in place a few times a
/// second. Elsewhere (cron, Kubernetes): a log line every `interval` seconds.
final class ProgressReporter: @unchecked Sendable {
    private let timer: DispatchSourceTimer
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let snapshot: @Sendable () -> ProgressSnapshot
    private let logger: Logger
    private let lock = NSLock()
    private var drawn = false
    /// Set by stop(): a timer tick already running when stop() cancels the timer must not draw
    /// the line again over (or before) the summary.
    private var stopped = false

    init(interval: Double, logger: Logger, snapshot: @escaping @Sendable () -> ProgressSnapshot) {
        self.snapshot = snapshot
        self.logger = logger
        timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        let period = isTerminal ? 0.25 : max(0.5, interval)
        timer.schedule(deadline: .now() + period, repeating: period)
        timer.setEventHandler { [weak self] in self?.draw() }
    }

    func start() { timer.resume() }

    /// Stops redrawing and leaves the terminal on a clean line for the summary.
    func stop() {
        timer.cancel()
        lock.withLock {
            stopped = true
            if drawn && isTerminal {
                FileHandle.standardError.write(Data((ProgressLine.redrawPrefix + ProgressLine.clearToEndOfLine).utf8))
            }
            drawn = false
        }
    }

    private func draw() {
        let current = snapshot()
        lock.withLock {
            if stopped { return }
            if isTerminal {
                // One column short of the width: writing into the last column makes some
                // terminals wrap, and the next \r would then redraw on a new line each time.
                let line = ProgressLine.redrawPrefix + ProgressLine.terminal(current, width: Self.terminalWidth() - 1)
                    + ProgressLine.clearToEndOfLine
                FileHandle.standardError.write(Data(line.utf8))
                drawn = true
            } else {
                logger.info("\(ProgressLine.logLine(current))")
            }
        }
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 100
    }
}
