import Glibc
import Synchronization

/// One line per event on stderr (or a file, `LogFile`): logfmt by default,
/// `ts=… level=… msg=… key=value …`, or one JSON object per line
/// (`log.format json`) with the same members in the same order.
///
/// Report contents never go into a log line; callers pass ids and reasons only.
public enum LogLevel: Int, Sendable, Comparable, CustomStringConvertible {
    case debug = 0, info, warning, error

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warning: "warn"
        case .error: "error"
        }
    }

    public init?(name: String) {
        switch name {
        case "debug": self = .debug
        case "info": self = .info
        case "warn", "warning": self = .warning
        case "error": self = .error
        default: return nil
        }
    }
}

public enum LogFormat: String, Sendable {
    case logfmt, json
}

public final class Logger: Sendable {
    private let state: Mutex<LogLevel>
    private let sink: @Sendable (String) -> Void
    public let format: LogFormat

    public init(level: LogLevel = .info, format: LogFormat = .logfmt, sink: @escaping @Sendable (String) -> Void = Logger.stderrSink) {
        self.state = Mutex(level)
        self.format = format
        self.sink = sink
    }

    /// A sink is handed one line, or several (an event loop's, gathered by
    /// `LogLines`) joined by newlines; it writes them and a final newline.
    public static let stderrSink: @Sendable (String) -> Void = { line in writeLine(line, to: 2) }

    /// Writes `line` (one line or several) and a newline with as few write calls as the kernel allows.
    static func writeLine(_ line: String, to fd: Int32) {
        var line = line
        line.append("\n")
        line.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    public var level: LogLevel {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }

    public func log(_ level: LogLevel, _ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        guard level >= self.level else { return }
        switch format {
        case .logfmt:
            var line = "ts=\(Logger.timestamp()) level=\(level) msg=\(Logger.quote(message))"
            for (key, value) in fields {
                line += " \(key)=\(Logger.quote(value))"
            }
            emit(level, line)
        case .json:
            var line = "{\"ts\":\"\(Logger.timestamp())\",\"level\":\"\(level)\",\"msg\":\(JSONValue.string(message).encodedString())"
            for (key, value) in fields {
                line += ",\(JSONValue.string(key).encodedString()):\(JSONValue.string(value).encodedString())"
            }
            emit(level, line + "}")
        }
    }

    /// On an event loop, debug and info lines wait for the end of the loop's
    /// iteration and leave with the rest of its lines in one write (`LogLines`);
    /// a warning or an error is written at once, after the lines before it.
    /// Elsewhere every line is written at once.
    private func emit(_ level: LogLevel, _ line: String) {
        let gathered = LogLines.current
        if level < .warning, let gathered {
            gathered.add(line, for: self)
            return
        }
        gathered?.flush()
        sink(line)
    }

    /// Writes lines gathered by `LogLines` (joined by newlines).
    func write(_ lines: String) { sink(lines) }

    public func debug(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.debug, message, fields) }
    public func info(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.info, message, fields) }
    public func warning(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.warning, message, fields) }
    public func error(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) { log(.error, message, fields) }

    /// A logfmt value: quoted when it holds a space, `=`, `"` or `\`, and every
    /// control character (C0, DEL, C1: ESC, BEL, …) written as `\uXXXX`, so that
    /// nothing a peer or a user sent can move a terminal's cursor or forge a line.
    static func quote(_ value: String) -> String {
        // Bytes, not Characters: this runs for every field of every line.
        let needsQuotes = value.isEmpty
            || value.utf8.contains { $0 == 0x20 || $0 == 0x3D || $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 }
        guard needsQuotes else { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Now, as `2026-12-07T18:14:49.120Z` (always three digits of milliseconds).
    static func timestamp() -> String {
        Timestamp.format(milliseconds: Timestamp.nowMilliseconds(), alwaysMilliseconds: true)
    }
}

/// A log file that SIGHUP reopens, so that logrotate can move it away
/// (`log.file`). Lines are appended with O_APPEND: one write per line, or per
/// event loop iteration for the lines the loop gathered (`LogLines`).
public final class LogFile: Sendable {
    public let path: String
    private let fd: Mutex<Int32>

    public init(path: String) throws(SystemError) {
        self.path = path
        fd = Mutex(try LogFile.open(path))
    }

    private static func open(_ path: String) throws(SystemError) -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SystemError("opening log file \(path)", errno: errno) }
        return fd
    }

    /// Opens the path again (a new file if the old one was moved); keeps the
    /// old file if that fails.
    public func reopen() throws(SystemError) {
        let new = try LogFile.open(path)
        let old = fd.withLock { current in
            defer { current = new }
            return current
        }
        close(old)
    }

    public var sink: @Sendable (String) -> Void {
        { [self] line in fd.withLock { Logger.writeLine(line, to: $0) } }
    }

    deinit { fd.withLock { _ = close($0) } }
}
