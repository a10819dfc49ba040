extension ServerSession {
    /// The most ledger rows one ACTIVITY answer carries; a span with more is
    /// refused with a hint to ask for a shorter one.
    static let maximumActivityRows = 50_000

    /// ACTIVITY: the statistics ledger's counts, per month, for reports created
    /// from `from` to `to` (docs/PROTOCOL.md §3). Content-free counts, for the
    /// roles that report on the network: board, authority, admin, dpo.
    func activity(_ message: Message) throws(ProtocolError) {
        _ = try requireRole([.board, .authority, .admin, .operator, .dpo], "the activity report", message)
        func day(_ field: String) throws(ProtocolError) -> String {
            let text = try message.requireString(field)
            guard text.count == 10, ReportDate.parse(text) != nil else {
                throw ProtocolError(.badMessage, "\(field): a date like 2026-12-31", field: field, requestID: message.requestID)
            }
            return text
        }
        let from = try day("from")
        let to = try day("to")
        let perDay = message.body["per_day"] == .bool(true)
        guard from <= to else { throw ProtocolError(.badMessage, "to: before from", field: "to", requestID: message.requestID) }
        let requestID = message.requestID
        withStore({ store throws(SQLiteError) in
            (try store.ledger(from: from, to: to, perDay: perDay, limit: ServerSession.maximumActivityRows + 1),
             try store.eventLedger(from: from, to: to, perDay: perDay, limit: ServerSession.maximumActivityRows + 1))
        }) { session, result in
            switch result {
            case .success(let (rows, events)) where rows.count > ServerSession.maximumActivityRows || events.count > ServerSession.maximumActivityRows:
                session.refuse(ProtocolError(.badMessage, "the span \(from) to \(to) holds more than \(ServerSession.maximumActivityRows) monthly counts; ask for a shorter one", requestID: requestID))
            case .success(let (rows, eventRows)):
                var budget = AnswerBudget(frameBytes: session.node.configuration.maximumFrameSize)
                let listed = rows.map(\.json), events = eventRows.map(\.json)
                guard (listed + events).allSatisfy({ budget.take($0.encoded().count + 8) }) else {
                    session.refuse(ProtocolError(.badMessage, "the counts from \(from) to \(to) do not fit in one answer; ask for a shorter span", requestID: requestID))
                    return
                }
                session.send(
                    Message(
                        .activityCounts, requestID: requestID,
                        ["node": .string(session.node.router.nodeName), "rows": .array(listed), "events": .array(events)]))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the statistics could not be read; try again later", requestID: requestID))
            }
        }
    }
}
