import Foundation

/// One problem in a configuration file, printed as `FILE:LINE: message`.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let message: String

    public init(file: String, line: Int, _ message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

/// Several problems found in one pass, so an operator fixes them all at once.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [ConfigError]
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// The line format shared by ILONet's configuration files:
///
/// ```
/// # comment
/// key   value words...
/// [section]          # optional named sections (profiles)
/// ```
/// Keys and values are separated by white space; a value may be quoted with "…".
public struct ConfigFile: Sendable {
    public struct Entry: Sendable, Equatable {
        public let key: String
        public let value: String
        public let line: Int
        public let section: String?
    }

    public let path: String
    public let entries: [Entry]
    /// Lines that could not be read as `key value`; the readers add their own findings.
    public let syntaxErrors: [ConfigError]

    public static func load(_ path: String) throws(ConfigErrors) -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigErrors(errors: [ConfigError(file: path, line: 0, "the file is not UTF-8 text")])
        }
        return parse(text, path: path)
    }

    /// The lines of a configuration file, whatever its line endings: LF, CRLF
    /// (a file saved on Windows) or CR. Swift reads CRLF as one character, so
    /// splitting on "\n" alone would join every line of such a file.
    public static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }

    /// Why a line cannot be read (nil: it can): a control character other than a
    /// tab. A NUL would cut a value short where C reads it (`user root\0evil`
    /// is `root` to getpwnam), ESC and BEL would reach terminals and logs.
    public static func controlProblem(_ line: Substring) -> String? {
        guard let scalar = line.unicodeScalars.first(where: { ($0.value < 0x20 && $0 != "\t") || (0x7F...0x9F).contains($0.value) }) else {
            return nil
        }
        let code = String(scalar.value, radix: 16, uppercase: true)
        return "the line holds the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code); remove it (only tabs and spaces separate words)"
    }

    public static func parse(_ text: String, path: String) -> ConfigFile {
        var entries: [Entry] = []
        var errors: [ConfigError] = []
        var section: String?
        for (index, rawLine) in ConfigFile.lines(text).enumerated() {
            let number = index + 1
            if let problem = controlProblem(rawLine) {
                errors.append(ConfigError(file: path, line: number, problem))
                continue
            }
            let line = stripComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    errors.append(ConfigError(file: path, line: number, "a section header looks like [name]"))
                    continue
                }
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            let parts = line.split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" })
            let key = String(parts[0])
            var value = parts.count > 1 ? String(parts[1]).trimmingCharacters(in: .whitespaces) : ""
            if value.hasPrefix("\"") {
                guard value.count >= 2, value.hasSuffix("\"") else {
                    errors.append(ConfigError(file: path, line: number, "unterminated quoted value for \"\(key)\""))
                    continue
                }
                value = String(value.dropFirst().dropLast())
            }
            if value.isEmpty {
                errors.append(ConfigError(file: path, line: number, "\"\(key)\" needs a value"))
                continue
            }
            entries.append(Entry(key: key, value: value, line: number, section: section))
        }
        return ConfigFile(path: path, entries: entries, syntaxErrors: errors)
    }

    /// Removes a comment: a `#` at the start of the line or after white space,
    /// outside quotes. A `#` inside a word stays (topic filters: `topic=#`, `smuggling/#`).
    static func stripComment(_ line: String) -> String {
        var inQuotes = false
        var previous: Character = " "
        for (offset, c) in line.enumerated() {
            if c == "\"" { inQuotes.toggle() }
            if c == "#" && !inQuotes && (previous == " " || previous == "\t") { return String(line.prefix(offset)) }
            previous = c
        }
        return line
    }

    /// A path from the file, resolved against the file's own directory.
    public func resolve(_ value: String) -> String {
        if value.hasPrefix("/") { return value }
        if value.hasPrefix("~/") { return NSHomeDirectory() + value.dropFirst(1) }
        let directory = (path as NSString).deletingLastPathComponent
        return ((directory.isEmpty ? "." : directory) as NSString).appendingPathComponent(value)
    }

    /// The `key=value[,value…]` words of a rule line (routing tables, access rules).
    /// Words that are not key=value, unknown keys (listing the known ones, with a
    /// "did you mean" hint) and repeated keys go to `fail` and are left out.
    static func conditions<Key: RawRepresentable & CaseIterable & Hashable>(
        _ words: some Sequence<String>, fail: (String) -> Void
    ) -> [(key: Key, values: [String])] where Key.RawValue == String {
        let known = Key.allCases.map(\.rawValue)
        var result: [(key: Key, values: [String])] = []
        var seen = Set<Key>()
        for word in words {
            let pair = word.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, !pair[1].isEmpty else {
                fail("\"\(word)\" is not key=value")
                continue
            }
            guard let key = Key(rawValue: pair[0]) else {
                let hint = suggestion(for: pair[0], among: known).map { "; did you mean \"\($0)\"?" } ?? ""
                fail("unknown key \"\(pair[0])\" (keys: \(known.joined(separator: ", ")))\(hint)")
                continue
            }
            guard seen.insert(key).inserted else {
                fail("\"\(key.rawValue)\" appears twice; list alternatives as \(key.rawValue)=A,B")
                continue
            }
            result.append((key, pair[1].split(separator: ",").map(String.init)))
        }
        return result
    }

    /// The known key closest to `key`, for "did you mean" hints.
    public static func suggestion(for key: String, among known: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for i in 1...max(1, a.count) where !a.isEmpty {
                var current = [i] + Array(repeating: 0, count: b.count)
                for j in 1...max(1, b.count) where !b.isEmpty {
                    current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                previous = current
            }
            return previous[b.count]
        }
        if key.count >= 3, let extended = known.first(where: { $0.hasPrefix(key) }) { return extended }
        let chars = Array(key)
        let best = known.map { ($0, distance(chars, Array($0))) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= max(2, key.count / 3) else { return nil }
        return best.0
    }

    /// The longest duration anything accepts: 100 years (36500d). Longer ones
    /// would overflow the millisecond and nanosecond clocks they are added to.
    public static let maximumDuration: Double = 36_500 * 86_400

    /// Parses `500ms`, `10s`, `5m`, `2h`, `1d` into seconds; nil for anything
    /// else, negative, or longer than `maximumDuration`.
    public static func parseDuration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 7 * 86400)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let n = Double(text.dropLast(suffix.count)), n >= 0, n.isFinite, n * factor <= maximumDuration { return n * factor }
        }
        return nil
    }
}
