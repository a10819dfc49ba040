/// Checks on a notice that a peer forwards (docs/ACCESS.md §5).
extension ReportStore {
    /// Why this node will not carry `notice` from `peer`, or nil: the notice must
    /// be about a report held here, addressed to that report's author, and the
    /// report must have travelled through `peer` (it came from there, or this
    /// node forwarded it there).
    func noticeProblem(_ notice: Report, from peer: String) throws(SQLiteError) -> String? {
        guard let about = notice.body["about"]?.stringValue else { return "it names no report (body.about)" }
        let held = try database.cached("SELECT path, origin_officer, seq FROM reports WHERE id = ?")
        held.bind(1, about)
        guard try held.step() else { return "it is about report \(about), which this node does not hold" }
        let path = (try? JSONValue(parsing: held.text(0)))?.arrayValue?.compactMap(\.stringValue) ?? []
        let author = held.text(1)
        let seq = held.int(2)
        try held.step()
        guard notice.addressees == [author] else { return "it is addressed to \(notice.addressees.joined(separator: ", ")), not to \(author), who wrote report \(about)" }
        if path.contains(peer) { return nil }
        // Sent there and not yet acknowledged: the answer may come after the notice it caused.
        let inFlight = try database.cached("SELECT 1 FROM outbound WHERE report_seq = ? AND next_hop = ?")
        inFlight.bind(1, seq)
        inFlight.bind(2, peer)
        if try inFlight.step() {
            inFlight.reset()
            return nil
        }
        let forwarded = try database.cached("SELECT 1 FROM audit WHERE report_id = ? AND event = 'forward' AND counterpart = ? LIMIT 1")
        forwarded.bind(1, about)
        forwarded.bind(2, peer)
        let sent = try forwarded.step()
        if sent { try forwarded.step() }
        return sent ? nil : "report \(about) did not travel through \(peer)"
    }

    /// Whether a notice about the same report, with the same event, written by
    /// the same node, is held here already for the same addressee: one is kept,
    /// a second is acknowledged as a duplicate and not stored (issue 27).
    func holdsNotice(like notice: Report) throws(SQLiteError) -> Bool {
        guard let recipient = notice.addressees.first, let about = notice.body["about"]?.stringValue,
            let event = notice.body["event"]?.stringValue, let node = notice.body["node"]?.stringValue
        else { return false }
        let statement = try database.cached(
            """
            SELECT 1 FROM reports WHERE recipient = ? AND kind = 'notice' AND id <> ?
                AND json_extract(CAST(document AS TEXT), '$.body.about') = ? AND json_extract(CAST(document AS TEXT), '$.body.event') = ?
                AND json_extract(CAST(document AS TEXT), '$.body.node') = ? LIMIT 1
            """)
        statement.bind(1, recipient)
        statement.bind(2, notice.id.description)
        statement.bind(3, about)
        statement.bind(4, event)
        statement.bind(5, node)
        let held = try statement.step()
        statement.reset()
        return held
    }
}
