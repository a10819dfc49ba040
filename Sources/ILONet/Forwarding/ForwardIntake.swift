/// A FORWARD from a peer node: check it as if it came from a person (never trust
/// the previous hop), take custody, and answer ACCEPTED only after commit.
enum ForwardIntake {
    /// FORWARD's `deliver_to`: people whose home moved, for whom the report goes
    /// into their mailbox at their home node (docs/ROUTING.md §8). At most 20 names.
    static func deliverTo(_ message: Message) throws(ProtocolError) -> [String] {
        guard let value = message.body["deliver_to"] else { return [] }
        let names = value.arrayValue?.compactMap(\.stringValue) ?? []
        guard case .array(let all) = value, names.count == all.count, (1...20).contains(names.count), names.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 200 }) else {
            throw ProtocolError(.badMessage, "deliver_to: a list of 1 to 20 identities", field: "deliver_to", requestID: message.requestID)
        }
        return names
    }

    /// Parses and validates the message; on success returns the report, the
    /// path it took (ending with `peer`) and its verified signer (nil: unsigned).
    static func admit(_ message: Message, from peer: String, services: NodeServices) throws(ProtocolError) -> (Report, [String], PeerIdentity?) {
        let document = try message.require("report")
        guard case .array(let pathValues) = try message.require("path") else {
            throw ProtocolError(.badMessage, "path: expected a list of node names", requestID: message.requestID)
        }
        let path = pathValues.compactMap(\.stringValue)
        guard path.count == pathValues.count else {
            throw ProtocolError(.badMessage, "path: expected a list of node names", requestID: message.requestID)
        }
        if path.contains(services.router.nodeName) {
            throw ProtocolError(.loop, "the report already passed \(services.router.nodeName)", requestID: message.requestID)
        }
        // The origin was set from the author's certificate at the first node.
        guard let origin = Origin(claimedIn: document) else {
            throw ProtocolError(.invalidReport, "origin: required on a forwarded report", field: "origin", requestID: message.requestID)
        }
        let report: Report
        let now = services.clock.now()
        do throws(ReportValidationError) {
            report = try Report.validate(
                document, sender: origin, defaults: services.configuration.reportDefaults, now: now)
        } catch {
            throw ProtocolError(error.code, error.summary, field: error.field, requestID: message.requestID)
        }
        try services.requireValidPath(path, from: peer, report: report, requestID: message.requestID)
        if report.kind == .digest {
            throw ProtocolError(.forbidden, "digests are written for readers of one node and never forwarded", field: "kind", requestID: message.requestID)
        }
        if report.kind == .notice, let problem = Notice.wordingProblem(report) {
            throw ProtocolError(.forbidden, "notice: \(problem); it was not accepted", field: "headline", requestID: message.requestID)
        }
        let signer = try services.requireSignature(report, document: document, from: peer, requestID: message.requestID)
        // Every node applies its own rules to the author, not only the first one.
        try services.requireAdmissible(
            report, author: services.author(of: report, signer: signer), now: now, requestID: message.requestID)
        return (report, path, signer)
    }

    /// The answer to a FORWARD or PUBLISH once custody was taken (or not).
    static func answer(_ result: Result<NodeServices.CustodyReceipt, SQLiteError>, report: Report, requestID: UInt32, services: NodeServices) -> Message {
        switch result {
        case .success(let receipt):
            if let refusal = receipt.refusal {
                services.logger.warning("report refused", ["report": report.id.description, "kind": report.kind.rawValue, "code": refusal.code.rawValue, "reason": refusal.message])
                services.metrics.count("ilonet_requests_refused_total", ["code": refusal.code.rawValue])
                return .error(ProtocolError(refusal.code, refusal.message, field: refusal.field, requestID: requestID))
            }
            switch receipt.outcome {
            case .stored, .duplicate:
                let duplicate = receipt.outcome == .duplicate
                services.logger.info(
                    duplicate ? "report already held; acknowledged again" : "report stored",
                    ["report": report.id.description, "from": receipt.path.dropLast().last ?? report.origin.officer, "kind": report.kind.rawValue,
                     "country": report.country, "next_hops": duplicate ? "-" : receipt.decisions.map(\.nextHop).joined(separator: ",")])
                var hops: [JSONValue] = []
                if !duplicate {
                    for decision in receipt.decisions {
                        let status = services.peers.status(decision.nextHop)
                        var hop: [String: JSONValue] = ["node": .string(decision.nextHop), "link": .string(status?.state ?? "down")]
                        if let status, status.state != "up" { hop["since"] = .string(Timestamp.format(milliseconds: status.since)) }
                        hops.append(.object(hop))
                    }
                }
                var body: [String: JSONValue] = [
                    "id": .string(report.id.description), "duplicate": .bool(duplicate), "node": .string(services.router.nodeName), "next_hops": .array(hops),
                ]
                if !report.screenWarnings.isEmpty {
                    // Field paths and kinds only: the text itself stays out of logs.
                    services.logger.warning(
                        "report may contain personal data",
                        ["report": report.id.description, "fields": report.screenWarnings.map { "\($0.field):\($0.kind.rawValue)" }.joined(separator: ",")])
                    body["warnings"] = .array(
                        report.screenWarnings.map { .object(["field": .string($0.field), "kind": .string($0.kind.rawValue), "message": .string($0.issue.message)]) })
                }
                return Message(.accepted, requestID: requestID, .object(body))
            case .idConflict:
                services.logger.warning("report refused: id already used for different content", ["report": report.id.description])
                services.metrics.count("ilonet_requests_refused_total", ["code": ErrorCode.idConflict.rawValue])
                return .error(
                    ProtocolError(
                        .idConflict, "report \(report.id) is already held here with different content; nothing was accepted. "
                            + "Send it as a new report (a new id); to correct a report, send a follow-up (follow_up_of)",
                        field: "id", requestID: requestID))
            case .queueFull(let hop):
                services.logger.warning("report refused: queue full", ["report": report.id.description, "next_hop": hop])
                services.metrics.count("ilonet_requests_refused_total", ["code": ErrorCode.queueFull.rawValue])
                return .error(
                    ProtocolError(.queueFull, "the queue for \(hop) is full; the report was not accepted, send it again later", requestID: requestID))
            }
        case .failure(let error):
            services.logger.error("report not stored", ["report": report.id.description, "error": error.description])
            services.metrics.count("ilonet_requests_refused_total", ["code": ErrorCode.storeUnavailable.rawValue])
            return .error(
                ProtocolError(
                    .storeUnavailable, "the report was not stored: \(error.plainCause); nothing was accepted, send it again later",
                    requestID: requestID))
        }
    }
}
