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

    /// The rule notices follow (they carry their way back in `body.return_path`).
    static let returnPathRule = RoutingTable.Rule(kind: .route, conditions: [], nextHops: [], file: "(notice return path)", line: 0)

    /// Next hops for `report`, which has passed the nodes in `path` (this node last).
    public func nextHops(for report: Report, path: [String]) -> [RoutingTable.Decision] {
        if report.kind == .notice {
            // Back towards the origin: the node before this one on the return path.
            let back = (report.body["return_path"]?.arrayValue ?? []).compactMap(\.stringValue)
            guard let index = back.lastIndex(of: nodeName), index > 0 else { return [] }
            return [RoutingTable.Decision(nextHop: back[index - 1], rule: Router.returnPathRule)]
        }
        return table.decide(RoutingTable.Envelope(report), excluding: Set(path).union([nodeName]))
    }
}
