/// Who may do what at a node (docs/ACCESS.md). Rules are tried in order; the
/// first whose conditions all hold decides; when none does, the answer is no.
///
/// ```
/// # effect action     conditions (who and what)
/// allow   publish     role=officer                 kind=smuggling,return,border
/// deny    subscribe   state=XX                     topic=smuggling/LY/#
/// allow   subscribe   role=officer                 topic=+/{posts}/#
/// allow   read-personal   role=authority               personal-data=return-passenger-list
/// allow   hold-personal   node=board.ilonet.example
/// ```
public struct AccessRules: Sendable {
    public enum Action: String, Sendable, CaseIterable {
        /// Be admitted at all (checked at HELLO, after the certificate is verified).
        case connect
        /// Send reports of a kind about a country.
        case publish
        /// Subscribe to, and receive reports on, topics.
        case subscribe
        /// Receive digests of topics: the counts of their H0 and H1 reports
        /// without personal data, and the headlines only of those one may read
        /// (the steering board's overview, docs/ACCESS.md §2).
        case digest
        /// Receive reports with personal data of a category (Art. 10(3)).
        case readPersonal = "read-personal"
        /// (Nodes) be sent reports with personal data by this node.
        case holdPersonal = "hold-personal"
    }

    public enum Key: String, Sendable, CaseIterable {
        case role, id, authority, state, node  // who
        case kind, country, topic  // what
        case personalData = "personal-data"
    }

    public struct Rule: Sendable {
        public let allow: Bool
        public let action: Action
        public let conditions: [Key: [String]]
        public let topics: [String]  // topic patterns, `{posts}` not yet expanded
        public let location: String
        /// `topics` parsed once when the rules are read: the store asks about
        /// each reader of each report it takes (docs/PERFORMANCE.md, issue 32).
        let patterns: [TopicPattern]

        public init(allow: Bool, action: Action, conditions: [Key: [String]], topics: [String], location: String) {
            (self.allow, self.action, self.conditions, self.topics, self.location) = (allow, action, conditions, topics, location)
            patterns = topics.map(TopicPattern.init)
        }

        public var summary: String {
            let parts = conditions.keys.sorted { $0.rawValue < $1.rawValue }.map { "\($0.rawValue)=\(conditions[$0]!.joined(separator: ","))" }
            return "\(allow ? "allow" : "deny") \(action.rawValue) \(parts.joined(separator: " "))"
        }
    }

    public let rules: [Rule]
    public let path: String

    /// What one question was answered, and by which rule (nil: no rule matched).
    public struct Decision: Sendable, CustomStringConvertible {
        public let allowed: Bool
        public let rule: Rule?
        public var description: String {
            guard let rule else { return "no access rule allows it (default deny)" }
            return "\(rule.allow ? "allowed" : "denied") by \(rule.location) (\(rule.summary))"
        }
    }

    /// What is asked about.
    public enum Request: Sendable {
        case connect
        case publish(kind: String, country: String)
        /// Subscribing to a filter: allowed when an allow rule's topic covers it.
        case subscribe(TopicFilter)
        /// Receiving one report with this topic.
        case read(topic: String)
        /// Digests of a filter (counts without content).
        case digest(TopicFilter)
        /// Reading one report with this topic that is addressed to the reader or
        /// shared with them, under a digest rule.
        case overview(topic: String)
        case readPersonal(category: String)
        case holdPersonal
    }

    public func decide(_ request: Request, for identity: PeerIdentity) -> Decision {
        for rule in rules where rule.action == action(of: request) && whoMatches(rule, identity) && whatMatches(rule, request, identity) {
            return Decision(allowed: rule.allow, rule: rule)
        }
        return Decision(allowed: false, rule: nil)
    }

    private func action(of request: Request) -> Action {
        switch request {
        case .connect: .connect
        case .publish: .publish
        case .subscribe, .read: .subscribe
        case .digest, .overview: .digest
        case .readPersonal: .readPersonal
        case .holdPersonal: .holdPersonal
        }
    }

