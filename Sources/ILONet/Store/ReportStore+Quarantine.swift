/// Reports refused because their signature failed: kept as they arrived, with
/// who sent them and why, for whoever investigates the hop that altered them.
extension ReportStore {
    public struct QuarantinedReport: Sendable, Equatable {
        public let reportID: String
        public let fromPeer: String
        public let reason: String
        public let receivedMilliseconds: Int64
    }

    public func quarantine(reportID: String, from peer: String, reason: String, document: [UInt8], now: Int64) throws(SQLiteError) {
        let insert = try database.cached(
            "INSERT INTO quarantine (report_id, from_peer, reason, received_ms, document, erase_at_ms) VALUES (?, ?, ?, ?, ?, ?)")
        insert.bind(1, reportID)
        insert.bind(2, peer)
        insert.bind(3, reason)
        insert.bind(4, now)
        insert.bind(5, document)
        // A copy of a report with personal data goes at its erase-by date like the report would (docs/RELIABILITY.md §7).
        let eraseBy = (try? JSONValue(parsing: document))?["erase_by"]?.stringValue.flatMap(ReportDate.parse)
        if let eraseBy { insert.bind(6, eraseBy) } else { insert.bindNull(6) }
        try insert.run()
        try audit(.quarantine, report: reportID, actor: nodeName, counterpart: peer, detail: reason, now: now)
    }

    public func quarantined() throws(SQLiteError) -> [QuarantinedReport] {
        let statement = try database.cached("SELECT report_id, from_peer, reason, received_ms FROM quarantine ORDER BY seq")
        var found: [QuarantinedReport] = []
        while try statement.step() {
            found.append(
                QuarantinedReport(
                    reportID: statement.text(0), fromPeer: statement.text(1), reason: statement.text(2), receivedMilliseconds: statement.int(3)))
        }
        return found
    }
}
