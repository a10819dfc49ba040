/// ORDERS: the orders about a report and the receipts that came back for them
/// (docs/PROTOCOL.md §3, docs/REPORTS.md §5.9), for `ilo erasure`.
extension ServerSession {
    func orders(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let about = try message.requireString("about")
        guard ReportID(about) != nil else { throw ProtocolError(.badMessage, "about: a report id", field: "about", requestID: message.requestID) }
        let requestID = message.requestID
        var budget = AnswerBudget(frameBytes: node.configuration.maximumFrameSize)
        withStore({ store throws(SQLiteError) in try store.orders(about: about, for: identity) }) { session, result in
            switch result {
            case .success(let held):
                var orders: [JSONValue] = []
                var more = false
                for order in held {
                    guard let document = try? JSONValue(parsing: order.document) else { continue }
                    let receipts = order.receipts.compactMap { try? JSONValue(parsing: $0) }
                    guard budget.take(order.document.count + order.receipts.reduce(0) { $0 + $1.count } + 256) else {
                        more = true
                        break
                    }
                    orders.append(["order": document, "path": .array(order.path.map { .string($0) }), "receipts": .array(receipts)])
                }
                // This node's links: a node named in a receipt that is a peer here and down is unreachable since then.
                let links: [JSONValue] = session.node.configuration.peers.map(\.name).map { name in
                    let status = session.node.peers.status(name)
                    var link: [String: JSONValue] = ["node": .string(name), "link": .string(status?.state ?? "down")]
                    if let status { link["since"] = .string(Timestamp.format(milliseconds: status.since)) }
                    return .object(link)
                }
                session.send(
                    Message(
                        .orderList, requestID: requestID,
                        ["node": .string(session.node.router.nodeName), "report": .string(about), "orders": .array(orders), "links": .array(links), "more": .bool(more)]))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the orders could not be read; try again later", requestID: requestID))
            }
        }
    }
}
