/// Erasure (docs/RELIABILITY.md §7): `case` reports at their erase-by date, and
/// reports nobody is waiting for any more after the retention period. The report
/// row and everything that points at it are deleted (with `secure_delete` on,
/// so the pages are zeroed), the id goes into `erased`, and the audit trail
/// records the erasure. The caller then truncates the WAL (`StoreWorker`).
extension ReportStore {
    public struct Erasure: Sendable, Equatable {
        public let reportID: String
        public let reason: String
    }

    /// Erases at most `limit` reports that are due at `now`. `retention`: how long
    /// a report is kept after it arrived once no next hop and no reader waits for
    /// it (milliseconds; nil: kept).
    public func eraseDue(now: Int64, retention: Int64?, limit: Int = 500) throws(SQLiteError) -> [Erasure] {
        var due: [(seq: Int64, id: String, reason: String)] = []
        let caseData = try database.cached("SELECT seq, id FROM reports WHERE erase_at_ms <= ? ORDER BY erase_at_ms LIMIT ?")
        caseData.bind(1, now)
        caseData.bind(2, Int64(limit))
        while try caseData.step() { due.append((caseData.int(0), caseData.text(1), "erase-by date reached")) }
        if let retention, due.count < limit {
            let old = try database.cached(
                """
                SELECT r.seq, r.id FROM reports r WHERE r.received_ms <= ?
                  AND NOT EXISTS (SELECT 1 FROM outbound o WHERE o.report_seq = r.seq)
                  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.report_seq = r.seq AND d.read_ms IS NULL)
                ORDER BY r.received_ms LIMIT ?
                """)
            old.bind(1, now - retention)
            old.bind(2, Int64(limit - due.count))
            while try old.step() {
                let seq = old.int(0)
                if !due.contains(where: { $0.seq == seq }) { due.append((seq, old.text(1), "retention period over")) }
            }
        }
        var erased: [Erasure] = []
        for report in due {
            try erase(seq: report.seq, id: report.id, reason: report.reason, now: now)
            erased.append(Erasure(reportID: report.id, reason: report.reason))
        }
        // Quarantined copies of reports with personal data (never stored as reports here).
        let quarantined = try database.cached("SELECT seq, report_id FROM quarantine WHERE erase_at_ms <= ? LIMIT ?")
        quarantined.bind(1, now)
        quarantined.bind(2, Int64(limit))
        var copies: [(Int64, String)] = []
        while try quarantined.step() { copies.append((quarantined.int(0), quarantined.text(1))) }
        for (seq, id) in copies {
            let delete = try database.cached("DELETE FROM quarantine WHERE seq = ?")
            delete.bind(1, seq)
            try delete.run()
            try audit(.erase, report: id, actor: nodeName, detail: "erase-by date reached (quarantined copy)", now: now)
            erased.append(Erasure(reportID: id, reason: "erase-by date reached (quarantined copy)"))
        }
        // The index of reports with personal data holds only those not yet erased,
        // so rewriting it is cheap; the main index drops words at FTS5's merges.
        if !due.isEmpty { try compactCaseIndex() }
        if !erased.isEmpty { resetCaches() }
        return erased
    }

    func erase(seq: Int64, id: String, reason: String, now: Int64, event: AuditEvent = .erase, actor: String? = nil, detail: String? = nil) throws(SQLiteError) {
        for table in ["deliveries", "outbound", "dead_letters", "subject_index"] {
            let statement = try database.cached("DELETE FROM \(table) WHERE report_seq = ?")
            statement.bind(1, seq)
            try statement.run()
        }
        let tombstone = try database.cached(
            "INSERT OR REPLACE INTO erased (id, erased_ms, reason, content_hash) SELECT id, ?, ?, content_hash FROM reports WHERE seq = ?")
        tombstone.bind(1, now)
        tombstone.bind(2, reason)
        tombstone.bind(3, seq)
        try tombstone.run()
        try unindex(seq: seq)
        let delete = try database.cached("DELETE FROM reports WHERE seq = ?")
        delete.bind(1, seq)
        try delete.run()
        // A consent erased while it waited for its report waits no more.
        let pending = try database.cached("DELETE FROM pending_consents WHERE consent_id = ?")
        pending.bind(1, id)
        try pending.run()
        try deleteAttachments(of: id)
        let copies = try database.cached("DELETE FROM quarantine WHERE report_id = ?")
        copies.bind(1, id)
        try copies.run()
        try scrubDigests(of: id)
        try audit(event, report: id, actor: actor ?? nodeName, counterpart: actor == nil ? nil : nodeName, detail: detail ?? reason, now: now)
    }

    /// Digests that list an erased report keep its id and lose its headline.
    private func scrubDigests(of id: String) throws(SQLiteError) {
        let listing = try database.cached("SELECT seq, document FROM reports WHERE kind = 'digest' AND instr(CAST(document AS TEXT), ?) > 0")
        listing.bind(1, id)
        var changed: [(Int64, [UInt8])] = []
        while try listing.step() {
            guard case .object(var fields)? = try? JSONValue(parsing: listing.blob(1)), case .object(var body)? = fields["body"],
                case .array(let entries)? = body["reports"]
            else { continue }
            body["reports"] = .array(entries.map { entry in
                guard entry["id"]?.stringValue == id, case .object(var members) = entry else { return entry }
                members["headline"] = "(erased)"
                return .object(members)
            })
            fields["body"] = .object(body)
            changed.append((listing.int(0), JSONValue.object(fields).encoded()))
        }
        let update = try database.cached("UPDATE reports SET document = ? WHERE seq = ?")
        for (seq, document) in changed {
            update.bind(1, document)
            update.bind(2, seq)
            try update.run()
        }
    }
}
