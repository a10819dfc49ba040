/// Queue inspection and control (administrators) and routing checks.
extension ServerSession {
    func requireRole(_ roles: Set<Role>, _ what: String, _ message: Message) throws(ProtocolError) -> PeerIdentity {
        guard let identity, roles.contains(identity.role) else {
            throw ProtocolError(
                .forbidden, "\(what) is for \(roles.map(\.rawValue).sorted().joined(separator: ", ")) roles", requestID: message.requestID)
        }
        return identity
    }

    /// QUEUE: what waits where, why, since when; dead letters; link states.
    func queueListing(_ message: Message) throws(ProtocolError) {
        _ = try requireRole([.admin, .operator], "queue inspection", message)
        let limit = Int(try message.optionalInteger("limit") ?? 1000)
        let requestID = message.requestID
        let peers = node.peers
        withReader("the queue", requestID: requestID, { store throws(SQLiteError) in
            (try store.queueEntries(limit: limit), try store.deadLetters(limit: limit))
        }) { session, lists in
            let (allEntries, allLetters) = lists
            var links: [String: JSONValue] = [:]
            for (name, status) in peers.allStatuses { links[name] = status.json }
            // Within one frame: the first entries of each list, `more` when cut.
            var budget = AnswerBudget(frameBytes: session.node.configuration.maximumFrameSize / 2)
            let entries = allEntries.prefix { budget.take($0.json.encoded().count + 2) }
            budget = AnswerBudget(frameBytes: session.node.configuration.maximumFrameSize / 2)
            let letters = allLetters.prefix { budget.take($0.json.encoded().count + 2) }
            session.send(
                Message(
                    .queueState, requestID: requestID,
                    [
                        "node": .string(session.node.router.nodeName), "queue": .array(entries.map(\.json)),
                        "dead_letters": .array(letters.map(\.json)), "links": .object(links),
                        "more": .bool(entries.count < allEntries.count || letters.count < allLetters.count),
                    ]))
        }
    }

