/// EXPORT: a page of the reports of one kind created in a span that the caller
/// may read (docs/PROTOCOL.md §3, docs/REPORTS.md §11).
extension ServerSession {
    func export(_ message: Message) throws(ProtocolError) {
        let identity = try requireRole(WebSession.contentRoles, "an export of reports", message)
        let kindText = try message.requireString("kind")
        guard let kind = ReportKind(rawValue: kindText), kind.isContent else {
            throw ProtocolError(.badMessage, "kind: smuggling, return or border", field: "kind", requestID: message.requestID)
        }
        func day(_ field: String) throws(ProtocolError) -> Int64 {
            let text = try message.requireString(field)
            guard text.count == 10, let milliseconds = ReportDate.parse(text) else {
                throw ProtocolError(.badMessage, "\(field): a date like 2026-12-31", field: field, requestID: message.requestID)
            }
            return milliseconds
        }
        let from = try day("from")
        let to = try day("to") + 86_400_000
        guard from < to else { throw ProtocolError(.badMessage, "to: before from", field: "to", requestID: message.requestID) }
        let after = try message.optionalInteger("after")
        let requestID = message.requestID
        let rules = node.access.rules
        let frameBytes = node.configuration.maximumFrameSize
        withStore({ store throws(SQLiteError) in
            try store.exportPage(
                kind: kind, from: from, to: to, after: after, maximumBytes: frameBytes / 2, reader: identity,
                disclosure: Disclosure(rules: rules, now: Timestamp.nowMilliseconds()))
        }) { session, result in
            switch result {
            case .success(let page):
                let rows: [JSONValue] = page.rows.map { row in
                    var fields: [String: JSONValue] = ["report": (try? JSONValue(parsing: row.document)) ?? .null]
                    if let event = row.event { fields["event"] = event.json }
                    return .object(fields)
                }
                var body: [String: JSONValue] = [
                    "node": .string(session.node.router.nodeName), "rows": .array(rows),
                    "skipped": ["personal_data": .integer(Int64(page.skippedPersonal)), "restricted": .integer(Int64(page.skippedRestricted))],
                ]
                if let next = page.next { body["next"] = .integer(next) }
                session.send(Message(.exportRows, requestID: requestID, .object(body)))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the reports could not be read; try again later", requestID: requestID))
            }
        }
    }
}
