/// Custody of an order about a sent report (docs/REPORTS.md §5.9), at every node
/// it reaches: check who gave it against the report held here, pass it on along
/// the report's own path, carry it out, tell the report's recipients here, and
/// answer the issuer with a receipt signed by this node — all in one transaction.
extension NodeServices {
    /// Inside a store job: takes custody of `order`, which passed `path` (this
    /// node last), signed by `issuer`.
    func takeOrder(
        _ order: Report, issuer: PeerIdentity, path: [String], store: ReportStore, disclosure: Disclosure, now: Int64
    ) throws(SQLiteError) -> CustodyReceipt {
        func refused(_ code: ErrorCode, _ message: String, field: String? = nil) -> CustodyReceipt {
            CustodyReceipt(outcome: .duplicate, decisions: [], path: path, refusal: ProtocolError(code, message, field: field))
        }
        guard let parts = Order.parts(order) else { return refused(.invalidReport, "body: an order names the report, its author, the action and the ground") }
        let first = path.count == 1
        let target = try store.orderTarget(parts.about)
        if let target, target.seq != nil {
            guard parts.author == nil || target.author == parts.author else {
                return refused(.forbidden, "body.author: report \(parts.about) was written by \(target.author), not \(parts.author ?? "")", field: "body.author")
            }
            if let problem = Order.issuerProblem(issuer, author: target.author, authority: target.authority) { return refused(.forbidden, problem) }
        } else if first {
            // Where the issuer gives it, the node must know the report: it starts the order's way.
            guard let target else {
                return refused(
                    .notFound, "body.about: report \(parts.about) is not held at \(router.nodeName); give the order at a node that holds it "
                        + "(the node it was sent from, or one it reached)", field: "body.about")
            }
            if !target.authority.isEmpty, issuer.authority != target.authority {
                return refused(.forbidden, "report \(parts.about) was erased here; only its author's deploying authority (\(target.authority)) may give orders about it")
            }
        }
        let hops = try store.orderHops(reportID: parts.about, target: target, orderPath: path, peers: configuration.peers.map(\.name))
        let outcome = try store.accept(
            order, document: order.canonicalEncoding, path: path, nextHops: hops, recipient: nil, now: now, queueLimit: Int.max, disclosure: disclosure)
        guard case .stored(let seq, _) = outcome else { return CustodyReceipt(outcome: outcome, decisions: [], path: path) }
        var readers: [String] = []
        var event = target?.erased == true ? "erased" : "not-held"
        var released: [String] = []
        if let target, let reportSeq = target.seq {
            readers = try store.recipients(ofReport: parts.about, seq: reportSeq).filter { $0 != target.author && $0 != issuer.id }
            if parts.action == .liftRestriction { released = try store.queuedHops(seq: reportSeq) }
            try store.carryOut(parts, order: order.id.description, target: target, issuer: issuer.id, hops: hops, now: now)
            event = parts.action.done
        }
        let (told, receiptHops) = try answer(
            order, parts: parts, issuer: issuer, readers: readers, event: event, contentHash: target?.contentHash, hops: hops, path: path, store: store, now: now)
        logger.info(
            "order carried out",
            ["order": order.id.description, "report": parts.about, "action": parts.action.rawValue, "result": event, "by": issuer.id,
             "next_hops": hops.joined(separator: ","), "recipients_told": String(told.count)])
        let decisions = hops.map { RoutingTable.Decision(nextHop: $0, rule: Router.orderRule) }
        return CustodyReceipt(outcome: .stored(seq: seq, recipients: told), decisions: decisions, path: path, noticeHops: receiptHops + released)
    }
}

