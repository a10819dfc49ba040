/// Where an order stands, node by node, from the receipts that came back for it
/// (an ORDER-LIST entry, docs/PROTOCOL.md §3): what `ilo erasure` and `ilo show`
/// print. The set of nodes is complete when every node named in some receipt
/// (as the node that wrote it, or as a next hop) has answered.
public struct OrderStatus: Sendable {
    public enum State: Sendable, Equatable {
        /// The node answered: `event` (erased, withdrawn, restricted, lifted, not-held) at `at`.
        case answered(event: String, at: String, receipt: JSONValue)
        /// The order could not reach the node: it expired or was refused on the way (`why`).
        case unreachable(since: String, why: String)
        case pending
    }

    public struct Line: Sendable {
        public let node: String
        public let state: State
    }

    public let order: JSONValue
    public let lines: [Line]

    /// `order`, the `path` it took to the node that answered, the notices
    /// about it (receipts, and notices that it expired or was refused on the
    /// way), and that node's peer links (`node` → (state, since)).
    public init(order: JSONValue, path: [String], notices: [JSONValue], links: [String: (state: String, since: String?)]) {
        self.order = order
        var nodes: [String] = path.first.map { [$0] } ?? []
        func add(_ node: String) { if !nodes.contains(node) { nodes.append(node) } }
        let receipts = notices.filter { OrderNotice.receiptEvents.contains($0["body"]?["event"]?.stringValue ?? "") }
        for receipt in receipts {
            if let node = receipt["body"]?["node"]?.stringValue { add(node) }
            for hop in receipt["body"]?["next_hops"]?.arrayValue ?? [] { if let hop = hop.stringValue { add(hop) } }
        }
        lines = nodes.map { node in
            if let receipt = receipts.last(where: { $0["body"]?["node"]?.stringValue == node }) {
                return Line(
                    node: node,
                    state: .answered(event: receipt["body"]?["event"]?.stringValue ?? "", at: receipt["body"]?["since"]?.stringValue ?? "", receipt: receipt))
            }
            if let stuck = notices.last(where: { ["expired", "refused"].contains($0["body"]?["event"]?.stringValue) && $0["body"]?["next_hop"]?.stringValue == node }) {
                let at = stuck["body"]?["node"]?.stringValue ?? "?"
                let event = stuck["body"]?["event"]?.stringValue ?? ""
                let code = stuck["body"]?["code"]?.stringValue.map { ": \($0)" } ?? ""
                return Line(node: node, state: .unreachable(since: stuck["body"]?["since"]?.stringValue ?? "", why: "\(event) at \(at)\(code)"))
            }
            if let link = links[node], link.state != "up" {
                return Line(node: node, state: .unreachable(since: link.since ?? "", why: "its link is \(link.state)"))
            }
            return Line(node: node, state: .pending)
        }
    }

    public var action: String { order["body"]?["action"]?.stringValue ?? "" }

    /// The receipt event that says a node carried the order out.
    public var doneEvent: String { Order.Action(rawValue: action)?.done ?? "erased" }

    /// Nodes that carried it out.
    public var done: Int {
        lines.filter { if case .answered(let event, _, _) = $0.state { event == doneEvent || (event == "erased" && doneEvent == "withdrawn") } else { false } }.count
    }

    /// Nodes that held the report, or may have (those that have not answered yet).
    public var holders: Int {
        lines.filter { if case .answered(let event, _, _) = $0.state { event != "not-held" } else { true } }.count
    }

    /// Every node named has answered.
    public var complete: Bool { lines.allSatisfy { if case .answered = $0.state { true } else { false } } }

    /// "erased at 3 of 3 nodes that held it".
    public var summary: String {
        let waiting = lines.filter { if case .answered = $0.state { false } else { true } }.count
        return "\(doneEvent) at \(done) of \(holders) node\(holders == 1 ? "" : "s") that held it" + (waiting == 0 ? "" : "; waiting for \(waiting)")
    }
}
