/// PUBLISH, FETCH and CONFIRM: reports in and out of the store.
extension ServerSession {
    static let publishingRoles: Set<Role> = [.officer, .board, .authority, .admin]

    func publish(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        guard ServerSession.publishingRoles.contains(identity.role) else {
            throw ProtocolError(.forbidden, "role \(identity.role.rawValue) may not publish reports", requestID: message.requestID)
        }
        let document = try message.require("report")
        let report: Report
        do throws(ReportValidationError) {
            report = try Report.validate(document, sender: Origin(identity), defaults: node.configuration.reportDefaults)
        } catch {
            throw ProtocolError(.invalidReport, error.summary, field: error.field, requestID: message.requestID)
        }
        guard !report.kind.isSystem else {
            throw ProtocolError(.forbidden, "\(report.kind.rawValue) reports are written by nodes, not sent by people", field: "kind", requestID: message.requestID)
        }
        takeCustody(of: report, arrivedVia: [], requestID: message.requestID)
    }

    /// FORWARD: a report from a peer node, checked like any other.
    func forward(_ message: Message) throws(ProtocolError) {
        guard let identity, protocolState.isPeerLink else {
            throw ProtocolError(.forbidden, "only configured peer nodes forward reports", requestID: message.requestID)
        }
        let (report, path) = try ForwardIntake.admit(message, from: identity.id, services: node)
        takeCustody(of: report, arrivedVia: path, requestID: message.requestID)
    }

    private func takeCustody(of report: Report, arrivedVia path: [String], requestID: UInt32) {
        let services = node
        replyLater { reply in
            services.takeCustody(of: report, arrivedVia: path) { result in
                reply(ForwardIntake.answer(result, report: report, requestID: requestID, services: services))
            }
        }
    }

    static let maximumFetch: Int64 = 500

    func fetch(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let limit = try message.optionalInteger("limit") ?? 100
        guard (1...ServerSession.maximumFetch).contains(limit) else {
            throw ProtocolError(.badMessage, "limit: must be from 1 to \(ServerSession.maximumFetch)", requestID: message.requestID)
        }
        let scope = InboxScope(identity)
        let requestID = message.requestID
        withStore({ store throws(SQLiteError) in
            try store.inbox(scope, limit: Int(limit) + 1)
        }) { session, result in
            switch result {
            case .success(let reports):
                var entries: [JSONValue] = []
                for stored in reports.prefix(Int(limit)) {
                    guard let document = try? JSONValue(parsing: stored.document) else { continue }
                    entries.append(["seq": .integer(stored.seq), "report": document])
                }
                session.connection.send(
                    Message(.batch, requestID: requestID, ["reports": .array(entries), "more": .bool(reports.count > Int(limit))]))
            case .failure(let error):
                session.node.logger.error("inbox read failed", ["identity": identity.id, "error": error.description])
                session.refuse(ProtocolError(.storeUnavailable, "the inbox could not be read; try again later", requestID: requestID))
            }
        }
    }

    /// GET: one report by id with the list of its follow-ups, if the caller may see it.
    func get(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let id = try message.requireString("id")
        guard ReportID(id) != nil else { throw ProtocolError(.badMessage, "id: not a report id", requestID: message.requestID) }
        let scope = InboxScope(identity)
        let requestID = message.requestID
        withStore({ store throws(SQLiteError) -> (StoredReport, [ReportStore.FollowUp])? in
            guard let stored = try store.report(id: id, scope: scope) else { return nil }
            return (stored, try store.followUps(of: id, scope: scope))
        }) { session, result in
            switch result {
            case .success(let found?):
                guard let document = try? JSONValue(parsing: found.0.document) else { return }
                let followUps: [JSONValue] = found.1.map {
                    ["id": .string($0.id), "headline": .string($0.headline), "created": .string(Timestamp.format(milliseconds: $0.createdMilliseconds))]
                }
                session.connection.send(Message(.report, requestID: requestID, ["report": document, "follow_ups": .array(followUps)]))
            case .success(nil):
                session.refuse(ProtocolError(.notFound, "no report \(id) that you may read", requestID: requestID))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the report could not be read; try again later", requestID: requestID))
            }
        }
    }

    func confirm(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let through = try message.requireInteger("through")
        guard through >= 0 else { throw ProtocolError(.badMessage, "through: must not be negative", requestID: message.requestID) }
        let requestID = message.requestID
        let reader = identity.id
        withStore({ store throws(SQLiteError) in
            try store.confirmInbox(reader, through: through)
        }) { session, result in
            switch result {
            case .success:
                session.connection.send(Message(.ok, requestID: requestID))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the confirmation was not stored; send it again", requestID: requestID))
            }
        }
    }
}
