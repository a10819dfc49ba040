/// An author's own reports as this node knows them (SENT, `ilo sent`): where
/// each one is, and the signed notices about it.
extension ReportStore {
    /// One report of the author's, and what this node did with it.
    public struct SentReport: Sendable {
        /// Its place in this node's store (SENT's cursor).
        public let seq: Int64
        public let id: String
        public let document: [UInt8]
        public let receivedMilliseconds: Int64
        public let expiresMilliseconds: Int64
        /// Each next hop this node queued it for: queued, held, forwarded, or dead-lettered.
        public var hops: [JSONValue] = []
        /// An administrator deleted it from this node's queues: who and when.
        public var deleted: JSONValue?
        /// The notices this node holds about it, as signed documents.
        public var notices: [[UInt8]] = []
    }

    /// The author's reports held here, newest first (or only `id`), at most
    /// `limit`, older than the report `before` (a seq: SENT's cursor); whether
    /// more follow; and, when `id` names a report erased here, when it was
    /// erased. An author is the whole subject: a report counts as theirs only
    /// when its origin names their identity, authority and state.
    public func sentReports(
        of author: PeerIdentity, id: String?, limit: Int, before: Int64? = nil
    ) throws(SQLiteError) -> (reports: [SentReport], more: Bool, cursor: Int64?, erased: JSONValue?) {
        var reports: [SentReport] = []
        let mine = "origin_officer = ? AND origin_authority = ? AND origin_state = ? AND kind IN ('smuggling', 'return', 'border', 'consent')"
        let select = try database.cached(
            id == nil
                ? "SELECT seq, id, document, received_ms, expires_ms FROM reports WHERE \(mine) AND seq < ? ORDER BY seq DESC LIMIT ?"
                : "SELECT seq, id, document, received_ms, expires_ms FROM reports WHERE \(mine) AND id = ?")
        select.bind(1, author.id)
        select.bind(2, author.authority)
        select.bind(3, author.memberState)
        if let id {
            select.bind(4, id)
        } else {
            select.bind(4, before ?? Int64.max)
            select.bind(5, Int64(limit + 1))
        }
        var seqs: [Int64] = []
        var more = false
        while try select.step() {
            if seqs.count == limit {
                more = true
                break
            }
            seqs.append(select.int(0))
            reports.append(SentReport(seq: select.int(0), id: select.text(1), document: select.blob(2), receivedMilliseconds: select.int(3), expiresMilliseconds: select.int(4)))
        }
        select.reset()
        for (index, seq) in seqs.enumerated() {
            reports[index].hops = try hops(of: seq, id: reports[index].id)
            reports[index].deleted = try deletion(of: reports[index].id)
        }
        // The notices for this author, matched to the reports listed (a notice names its report in body.about).
        let listed = Dictionary(uniqueKeysWithValues: reports.enumerated().map { ($0.element.id, $0.offset) })
        if !listed.isEmpty {
            let notices = try database.cached(
                """
                SELECT document, json_extract(CAST(document AS TEXT), '$.body.about') FROM reports
                WHERE recipient = ? AND kind = 'notice' ORDER BY seq DESC LIMIT 2000
                """)
            notices.bind(1, author.id)
            while try notices.step() {
                guard let index = listed[notices.text(1)], reports[index].notices.count < 32 else { continue }
                reports[index].notices.append(notices.blob(0))
            }
        }
        var erased: JSONValue?
        if let id, reports.isEmpty {
            let gone = try database.cached("SELECT erased_ms, reason FROM erased WHERE id = ?")
            gone.bind(1, id)
            if try gone.step() {
                erased = ["at": .string(Timestamp.format(milliseconds: gone.int(0))), "reason": .string(gone.text(1))]
                try gone.step()
            }
        }
        return (reports, more, more ? seqs.last : nil, erased)
    }

    /// Where report `seq` went from here: queue entries, dead letters and forwards.
    private func hops(of seq: Int64, id: String) throws(SQLiteError) -> [JSONValue] {
        var hops: [JSONValue] = []
        let queued = try database.cached("SELECT next_hop, state, queued_ms, attempts, last_error FROM outbound WHERE report_seq = ?")
        queued.bind(1, seq)
        while try queued.step() {
            var hop: [String: JSONValue] = [
                "node": .string(queued.text(0)), "state": .string(queued.text(1) == "held" ? "held" : "queued"),
                "since": .string(Timestamp.format(milliseconds: queued.int(2))), "attempts": .integer(queued.int(3)),
            ]
            // The next hop's own words stay in the log: the author sees the code.
            if !queued.isNull(4), let code = DeadLetter.code(in: queued.text(4)) { hop["error"] = .string(code.rawValue) }
            hops.append(.object(hop))
        }
        let dead = try database.cached("SELECT next_hop, reason, dead_ms FROM dead_letters WHERE report_seq = ?")
        dead.bind(1, seq)
        while try dead.step() {
            var hop: [String: JSONValue] = [
                "node": .string(dead.text(0)), "state": "dead-lettered", "reason": .string(dead.text(1)), "at": .string(Timestamp.format(milliseconds: dead.int(2))),
            ]
            if let code = DeadLetter.code(in: dead.text(1)) { hop["code"] = .string(code.rawValue) }
            hops.append(.object(hop))
        }
        let forwarded = try database.cached("SELECT counterpart, at_ms FROM audit WHERE report_id = ? AND event = 'forward' ORDER BY seq")
        forwarded.bind(1, id)
        while try forwarded.step() {
            hops.append(["node": .string(forwarded.text(0)), "state": "forwarded", "at": .string(Timestamp.format(milliseconds: forwarded.int(1)))])
        }
        return hops
    }

    private func deletion(of id: String) throws(SQLiteError) -> JSONValue? {
        let statement = try database.cached("SELECT actor, at_ms FROM audit WHERE report_id = ? AND event = 'delete' ORDER BY seq DESC LIMIT 1")
        statement.bind(1, id)
        guard try statement.step() else { return nil }
        defer { _ = try? statement.step() }
        return ["by": .string(statement.text(0)), "at": .string(Timestamp.format(milliseconds: statement.int(1)))]
    }
}
