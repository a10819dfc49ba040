import Synchronization

/// Decides a report's next hops at this node. Holds the current routing table,
/// replaced as a whole on reload (a broken table never replaces a good one).
public final class Router: Sendable {
    public let nodeName: String
    private let current: Mutex<RoutingTable>

    public init(nodeName: String, table: RoutingTable) {
        self.nodeName = nodeName
        self.current = Mutex(table)
    }

    public var table: RoutingTable { current.withLock { $0 } }

    public func replace(_ table: RoutingTable) { current.withLock { $0 = table } }

    /// An H2/H3 report follows a copy rule only when the rule sends copies for an
    /// authority the report is addressed to (`copy authority=DE` and addressee
    /// `authority:DE-BPOL`): the copy then goes where its addressee reads.
    static func copyReachesAddressee(_ rule: RoutingTable.Rule, _ report: Report, consented: [String] = []) -> Bool {
        copyReachesAddressee(rule, addressees: report.addressees + consented)
    }

    public static func copyReachesAddressee(_ rule: RoutingTable.Rule, addressees: [String]) -> Bool {
        guard let authorities = rule.conditions.first(where: { $0.key == .authority })?.values else { return false }
        let addressed = addressees.filter { $0.hasPrefix("authority:") }.map { String($0.dropFirst("authority:".count)) }
        return addressed.contains { name in
            authorities.contains { $0 == name || ($0.count == 2 && name.hasPrefix($0 + "-")) }
        }
    }

    /// The rule notices follow (they carry their way back in `body.return_path`).
    static let returnPathRule = RoutingTable.Rule(kind: .route, conditions: [], nextHops: [], file: "(notice return path)", line: 0)

    /// Next hops for `report`, which has passed the nodes in `path` (this node last).
    ///
    /// Handling and data class are enforced here (docs/ACCESS.md §4): H2 and H3
    /// reports follow only the primary route, never `copy` rules; `case` reports
    /// go only to nodes the access rules allow to hold personal data, and a
    /// refused hop is logged.
    /// - Parameter consented: whom the author consented an H2 report may also go
    ///   to: a copy rule that reaches one of them is followed like one that
    ///   reaches an addressee.
    public func nextHops(
        for report: Report, path: [String], consented: [String] = [], access: AccessRules = .defaults, logger: Logger? = nil
    ) -> [RoutingTable.Decision] {
        if report.kind == .notice {
            // Back towards the origin: the node before this one on the return path.
            let back = (report.body["return_path"]?.arrayValue ?? []).compactMap(\.stringValue)
            guard let index = back.lastIndex(of: nodeName), index > 0 else { return [] }
            return [RoutingTable.Decision(nextHop: back[index - 1], rule: Router.returnPathRule)]
        }
        var decisions = table.decide(RoutingTable.Envelope(report), excluding: Set(path).union([nodeName]))
        if report.handling.namedAddresseesOnly {
            decisions.removeAll { $0.rule.kind == .copy && !Router.copyReachesAddressee($0.rule, report, consented: consented) }
        }
        if report.carriesPersonalData {
            decisions.removeAll { decision in
                let node = PeerIdentity(id: decision.nextHop, role: .node, authority: "", memberState: "")
                let verdict = access.decide(.holdPersonal, for: node)
                if !verdict.allowed {
                    logger?.warning(
                        "report with personal data not sent to a node that may not hold it",
                        ["report": report.id.description, "next_hop": decision.nextHop, "rule": decision.rule.location, "access": verdict.description])
                }
                return !verdict.allowed
            }
        }
        return decisions
    }

    /// The rule a consent request follows: back the way its report came.
    static let consentRequestRule = RoutingTable.Rule(kind: .route, conditions: [], nextHops: [], file: "(consent request: back along the report's path)", line: 0)

    /// Next hops for a `consent` report about `held` (nil: not held here), which
    /// has passed `path` (this node last): a request goes back the way the
    /// report came, towards its author; a decision follows the report's route,
    /// with the consented names (`consented`, after this decision) reached by
    /// copy rules too.
    public func nextHops(
        forConsent consent: Report, about held: ReportStore.HeldReport?, path: [String], consented: [String], access: AccessRules = .defaults,
        logger: Logger? = nil
    ) -> [RoutingTable.Decision] {
        guard let held else { return [] }
        if consent.body["decision"]?.stringValue == Consent.Decision.requested.rawValue {
            guard let index = held.path.lastIndex(of: nodeName), index > 0, !path.contains(held.path[index - 1]) else { return [] }
            return [RoutingTable.Decision(nextHop: held.path[index - 1], rule: Router.consentRequestRule)]
        }
        return nextHops(for: held.report, path: path, consented: consented, access: access, logger: logger)
    }

    /// The rule register entries follow: to every peer (docs/ROUTING.md §2).
    static let floodRule = RoutingTable.Rule(kind: .copy, conditions: [], nextHops: [], file: "(deployment register: every peer)", line: 0)

    /// Every peer that `path` has not passed: how a deployment-register entry
    /// reaches every node of the network, each once (the id de-duplicates).
    public func flood(to peers: [String], path: [String]) -> [RoutingTable.Decision] {
        peers.filter { $0 != nodeName && !path.contains($0) }.map { RoutingTable.Decision(nextHop: $0, rule: Router.floodRule) }
    }

    /// Next hops towards the home nodes of a report's readers (docs/ROUTING.md
    /// §2–3): `homes` (node → why) comes from the deployment register (where
    /// its addressees, consented identities and represented states' contact
    /// points read) and from interest (nodes whose readers subscribed to its
    /// topic). A home that is a configured peer is sent to directly; another is
    /// reached through the peer its interest announcement came from. Nodes the
    /// report passed are skipped, and personal data goes only where
    /// `hold-personal` allows, as for routing rules.
    public func homeHops(
        for report: Report, homes: [String: String], interest: InterestMap, peers: [String], path: [String], access: AccessRules = .defaults
    ) -> [RoutingTable.Decision] {
        homeWays(homes: homes, interest: interest, peers: peers, path: path, personalData: report.carriesPersonalData, access: access).map { way in
            let source = way.why.hasPrefix("interest:") ? "" : "deployment register: "
            let rule = RoutingTable.Rule(kind: .copy, conditions: [], nextHops: [way.hop], file: "(\(source)\(way.why))", line: 0)
            return RoutingTable.Decision(nextHop: way.hop, rule: rule)
        }
    }

    /// The next hop towards each of `homes` (node → why), once per hop, with why
    /// (", by way of HOP" when the home is not the hop itself); with
    /// `personalData`, only hops a `hold-personal` rule allows. Custody and
    /// ROUTE-TEST both ask it.
    public func homeWays(
        homes: [String: String], interest: InterestMap, peers: [String], path: [String], personalData: Bool, access: AccessRules
    ) -> [(hop: String, why: String)] {
        var ways: [(hop: String, why: String)] = []
        for node in homes.keys.sorted() {
            guard let hop = interest.hop(towards: node, peers: peers, path: path, me: nodeName), !ways.contains(where: { $0.hop == hop }) else { continue }
            if personalData {
                let peer = PeerIdentity(id: hop, role: .node, authority: "", memberState: "")
                guard access.decide(.holdPersonal, for: peer).allowed else { continue }
            }
            ways.append((hop, homes[node]! + (hop == node ? "" : ", by way of \(hop)")))
        }
        return ways
    }
}