extension NodeServices {
    /// Inside a store job, once an order (or a correction) was carried out here:
    /// a recall to each of `readers`, and the node's signed receipt back to the
    /// issuer along the order's `path`. Returns who was told and the receipt's hops.
    func answer(
        _ order: Report, parts: Order.Parts, issuer: PeerIdentity, readers: [String], event: String, contentHash: [UInt8]?, hops: [String],
        path: [String], store: ReportStore, now: Int64
    ) throws(SQLiteError) -> (told: [String], receiptHops: [String]) {
        var told: [String] = []
        for reader in readers {
            guard let recall = OrderNotice.recall(for: order, parts: parts, issuer: issuer, reader: reader, node: nodeOrigin, now: now) else { continue }
            _ = try writeNotice(signedByNode(recall), to: reader, store: store, now: now)
            told.append(reader)
        }
        guard let receipt = OrderNotice.receipt(
            for: order, parts: parts, event: event, contentHash: contentHash, nextHops: hops, path: path, node: nodeOrigin, now: now,
            controller: configuration.controller, controllerLaw: configuration.controllerLaw)
        else { return (told, []) }
        return (told, try writeNotice(signedByNode(receipt), to: order.origin.officer, store: store, now: now))
    }
}

extension Router {
    /// The rule an order follows: the report's own path (docs/REPORTS.md §5.9).
    static let orderRule = RoutingTable.Rule(kind: .route, conditions: [], nextHops: [], file: "(order: along the report's path)", line: 0)
}

extension NodeServices {
    /// Inside a store job: takes custody of `correction`, a report with
    /// `corrects` (docs/REPORTS.md §5.9), signed by `author`. It follows the
    /// corrected report's path like an order, goes to exactly the identities that
    /// received or read that report at each node, and the corrected report is
    /// erased there; each node answers the author with a `corrected` receipt.
    func takeCorrection(
        _ correction: Report, author: PeerIdentity, path: [String], store: ReportStore, disclosure: Disclosure, now: Int64
    ) throws(SQLiteError) -> CustodyReceipt {
        func refused(_ code: ErrorCode, _ message: String) -> CustodyReceipt {
            CustodyReceipt(outcome: .duplicate, decisions: [], path: path, refusal: ProtocolError(code, message, field: "corrects"))
        }
        let about = correction.corrects?.description ?? ""
        let target = try store.orderTarget(about)
        if let target, target.seq != nil {
            let mayCorrect = target.author == author.id || (author.role == .authority && author.authority == target.authority)
            guard mayCorrect else {
                return refused(.forbidden, "corrects: only the author of report \(about) (\(target.author)), or an authority of \(target.authority), may correct it")
            }
        } else if path.count == 1, target == nil {
            return refused(
                .notFound, "corrects: report \(about) is not held at \(router.nodeName); send the correction from the node the report was sent from")
        }
        let parts = Order.Parts(about: about, author: target?.author, action: .correct, ground: .inaccurate, note: nil)
        let hops = try store.orderHops(reportID: about, target: target, orderPath: path, peers: configuration.peers.map(\.name))
        var readers: [String] = []
        if let target, let seq = target.seq {
            readers = try store.recipients(ofReport: about, seq: seq).filter { $0 != target.author && $0 != author.id }
        }
        let outcome = try store.accept(
            correction, document: correction.canonicalEncoding, path: path, nextHops: hops, recipient: nil, now: now,
            queueLimit: configuration.maximumQueuedPerHop, disclosure: disclosure, deliverTo: readers)
        guard case .stored(let seq, let delivered) = outcome else { return CustodyReceipt(outcome: outcome, decisions: [], path: path) }
        var event = target?.erased == true ? "erased" : "not-held"
        if let target, target.seq != nil {
            try store.carryOut(parts, order: correction.id.description, target: target, issuer: author.id, hops: hops, now: now)
            event = Order.Action.correct.done
        }
        let (_, receiptHops) = try answer(
            correction, parts: parts, issuer: author, readers: readers, event: event, contentHash: target?.contentHash, hops: hops, path: path, store: store,
            now: now)
        logger.info(
            "correction taken", ["report": correction.id.description, "corrects": about, "result": event, "next_hops": hops.joined(separator: ","),
                                 "delivered_here": String(delivered.count)])
        let decisions = hops.map { RoutingTable.Decision(nextHop: $0, rule: Router.orderRule) }
        return CustodyReceipt(outcome: .stored(seq: seq, recipients: delivered + readers), decisions: decisions, path: path, noticeHops: receiptHops)
    }
}
