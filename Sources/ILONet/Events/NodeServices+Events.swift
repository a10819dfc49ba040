/// Custody of what changes an event (docs/REPORTS.md §5.10): a follow-up must
/// name a report of the event its author may read, and the event must be open;
/// an `event` report by the event's owner is checked, carried out and passed on
/// along the event's reports, at every node that holds them.
extension NodeServices {
    /// Inside a store job, at the first node: why a report that follows up
    /// `followed` is refused (nil: it is taken).
    func followUpProblem(_ followed: String, author: PeerIdentity?, store: ReportStore, disclosure: Disclosure) throws(SQLiteError) -> ProtocolError? {
        let notHeld = ProtocolError(
            .notFound,
            "follow_up_of: report \(followed) is not held at \(router.nodeName), or is not one you may read; "
                + "name a report of the event as it reached you (ilo inbox, ilo event list)", field: "follow_up_of")
        guard let author, let held = try store.heldReport(followed) else { return notHeld }
        let facts = Disclosure.Facts(held.report, consented: held.consented)
        guard held.report.kind.isContent, disclosure.decide(facts, for: author).allowed else { return notHeld }
        let eventID = try store.heldEventID(of: followed) ?? followed
        if let event = try store.event(eventID), event.status == .closed {
            return ProtocolError(
                .eventClosed,
                "follow_up_of: event \(eventID) was closed by its owner (\(event.owner)): \(event.closeReason ?? "closed")"
                    + (event.note.map { " — \($0)" } ?? "") + "; it takes no follow-up until its owner reopens it (ilo event reopen)",
                field: "follow_up_of")
        }
        return nil
    }

    /// Inside a store job: takes custody of `action` (kind `event`), which passed
    /// `path` (this node last), signed by `issuer`.
    func takeEventAction(
        _ action: Report, issuer: PeerIdentity, path: [String], store: ReportStore, disclosure: Disclosure, now: Int64
    ) throws(SQLiteError) -> CustodyReceipt {
        func refused(_ code: ErrorCode, _ message: String, field: String? = nil) -> CustodyReceipt {
            CustodyReceipt(outcome: .duplicate, decisions: [], path: path, refusal: ProtocolError(code, message, field: field))
        }
        guard let parts = EventAction.parts(action) else { return refused(.invalidReport, "body: an event report names the event and the action") }
        let first = path.count == 1
        let event = try store.event(parts.about)
        if let event {
            if let problem = EventAction.issuerProblem(
                parts.action, issuer: issuer, owner: event.owner, firstAuthor: event.firstAuthor, firstState: event.firstState)
            {
                return refused(.forbidden, problem)
            }
            if first, parts.action == .close, event.status == .closed {
                return refused(.eventClosed, "event \(event.id) is closed already (\(event.closeReason ?? "closed")); reopen it first to close it again")
            }
            if first, parts.action == .reopen, event.status == .open {
                return refused(.invalidReport, "body.action: event \(event.id) is open; only a closed event is reopened", field: "body.action")
            }
        } else if first {
            return refused(
                .notFound, "body.about: event \(parts.about) is not held at \(router.nodeName); act on an event at a node that holds its first report",
                field: "body.about")
        }
        // Where the event's reports went from here, and where they came from.
        let peers = configuration.peers.map(\.name)
        var hops: [String] = []
        for id in try store.eventReportIDs(parts.about) {
            for hop in try store.orderHops(reportID: id, target: try store.orderTarget(id), orderPath: path, peers: peers) where !hops.contains(hop) {
                hops.append(hop)
            }
        }
        let outcome = try store.accept(
            action, document: action.canonicalEncoding, path: path, nextHops: hops, recipient: nil, now: now, queueLimit: configuration.maximumQueuedPerHop,
            disclosure: disclosure)
        guard case .stored = outcome else { return CustodyReceipt(outcome: outcome, decisions: [], path: path) }
        let applied = try store.applyEventAction(action)
        logger.info(
            "event action taken",
            ["event": parts.about, "action": parts.action.rawValue, "by": issuer.id, "applied": applied ? "yes" : (event == nil ? "event not held yet" : "older than the event's latest"),
             "next_hops": hops.joined(separator: ",")])
        let decisions = hops.map { RoutingTable.Decision(nextHop: $0, rule: Router.eventRule) }
        return CustodyReceipt(outcome: outcome, decisions: decisions, path: path)
    }
}

extension Router {
    /// The rule an event report follows: the event's reports' paths (docs/REPORTS.md §5.10).
    static let eventRule = RoutingTable.Rule(kind: .route, conditions: [], nextHops: [], file: "(event: along its reports' paths)", line: 0)
}
