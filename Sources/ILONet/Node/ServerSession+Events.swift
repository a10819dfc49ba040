/// EVENTS and EVENT: the events a reader may see, and one event's page
/// (docs/PROTOCOL.md §3, docs/REPORTS.md §5.10).
extension ServerSession {
    func eventList(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let status: ReportStore.Event.Status?
        switch message.body["status"]?.stringValue {
        case nil: status = nil
        case let text?:
            guard let parsed = ReportStore.Event.Status(rawValue: text) else {
                throw ProtocolError(.badMessage, "status: open or closed", field: "status", requestID: message.requestID)
            }
            status = parsed
        }
        let limit = Int(message.body["limit"]?.integerValue ?? 100)
        guard (1...500).contains(limit) else { throw ProtocolError(.badMessage, "limit: 1 to 500", field: "limit", requestID: message.requestID) }
        let requestID = message.requestID
        let rules = node.access.rules
        var budget = AnswerBudget(frameBytes: node.configuration.maximumFrameSize)
        withStore({ store throws(SQLiteError) in
            try store.events(for: identity, status: status, limit: limit, disclosure: Disclosure(rules: rules, now: Timestamp.nowMilliseconds()))
        }) { session, result in
            switch result {
            case .success(let events):
                var listed: [JSONValue] = []
                var more = false
                for event in events {
                    let json = event.json
                    guard budget.take(json.encoded().count + 8) else {
                        more = true
                        break
                    }
                    listed.append(json)
                }
                session.send(
                    Message(.eventList, requestID: requestID, ["node": .string(session.node.router.nodeName), "events": .array(listed), "more": .bool(more)]))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the events could not be read; try again later", requestID: requestID))
            }
        }
    }

    func eventView(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let id = try message.requireString("id")
        guard ReportID(id) != nil else { throw ProtocolError(.badMessage, "id: an event's id (its first report's id)", field: "id", requestID: message.requestID) }
        let requestID = message.requestID
        let rules = node.access.rules
        let frameBytes = node.configuration.maximumFrameSize
        withStore({ store throws(SQLiteError) in
            try store.eventView(id, for: identity, disclosure: Disclosure(rules: rules, now: Timestamp.nowMilliseconds()))
        }) { session, result in
            switch result {
            case .success(let view?):
                var body = view.json
                if body.encoded().count > frameBytes - 1024, case .object(var fields) = body {
                    // Each report's measures are in the report itself (ilo show); the page keeps its list.
                    fields["reports"] = .array(view.reports.map { report in
                        guard case .object(var entry) = report.json else { return report.json }
                        entry["measures_taken"] = nil
                        entry["measures_planned"] = nil
                        return .object(entry)
                    })
                    fields["truncated"] = true
                    body = .object(fields)
                }
                guard case .object(var fields) = body else { return }
                fields["node"] = .string(session.node.router.nodeName)
                session.send(Message(.eventView, requestID: requestID, .object(fields)))
            case .success(nil):
                session.refuse(
                    ProtocolError(
                        .notFound, "event \(id) is not held at \(session.node.router.nodeName), or holds no report you may read", field: "id",
                        requestID: requestID))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the event could not be read; try again later", requestID: requestID))
            }
        }
    }
}
