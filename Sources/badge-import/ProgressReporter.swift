import BadgeImport
import Dispatch
import Foundation
import Logging
import Synchronization

/// Shows where a long run is. On a terminal: one line on stderr redrawn in place a few times a
/// second. Elsewhere (cron, Kubernetes): a log line every `interval` seconds.
final class ProgressReporter {
    private let timer: any DispatchSourceTimer
    private let display: Display

    /// What the timer's ticks (on a Dispatch thread) and `stop()` share.
    private final class Display: Sendable {
        let isTerminal = isatty(STDERR_FILENO) == 1
        let snapshot: @Sendable () -> ProgressSnapshot
        let logger: Logger
        /// `drawn`: a line is on the terminal to clear. `stopped`, set by stop(): a tick already
        /// running when stop() cancels the timer must not draw the line again over the summary.
        let screen = Mutex((drawn: false, stopped: false))

        init(snapshot: @escaping @Sendable () -> ProgressSnapshot, logger: Logger) {
            self.snapshot = snapshot
            self.logger = logger
        }

        func draw() {
            let current = snapshot()
            screen.withLock { screen in
                if screen.stopped { return }
                if isTerminal {
                    // One column short of the width: writing into the last column makes some
                    // terminals wrap, and the next \r would then redraw on a new line each time.
                    let line = ProgressLine.redrawPrefix + ProgressLine.terminal(current, width: Self.terminalWidth() - 1)
                        + ProgressLine.clearToEndOfLine
                    FileHandle.standardError.write(Data(line.utf8))
                    screen.drawn = true
                } else {
                    logger.info("\(ProgressLine.logLine(current))")
                }
            }
        }

        func clear() {
            screen.withLock { screen in
                screen.stopped = true
                if screen.drawn && isTerminal {
                    FileHandle.standardError.write(Data((ProgressLine.redrawPrefix + ProgressLine.clearToEndOfLine).utf8))
                }
                screen.drawn = false
            }
        }

        private static func terminalWidth() -> Int {
            var size = winsize()
            if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
            return 100
        }
    }

    init(interval: Double, logger: Logger, snapshot: @escaping @Sendable () -> ProgressSnapshot) {
        let display = Display(snapshot: snapshot, logger: logger)
        self.display = display
        timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
        let period = display.isTerminal ? 0.25 : max(0.5, interval)
        timer.schedule(deadline: .now() + period, repeating: period)
        timer.setEventHandler { display.draw() }
    }

    func start() { timer.resume() }

    /// Stops redrawing and leaves the terminal on a clean line for the summary.
    func stop() {
        timer.cancel()
        display.clear()
    }
}
