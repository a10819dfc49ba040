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
        let topicLevels = topic.split(separator: "/", omittingEmptySubsequences: false)
        var index = 0
        for level in levels {
            if level == "#" { return true }
            guard index < topicLevels.count else { return false }
            if level != "+" && level != topicLevels[index] { return false }
            index += 1
        }
        return index == topicLevels.count
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
