/// Orders about sent reports (docs/REPORTS.md §5.9): what this node holds of
/// the report an order names, where the order goes next, who must be told, and
/// carrying the order out — in the custody transaction of the order.
extension ReportStore {
    /// The report an order is about, as this node holds it.
    public struct OrderTarget: Sendable {
        /// nil: not held here (erased already, or never here).
        public let seq: Int64?
        public let author: String
        public let authority: String
        /// The nodes it passed, this node last (empty when not held).
        public let path: [String]
        public let contentHash: [UInt8]?
        public let restricted: Bool
        /// Whether it was erased here (by date, retention or an order).
        public let erased: Bool
    }

    /// Report `id` as held here, or its tombstone (nil: neither).
    public func orderTarget(_ id: String) throws(SQLiteError) -> OrderTarget? {
        let held = try database.cached("SELECT seq, origin_officer, origin_authority, path, content_hash, restricted_ms FROM reports WHERE id = ? AND kind IN ('smuggling', 'return', 'border')")
        held.bind(1, id)
        if try held.step() {
            let path = (try? JSONValue(parsing: held.text(3)))?.arrayValue?.compactMap(\.stringValue) ?? []
            let target = OrderTarget(
                seq: held.int(0), author: held.text(1), authority: held.text(2), path: path, contentHash: held.isNull(4) ? nil : held.blob(4),
                restricted: !held.isNull(5), erased: false)
            try held.step()
            return target
        }
        let tombstone = try database.cached("SELECT content_hash, origin_authority FROM erased WHERE id = ?")
        tombstone.bind(1, id)
        guard try tombstone.step() else { return nil }
        let target = OrderTarget(
            seq: nil, author: "", authority: tombstone.isNull(1) ? "" : tombstone.text(1), path: [], contentHash: tombstone.isNull(0) ? nil : tombstone.blob(0),
            restricted: false, erased: true)
        try tombstone.step()
        return target
    }

    /// Where an order about report `id` goes from here: every node this node
    /// forwarded the report to (the audit trail's `forward` records), every node
    /// it is still queued for, and the node it came from — among `peers`, and
    /// not back along `orderPath` (the nodes the order passed, this one last).
    public func orderHops(reportID id: String, target: OrderTarget?, orderPath: [String], peers: [String]) throws(SQLiteError) -> [String] {
        var hops: [String] = []
        func add(_ hop: String) {
            if peers.contains(hop) && !orderPath.contains(hop) && hop != nodeName && !hops.contains(hop) { hops.append(hop) }
        }
        let forwarded = try database.cached("SELECT counterpart FROM audit WHERE report_id = ? AND event = 'forward' AND counterpart IS NOT NULL")
        forwarded.bind(1, id)
        while try forwarded.step() { add(forwarded.text(0)) }
        if let seq = target?.seq {
            let queued = try database.cached("SELECT next_hop FROM outbound WHERE report_seq = ?")
            queued.bind(1, seq)
            while try queued.step() { add(queued.text(0)) }
        }
        if let path = target?.path, path.count >= 2 { add(path[path.count - 2]) }
        return hops
    }

    /// The identities that received report `id` here (a mailbox entry) or read it
    /// (the audit trail's `read` records): those an order's recall goes to.
    func recipients(ofReport id: String, seq: Int64?) throws(SQLiteError) -> [String] {
        var names: [String] = []
        if let seq {
            let delivered = try database.cached("SELECT identity FROM deliveries WHERE report_seq = ? ORDER BY identity")
            delivered.bind(1, seq)
            while try delivered.step() { names.append(delivered.text(0)) }
        }
        let read = try database.cached("SELECT DISTINCT actor FROM audit WHERE report_id = ? AND event = 'read' ORDER BY actor")
        read.bind(1, id)
        while try read.step() {
            let name = read.text(0)
            if !names.contains(name) { names.append(name) }
        }
        return names
    }

    /// Carries out `parts` on the held report (in the caller's transaction) and
    /// audits it (actor: who gave the order; detail: the order, its ground, its next hops).
    func carryOut(_ parts: Order.Parts, order: String, target: OrderTarget, issuer: String, hops: [String], now: Int64) throws(SQLiteError) {
        guard let seq = target.seq else { return }
        let detail = "order=\(order) ground=\(parts.ground.rawValue) next-hops=\(hops.joined(separator: ","))"
        switch parts.action {
        case .withdraw, .erase, .correct:
            if parts.action == .withdraw { try countWithdrawn(seq: seq) }
            // A corrected report's count moves to its correction (the ledger counts the latest version).
            if parts.action == .correct, let held = try heldReport(parts.about) { try count(held.report, by: -1) }
            let event: AuditEvent = parts.action == .withdraw ? .withdraw : parts.action == .correct ? .correct : .erase
            try erase(
                seq: seq, id: parts.about, reason: "\(parts.action.done) by \(parts.action == .correct ? "correction" : "order") \(order) (\(parts.ground.rawValue))",
                now: now, event: event, actor: issuer, detail: detail)
            let authority = try database.cached("UPDATE erased SET origin_authority = ? WHERE id = ?")
            authority.bind(1, target.authority)
            authority.bind(2, parts.about)
            try authority.run()
            try compactCaseIndex()
            resetCaches()
        case .restrict, .liftRestriction:
            let update = try database.cached("UPDATE reports SET restricted_ms = ? WHERE seq = ?")
            if parts.action == .restrict { update.bind(1, now) } else { update.bindNull(1) }
            update.bind(2, seq)
            try update.run()
            try audit(
                parts.action == .restrict ? .restrict : .liftRestriction, report: parts.about, actor: issuer, counterpart: nodeName, detail: detail, now: now)
        }
    }

