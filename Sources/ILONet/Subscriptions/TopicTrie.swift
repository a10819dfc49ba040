/// Subscriptions indexed by topic level, so that finding who subscribed to a
/// report's topic costs the topic's depth (times the `+` branches taken), not
/// the number of subscriptions: 20,000 subscriptions of one identity no longer
/// slow every other identity's publishes (issue 14). Built from the store's
/// subscription list and replaced whenever it changes.
struct TopicTrie: Sendable {
    private struct Node: Sendable {
        var children: [Substring: Int] = [:]
        var plus: Int?
        /// Filters ending here with `#` (match this level and everything below).
        var rest: [String] = []
        /// Filters ending exactly here.
        var exact: [String] = []
    }

    private var nodes = [Node()]

    init() {}

    init(_ entries: [(filter: TopicFilter, identity: String)]) {
        for entry in entries { insert(entry.filter, identity: entry.identity) }
    }

    mutating func insert(_ filter: TopicFilter, identity: String) {
        var current = 0
        for level in filter.levels {
            if level == "#" {
                nodes[current].rest.append(identity)
                return
            }
            let next: Int
            if level == "+" {
                if let existing = nodes[current].plus {
                    next = existing
                } else {
                    next = nodes.count
                    nodes.append(Node())
                    nodes[current].plus = next
                }
            } else if let existing = nodes[current].children[level] {
                next = existing
            } else {
                next = nodes.count
                nodes.append(Node())
                nodes[current].children[level] = next
            }
            current = next
        }
        nodes[current].exact.append(identity)
    }

    /// Every identity with a filter matching `topic` (a topic has no wildcards).
    func subscribers(of topic: String) -> Set<String> {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false)
        var found = Set<String>()
        var frontier = [0]
        for level in levels {
            var next: [Int] = []
            // The nodes are read in place, not copied (a copy retains and
            // releases its dictionary and lists): every stored report asks,
            // on the store thread (issue 32).
            for index in frontier {
                if !nodes[index].rest.isEmpty { found.formUnion(nodes[index].rest) }
                if let child = nodes[index].children[level] { next.append(child) }
                if let plus = nodes[index].plus { next.append(plus) }
            }
            frontier = next
            if frontier.isEmpty { return found }
        }
        for index in frontier {
            if !nodes[index].rest.isEmpty { found.formUnion(nodes[index].rest) }
            if !nodes[index].exact.isEmpty { found.formUnion(nodes[index].exact) }
        }
        return found
    }
}