    private func whoMatches(_ rule: Rule, _ identity: PeerIdentity) -> Bool {
        func test(_ key: Key, _ value: String) -> Bool {
            guard let allowed = rule.conditions[key] else { return true }
            return allowed.contains("*") || allowed.contains(value)
        }
        if rule.conditions[.node] != nil && identity.role != .node { return false }
        return test(.role, identity.role.rawValue) && test(.id, identity.id) && test(.node, identity.id)
            && test(.authority, identity.authority) && test(.state, identity.memberState)
    }

    private func whatMatches(_ rule: Rule, _ request: Request, _ identity: PeerIdentity) -> Bool {
        func test(_ key: Key, _ value: String) -> Bool {
            guard let allowed = rule.conditions[key] else { return true }
            return allowed.contains("*") || allowed.contains(value)
        }
        switch request {
        case .connect: return true
        case .publish(let kind, let country): return test(.kind, kind) && test(.country, country)
        case .readPersonal(let category): return test(.personalData, category)
        case .holdPersonal: return true
        case .subscribe(let filter), .digest(let filter):
            if rule.topics.isEmpty { return true }
            // An allow rule must cover the whole request; a deny rule refuses as
            // soon as it could match some of it.
            return rule.allow ? expand(rule, identity) { $0.covers(filter) } : expand(rule, identity) { overlaps($0, filter) }
        case .read(let topic), .overview(let topic):
            if rule.topics.isEmpty { return true }
            return expand(rule, identity) { $0.matches(topic) }
        }
    }

    /// A rule's topic pattern: a filter, or one naming `{posts}`, which stands
    /// for each country the identity is posted to.
    struct TopicPattern: Sendable {
        let text: String
        /// The filter when `text` names no `{posts}` (nil too when it is not a valid filter).
        let filter: TopicFilter?
        let namesPosts: Bool

        init(_ text: String) {
            self.text = text
            namesPosts = text.contains("{posts}")
            filter = namesPosts ? nil : try? TopicFilter(text)
        }

        /// Whether one of the filters the pattern stands for, for `identity`, satisfies `test`.
        func contains(for identity: PeerIdentity, where test: (TopicFilter) -> Bool) -> Bool {
            guard namesPosts else { return filter.map(test) ?? false }
            return identity.posts.contains { post in (try? TopicFilter(text.replacingOccurrences(of: "{posts}", with: post))).map(test) ?? false }
        }
    }

    /// Whether one of the filters a rule's topics stand for, for `identity`, satisfies `test`.
    private func expand(_ rule: Rule, _ identity: PeerIdentity, contains test: (TopicFilter) -> Bool) -> Bool {
        rule.patterns.contains { $0.contains(for: identity, where: test) }
    }

    /// Whether some topic matches both filters.
    private func overlaps(_ a: TopicFilter, _ b: TopicFilter) -> Bool {
        for (x, y) in zip(a.levels, b.levels) {
            if x == "#" || y == "#" { return true }
            if x != "+" && y != "+" && x != y { return false }
        }
        // Equal length: the same topics fit both. Otherwise only a trailing `#`
        // one level deeper reaches the shorter filter's topics ("a/#" matches "a").
        let (short, long) = a.levels.count <= b.levels.count ? (a, b) : (b, a)
        return long.levels.count == short.levels.count || (long.levels.count == short.levels.count + 1 && long.levels.last == "#")
    }

    /// The rules a node uses when its configuration names no access file. No
    /// `hold-personal` rule: a node passes personal data on only to the nodes a
    /// rule of its own access file names (docs/ACCESS.md §2).
    public static let defaultText = """
        # Built-in access rules (used when the node configuration names no `access` file).
        allow connect    role=officer,board,authority,admin,operator,node,dpo
        allow publish    role=officer,authority,admin         kind=smuggling,return,border
        allow subscribe  role=admin,authority                 topic=#
        allow subscribe  role=officer                         topic=+/{posts}/#
        allow digest     role=board                           topic=#
        allow read-personal  role=authority,admin
        """

    public static let defaults: AccessRules = try! parse(defaultText, path: "(built-in access rules)")
}
