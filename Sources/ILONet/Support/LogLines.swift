import Glibc

/// The log lines an event loop's thread wrote during one iteration, written
/// together when the iteration ends (`EventLoop`): at full load a loop answers
/// many reports per iteration, and one `write` for all their "report stored"
/// lines replaces one per report (issue 32, design change 4: writes gathered
/// per loop iteration).
///
/// Only debug and info lines wait (`Logger.emit`); a warning or an error is
/// written at once, after the lines gathered before it, so the order on the
/// thread is kept. What a loop gathered is lost only if the process dies in
/// the middle of that iteration (SIGKILL, a crash): at most one iteration's
/// lines, never a report, whose record is the audit trail in the store.
///
/// Thread confinement: one per loop, touched only on the loop's thread, which
/// finds it through a thread-specific key (`current`).
final class LogLines {
    /// Past this many bytes the lines leave at once, whatever the iteration.
    static let limit = 64 * 1024

    private var text = ""
    private var logger: Logger?

    /// The lines of the loop running on this thread; nil on any other thread.
    static var current: LogLines? {
        pthread_getspecific(key).map { Unmanaged<LogLines>.fromOpaque($0).takeUnretainedValue() }
    }

    /// From now on this thread's debug and info lines wait in `self` (the loop keeps `self` alive).
    func install() { pthread_setspecific(LogLines.key, Unmanaged.passUnretained(self).toOpaque()) }

    /// Writes what waits, and lets this thread's lines go straight out again.
    func uninstall() {
        flush()
        pthread_setspecific(LogLines.key, nil)
    }

    func add(_ line: String, for logger: Logger) {
        if let waiting = self.logger, waiting !== logger { flush() }
        self.logger = logger
        if !text.isEmpty { text.append("\n") }
        text.append(line)
        if text.utf8.count >= LogLines.limit { flush() }
    }

    /// Writes the lines waiting, in the order they were logged, in one go.
    func flush() {
        guard let logger, !text.isEmpty else { return }
        logger.write(text)
        text.removeAll(keepingCapacity: true)
        self.logger = nil
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        precondition(pthread_key_create(&key, nil) == 0, "no thread-specific key left for the log")
        return key
    }()
}

@available(*, unavailable)
extension LogLines: Sendable {}