    /// The statistics ledger keeps a withdrawn report's count, and counts it withdrawn here.
    private func countWithdrawn(seq: Int64) throws(SQLiteError) {
        let statement = try database.cached(
            """
            INSERT INTO statistics_withdrawn (day, kind, country, reports)
            SELECT date(created_ms / 1000, 'unixepoch'), kind, country, 1 FROM reports WHERE seq = ?
            ON CONFLICT (day, kind, country) DO UPDATE SET reports = reports + 1
            """)
        statement.bind(1, seq)
        try statement.run()
    }

    /// The hops report `seq` is still queued for (after a restriction is lifted, they go again).
    func queuedHops(seq: Int64) throws(SQLiteError) -> [String] {
        let queued = try database.cached("SELECT next_hop FROM outbound WHERE report_seq = ?")
        queued.bind(1, seq)
        var hops: [String] = []
        while try queued.step() { hops.append(queued.text(0)) }
        return hops
    }

    /// An order about a report, as this node holds it, with the receipts that
    /// came back for it (`ORDERS`, docs/PROTOCOL.md §3).
    public struct HeldOrder: Sendable {
        public let document: [UInt8]
        public let path: [String]
        public let receipts: [[UInt8]]
    }

    /// The orders about report `id` held here that `reader` may follow: its
    /// issuer, the report's author, and the `authority` and `dpo` identities of
    /// the issuer's deploying authority. Oldest first, at most 20. A correction
    /// (a report with `corrects`) is listed as an order `correct`, without its
    /// content: `{"id", "kind": "correction", "origin", "created", "body": {"about", "action", "ground"}}`.
    public func orders(about id: String, for reader: PeerIdentity) throws(SQLiteError) -> [HeldOrder] {
        let statement = try database.cached(
            """
            SELECT id, document, path, origin_officer, origin_authority, json_extract(CAST(document AS TEXT), '$.body.author'), seq, 'order' FROM reports
            WHERE kind = 'erasure' AND json_extract(CAST(document AS TEXT), '$.body.about') = ?1
            UNION ALL
            SELECT id, NULL, path, origin_officer, origin_authority, origin_officer, seq, created_ms FROM reports WHERE corrects = ?1
            ORDER BY 7 LIMIT 100
            """)
        statement.bind(1, id)
        var found: [(id: String, document: [UInt8], path: [String], issuer: String)] = []
        while try statement.step() {
            let (issuer, authority, author) = (statement.text(3), statement.text(4), statement.isNull(5) ? "" : statement.text(5))
            let oversees = (reader.role == .dpo || reader.role == .authority) && reader.authority == authority
            guard reader.id == issuer || reader.id == author || oversees else { continue }
            let path = (try? JSONValue(parsing: statement.text(2)))?.arrayValue?.compactMap(\.stringValue) ?? []
            var document = statement.isNull(1) ? [] : statement.blob(1)
            if document.isEmpty {
                let stub: JSONValue = [
                    "id": .string(statement.text(0)), "kind": "correction", "origin": ["officer": .string(issuer), "authority": .string(authority)],
                    "created": .string(Timestamp.format(milliseconds: statement.int(7))),
                    "body": ["about": .string(id), "action": "correct", "ground": .string(Order.Ground.inaccurate.rawValue)],
                ]
                document = stub.encoded()
            }
            found.append((statement.text(0), document, path, issuer))
            if found.count == 20 { break }
        }
        statement.reset()
        let receipts = try database.cached(
            """
            SELECT document FROM reports WHERE kind = 'notice' AND json_extract(CAST(document AS TEXT), '$.body.about') = ? AND recipient = ?
              AND topic NOT GLOB 'notice/*/recalled' ORDER BY seq LIMIT 1000
            """)
        var orders: [HeldOrder] = []
        for order in found {
            receipts.bind(1, order.id)
            receipts.bind(2, order.issuer)
            var documents: [[UInt8]] = []
            while try receipts.step() { documents.append(receipts.blob(0)) }
            receipts.reset()
            orders.append(HeldOrder(document: order.document, path: order.path, receipts: documents))
        }
        return orders
    }
}
