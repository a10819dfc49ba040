/// What every node checks before it takes custody of a report, whoever hands it
/// over: a person (PUBLISH) or a configured peer (FORWARD). A peer is held to
/// the same rules as a user (docs/ACCESS.md §5): nothing is trusted because it
/// came over an authenticated link.
extension NodeServices {
    /// The author of `report` as this node can establish it: the signer's
    /// certificate; for an unsigned report (only where `reports.signatures
    /// optional`), the claimed origin with the role this node has seen for that
    /// identity, or `officer`.
    func author(of report: Report, signer: PeerIdentity?) -> PeerIdentity {
        if let signer { return signer }
        let origin = report.origin
        return PeerIdentity(
            id: origin.officer, role: identities.role(of: origin.officer) ?? .officer, authority: origin.authority, memberState: origin.state)
    }

    /// Refuses a report this node would not take from its author: expired, a
    /// kind the author's role may not write, or refused by this node's publish rules.
    func requireAdmissible(_ report: Report, author: PeerIdentity, now: Int64, requestID: UInt32) throws(ProtocolError) {
        if report.expiresMilliseconds <= now {
            throw ProtocolError(
                .invalidReport, "expires: \(Timestamp.format(milliseconds: report.expiresMilliseconds)) has already passed; "
                    + "an expired report is not delivered. Give a later expires (or leave it out for the default lifetime)",
                field: "expires", requestID: requestID)
        }
        if report.kind.isSystem {
            guard author.role == .node else {
                throw ProtocolError(.forbidden, "\(report.kind.rawValue) reports are written by nodes, not sent by people", field: "kind", requestID: requestID)
            }
            return
        }
        guard author.role != .node else {
            throw ProtocolError(
                .forbidden, "\(author.id) is a node: nodes write only notices and digests, not \(report.kind.rawValue) reports",
                field: "origin", requestID: requestID)
        }
        if report.kind == .deployment {
            if let problem = Deployment.authorProblem(report, author: author) {
                throw ProtocolError(.forbidden, "deployment: \(problem)", field: "body.authority", requestID: requestID)
            }
            return
        }
        if report.kind == .consent {
            // Who may ask or decide depends on the report it is about (checked at custody), not on publish rules.
            if let problem = Consent.wordingProblem(report) {
                throw ProtocolError(.invalidReport, "consent: \(problem)", field: "headline", requestID: requestID)
            }
            return
        }
        if report.kind == .erasure {
            // Who may give an order depends on the report it is about (checked at custody, at every node).
            if let problem = Order.wordingProblem(report) {
                throw ProtocolError(.invalidReport, "erasure: \(problem)", field: "headline", requestID: requestID)
            }
            return
        }
        if report.kind == .event {
            // Who may act on an event depends on the event (checked at custody, at every node that knows it).
            if let problem = EventAction.wordingProblem(report) {
                throw ProtocolError(.invalidReport, "event: \(problem)", field: "headline", requestID: requestID)
            }
            return
        }
        let verdict = access.rules.decide(.publish(kind: report.kind.rawValue, country: report.country), for: author)
        guard verdict.allowed else {
            throw ProtocolError(
                .forbidden, "\(author.id) may not publish \(report.kind.rawValue) about \(report.country) here: \(verdict)", requestID: requestID)
        }
    }

    /// The longest path a forwarded report may name.
    static let maximumPathLength = 32

    /// Checks the `path` a peer claims for a FORWARD: it ends with the peer, names
    /// each node once, is not too long, and names no identity this node knows to
    /// be a person. (Earlier hops cannot be proved; they are the peer's word.)
    func requireValidPath(_ path: [String], from peer: String, report: Report, requestID: UInt32) throws(ProtocolError) {
        func refuse(_ why: String) -> ProtocolError {
            ProtocolError(.forbidden, "path: \(why); the report was not accepted", requestID: requestID)
        }
        guard path.last == peer else { throw refuse("must end with the node that forwards it (\(peer)), not \(path.last ?? "nothing")") }
        guard path.count <= NodeServices.maximumPathLength else { throw refuse("names more than \(NodeServices.maximumPathLength) nodes") }
        guard Set(path).count == path.count else { throw refuse("names a node twice") }
        for name in path {
            guard !name.isEmpty, name.utf8.count <= 253, !name.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7F }) else {
                throw refuse("\"\(String(name.prefix(40)))\" is not a node name")
            }
            if let role = identities.role(of: name), role != .node { throw refuse("names \(name), a \(role.rawValue), not a node") }
        }
        if report.kind.isSystem && !path.contains(report.origin.officer) {
            throw refuse("a \(report.kind.rawValue) written by \(report.origin.officer) must come along a path from that node")
        }
    }
}
