/// An MQTT-style topic filter (MQTT 3.1.1 §4.7): levels separated by `/`, `+`
/// matches exactly one level, `#` (last, alone in its level) matches the parent
/// and any number of levels below it.
public struct TopicFilter: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    let levels: [Substring]

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    public init(_ text: String) throws(Invalid) {
        guard !text.isEmpty else { throw Invalid(reason: "a topic filter must not be empty") }
        guard text.utf8.count <= 256 else { throw Invalid(reason: "a topic filter is at most 256 bytes") }
        let levels = text.split(separator: "/", omittingEmptySubsequences: false)
        for (index, level) in levels.enumerated() {
            if level.contains("#") && (level != "#" || index != levels.count - 1) {
                throw Invalid(reason: "\"#\" must be a whole level and the last one (\"\(text)\")")
            }
            if level.contains("+") && level != "+" {
                throw Invalid(reason: "\"+\" must be a whole level (\"\(text)\")")
            }
        }
        self.text = text
        self.levels = levels
    }

    public var description: String { text }

    /// Whether a topic (no wildcards) matches this filter.
    public func matches(_ topic: String) -> Bool {
        // The topic's levels are read one by one, without splitting it into an
        // array: access rules ask this for each reader of each report.
        var rest = Substring(topic)
        var consumed = false  // every level of the topic has been read
        for level in levels {
            if level == "#" { return true }
            guard !consumed else { return false }
            let next: Substring
            if let slash = rest.utf8.firstIndex(of: UInt8(ascii: "/")) {
                next = rest[..<slash]
                rest = rest[rest.utf8.index(after: slash)...]
            } else {
                next = rest
                consumed = true
            }
            if level != "+" && level != next { return false }
        }
        return consumed
    }

    /// Whether every topic `other` matches is also matched by this filter (used to
    /// check a requested subscription against what the access rules allow).
    public func covers(_ other: TopicFilter) -> Bool {
        for (index, level) in levels.enumerated() {
            if level == "#" { return true }
            guard index < other.levels.count else { return false }
            let theirs = other.levels[index]
            if theirs == "#" { return false }
            if level == "+" { continue }
            if theirs == "+" || theirs != level { return false }
        }
        return levels.count == other.levels.count
    }
}