    /// QUEUE-CONTROL: flush, retry, hold, release, delete (audited). A report is
    /// named by its id, a unique prefix of it, or `ALL` — narrowed by `next_hop`,
    /// `state` (queued, held, dead) and `older_than` (a duration), as Postfix's
    /// postsuper does (docs/ROUTING.md §5).
    func queueControl(_ message: Message) throws(ProtocolError) {
        let identity = try requireRole([.admin, .operator], "queue control", message)
        let actionText = try message.requireString("action")
        guard let action = ReportStore.QueueAction(rawValue: actionText) else {
            throw ProtocolError(
                .badMessage, "action: one of \(ReportStore.QueueAction.allCases.map(\.rawValue).joined(separator: ", "))", field: "action", requestID: message.requestID)
        }
        let named = message.body["id"]?.stringValue
        if action != .flush && named == nil {
            throw ProtocolError(.badMessage, "id: \(action.rawValue) needs a report id, a unique prefix of one, or ALL", field: "id", requestID: message.requestID)
        }
        if let named, named != "ALL", named.utf8.count < 4 || !named.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) || $0 == 0x2D }) {
            throw ProtocolError(.badMessage, "id: a report id, a prefix of at least 4 of its characters, or ALL", field: "id", requestID: message.requestID)
        }
        let selection = ReportStore.QueueSelection(
            nextHop: message.body["next_hop"]?.stringValue, state: message.body["state"]?.stringValue,
            olderThanMilliseconds: try message.body["older_than"]?.stringValue.map { (text: String) throws(ProtocolError) -> Int64 in
                guard let seconds = ConfigFile.parseDuration(text) else {
                    throw ProtocolError(.badMessage, "older_than: a duration such as 2h or 7d", field: "older_than", requestID: message.requestID)
                }
                return Int64(seconds * 1000)
            })
        if let state = selection.state, !["queued", "held", "dead"].contains(state) {
            throw ProtocolError(.badMessage, "state: queued, held or dead", field: "state", requestID: message.requestID)
        }
        let reason = message.body["reason"]?.stringValue
        let requestID = message.requestID
        let actor = identity.id
        let services = node
        withStore({ store throws(SQLiteError) -> Result<(Int, [String], [String], String?), ProtocolError> in
            let now = Timestamp.nowMilliseconds()
            var ids: [String?] = [nil]
            if let named {
                switch try store.queueSelection(named, selection, now: now) {
                case .none(let problem): return .failure(ProtocolError(.notFound, problem, requestID: requestID))
                case .reports(let found): ids = found
                }
            }
            var touched = 0
            var noticeHops: [String] = []
            var reasons: [String] = []
            for id in ids {
                let hops = action == .delete ? try store.waitingHops(id ?? "") : []
                let count = try store.control(action, reportID: id, actor: actor, reason: reason, now: now)
                touched += count
                if count == 0, action == .retry, let id, let why = try store.whyNotRetried(id) { reasons.append(why) }
                // The author is told, signed, like for an expiry: a deleted report never just disappears.
                guard action == .delete, count > 0, let id, let deleted = try store.deletedReport(id, hops: hops),
                    let unsigned = Notice.deleted(deleted, node: services.nodeOrigin, now: now)
                else { continue }
                let notice = services.signedByNode(unsigned)
                noticeHops += try services.writeNotice(notice, to: deleted.originOfficer, store: store, now: now)
                services.logger.info("notice written", ["report": notice.id.description, "about": id, "to": deleted.originOfficer, "event": "deleted"])
            }
            if named == "ALL", ids.isEmpty { reasons.append("nothing in the queues or dead letters matches") }
            return .success((touched, noticeHops, ids.compactMap { $0 }, reasons.first))
        }) { session, result in
            switch result {
            case .success(.success(let (touched, noticeHops, ids, why))):
                session.node.peers.poke(noticeHops)
                session.node.logger.info(
                    "queue control", ["action": action.rawValue, "report": named ?? "-", "reports": String(ids.count), "by": actor, "entries": String(touched)])
                if action == .flush { session.node.peers.reconnectAll() }
                session.node.peers.pokeAll()
                var body: [String: JSONValue] = ["affected": .integer(Int64(touched)), "reports": .array(ids.map { .string($0) })]
                if let why { body["reason"] = .string(why) }
                session.send(Message(.ok, requestID: requestID, .object(body)))
            case .success(.failure(let refusal)):
                session.refuse(refusal)
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the action was not applied; try again", requestID: requestID))
            }
        }
    }

    /// ROUTE-TEST: which next hops a report with these envelope fields would get here, and why.
    func routeTest(_ message: Message) throws(ProtocolError) {
        _ = try requireRole([.admin, .operator, .authority, .board], "route testing", message)
        var fields: [String: String] = [:]
        for (key, value) in message.body.objectValue ?? [:] {
            guard let text = value.stringValue else {
                throw ProtocolError(.badMessage, "\(key): expected a string, found \(value.typeName)", field: key, requestID: message.requestID)
            }
            fields[key] = text
        }
        let country = try message.requireString("country")
        guard ISOCodes.isCountry(country) || country == ISOCodes.severalCountries else {
            throw ProtocolError(.badMessage, "country: a country code such as LY", field: "country", requestID: message.requestID)
        }
        let envelope = RoutingTable.Envelope(testFields: fields)
        let table = node.router.table
        var decisions = table.decide(envelope, excluding: [node.router.nodeName])
        let addressees = (fields["addressees"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        // As for a real report: H2 and H3 follow copy rules only towards their addressees.
        if ["H2", "H3"].contains(envelope.handling) {
            decisions.removeAll { $0.rule.kind == .copy && !Router.copyReachesAddressee($0.rule, addressees: addressees) }
        }
        let requestID = message.requestID
        let nodeName = node.router.nodeName
        // The deployment register's hops towards where the addressees and represented
        // states' contact points read (docs/ROUTING.md §2, §8), as custody adds them.
        let states = ["H2", "H3"].contains(envelope.handling) || envelope.personalData != "none" ? [] : Set(envelope.represented)
        let peers = node.configuration.peers.map(\.name)
        let now = Timestamp.nowMilliseconds()
        let day = String(Timestamp.format(milliseconds: now).prefix(10))
        let found = decisions
        let router = node.router
        let access = node.access.rules
        withStore({ store throws(SQLiteError) -> [(hop: String, why: String)] in
            let homes = try store.readerHomes(addressees: addressees, representing: states, topic: nil, on: day, now: now)
            return router.homeWays(
                homes: homes, interest: try store.interestMap(now: now), peers: peers, path: [], personalData: envelope.personalData != "none",
                access: access)
        }) { session, result in
            var all = found.map(\.json)
            if case .success(let hops) = result {
                for (hop, why) in hops where !all.contains(where: { $0["next_hop"]?.stringValue == hop }) {
                    all.append(["next_hop": .string(hop), "rule": "copy", "location": .string("(deployment register)"), "match": .string(why)])
                }
            }
            session.send(
                Message(.routes, requestID: requestID, ["node": .string(nodeName), "table": .string(table.path), "decisions": .array(all)]))
        }
    }
}

extension RoutingTable.Decision {
    public var json: JSONValue {
        ["next_hop": .string(nextHop), "rule": .string(rule.kind.rawValue), "location": .string(rule.location), "match": .string(rule.matchText)]
    }
}

/// AUDIT: the audit trail for the data-protection officer (docs/ACCESS.md §1):
/// who did what to which report, erasures included; never content.
extension ServerSession {
    static let maximumAuditPage: Int64 = 1000

    func auditListing(_ message: Message) throws(ProtocolError) {
        let identity = try requireRole([.dpo], "reading the audit trail", message)
        let after = try message.optionalInteger("after") ?? 0
        let limit = try message.optionalInteger("limit") ?? 200
        guard after >= 0 else { throw ProtocolError(.badMessage, "after: must be a record number, 0 or more", field: "after", requestID: message.requestID) }
        guard (1...ServerSession.maximumAuditPage).contains(limit) else {
            throw ProtocolError(.badMessage, "limit: must be from 1 to \(ServerSession.maximumAuditPage)", field: "limit", requestID: message.requestID)
        }
        let event = try message.optionalString("event")
        if let event, AuditEvent(rawValue: event) == nil {
            throw ProtocolError(
                .badMessage, "event: one of \(AuditEvent.allCases.map(\.rawValue).joined(separator: ", "))", field: "event", requestID: message.requestID)
        }
        let report = try message.optionalString("report")
        if let report, ReportID(report) == nil {
            throw ProtocolError(.badMessage, "report: not a report id (lower-case UUIDv7)", field: "report", requestID: message.requestID)
        }
        let requestID = message.requestID
        withReader("the audit trail", requestID: requestID, { store throws(SQLiteError) in
            let reader = AuditReader(database: store.database)
            // With a report: where the nodes it went to are reached, for a tree of the trails (ilo audit show --tree).
            var addresses: [String: String] = [:]
            if report != nil {
                let known = try store.database.cached("SELECT node, address FROM interest WHERE address IS NOT NULL")
                while try known.step() { addresses[known.text(0)] = known.text(1) }
                known.reset()
            }
            return (try reader.records(after: after, event: event, report: report, limit: Int(limit) + 1), try reader.head(), addresses)
        }) { session, answer in
            let (records, head, announced) = answer
            var budget = AnswerBudget(frameBytes: session.node.configuration.maximumFrameSize)
            let page = records.prefix(Int(limit)).map(\.json).prefix { budget.take($0.encoded().count + 2) }
            session.node.logger.info("audit trail read", ["by": identity.id, "after": String(after), "records": String(page.count)])
            var body: [String: JSONValue] = [
                "node": .string(session.node.router.nodeName), "records": .array(Array(page)),
                "more": .bool(records.count > page.count),
            ]
            if let head { body["head"] = ["seq": .integer(head.seq), "hash": .string(head.hash.hexString)] }
            if report != nil {
                var nodes = announced
                for peer in session.node.configuration.peers { if let endpoint = peer.endpoint { nodes[peer.name] = endpoint.description } }
                body["nodes"] = .object(nodes.mapValues { .string($0) })
            }
            session.send(Message(.auditRecords, requestID: requestID, .object(body)))
        }
    }
}
