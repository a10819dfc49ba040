/// A node's routing table (docs/ROUTING.md): which next hops a report goes to.
///
/// ```
/// # rule    match                          -> next hops
/// route     country=LY,TN kind=smuggling   -> regional-na.ilonet.example
/// copy      authority=DE                   -> authority-de.ilonet.example
/// default                                  -> board.ilonet.example
/// ```
/// The first matching `route` rule gives the primary next hops (the `default`
/// when none matches); every matching `copy` rule adds its next hops as well.
/// Hops the report already passed, and the node itself, are never chosen.
public struct RoutingTable: Sendable {
    public enum RuleKind: String, Sendable { case route, copy, `default` }

    public struct Rule: Sendable, Equatable {
        public let kind: RuleKind
        public let conditions: [Condition]
        public let nextHops: [String]
        public let file: String
        public let line: Int

        public var location: String { "\(file):\(line)" }
        public var matchText: String { conditions.isEmpty ? "(any report)" : conditions.map(\.description).joined(separator: " ") }
    }

    /// One `key=value[,value…]` test; values of one key are alternatives.
    public struct Condition: Sendable, Equatable, CustomStringConvertible {
        public let key: Key
        public let values: [String]
        public var description: String { "\(key.rawValue)=\(values.joined(separator: ","))" }
    }

    public enum Key: String, Sendable, CaseIterable {
        case country, kind, authority, state, priority, handling
        case personalData = "personal-data"
        /// A state the report is on behalf of (`on_behalf_of`, checked against the register).
        case represented
    }

    public let rules: [Rule]
    public let path: String

    public static let empty = RoutingTable(rules: [], path: "(none)")

    /// The envelope fields a decision looks at.
    public struct Envelope: Sendable, Equatable {
        public var kind: String
        public var country: String
        public var authority: String
        public var state: String
        public var priority: String
        public var handling: String
        /// `none`, or the Art. 10(3) category of the personal data carried.
        public var personalData: String
        /// The states the report is on behalf of.
        public var represented: [String] = []

        public init(kind: String, country: String, authority: String, state: String, priority: String = "routine", handling: String = "H1", personalData: String = "none") {
            self.kind = kind
            self.country = country
            self.authority = authority
            self.state = state
            self.priority = priority
            self.handling = handling
            self.personalData = personalData
        }

        /// An envelope from `ilo route test` fields (`personal-data` or `personal_data`).
        /// The member state defaults to the authority's prefix: `DE-BPOL` → `DE`.
        public init(testFields fields: [String: String]) {
            let authority = fields["authority"] ?? ""
            var state = fields["state"] ?? ""
            if state.isEmpty {
                let prefix = authority.split(separator: "-").first.map(String.init) ?? ""
                if prefix.count == 2 { state = prefix }
            }
            self.init(
                kind: fields["kind"] ?? "smuggling", country: fields["country"] ?? "", authority: authority, state: state,
                priority: fields["priority"] ?? "routine", handling: fields["handling"] ?? "H1",
                personalData: fields["personal-data"] ?? fields["personal_data"] ?? "none")
            represented = (fields["represented"] ?? fields["on_behalf_of"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }

        public init(_ report: Report) {
            self.init(
                kind: report.kind.rawValue, country: report.country, authority: report.origin.authority, state: report.origin.state,
                priority: report.priority.rawValue, handling: report.handling.rawValue, personalData: report.personalData?.rawValue ?? "none")
            represented = report.onBehalfOf
        }
    }

    /// A next hop and the rule that chose it.
    public struct Decision: Sendable, Equatable {
        public let nextHop: String
        public let rule: Rule
    }

    /// The next hops for a report, in rule order, each once; `excluding` lists the
    /// nodes the report already passed (and this node).
    public func decide(_ envelope: Envelope, excluding passed: Set<String> = []) -> [Decision] {
        var decisions: [Decision] = []
        var chosen = passed
        func add(_ rule: Rule) {
            for hop in rule.nextHops where !chosen.contains(hop) {
                chosen.insert(hop)
                decisions.append(Decision(nextHop: hop, rule: rule))
            }
        }
        if let primary = rules.first(where: { $0.kind == .route && matches($0, envelope) }) ?? rules.first(where: { $0.kind == .default }) {
            add(primary)
        }
        for rule in rules where rule.kind == .copy && matches(rule, envelope) { add(rule) }
        return decisions
    }

    func matches(_ rule: Rule, _ envelope: Envelope) -> Bool {
        rule.conditions.allSatisfy { condition in
            switch condition.key {
            case .country: condition.values.contains(envelope.country)
            case .kind: condition.values.contains(envelope.kind)
            case .state: condition.values.contains(envelope.state)
            case .priority: condition.values.contains(envelope.priority)
            case .handling: condition.values.contains(envelope.handling)
            case .personalData: condition.values.contains(envelope.personalData) || (envelope.personalData != "none" && condition.values.contains("any"))
            case .represented: envelope.represented.contains { condition.values.contains($0) }
            case .authority:
                // A two-letter value means every authority of that member state.
                condition.values.contains { $0 == envelope.authority || ($0.count == 2 && $0 == envelope.state) }
            }
        }
    }

    /// Every next hop the table names.
    public var nextHops: Set<String> { Set(rules.flatMap(\.nextHops)) }
}
