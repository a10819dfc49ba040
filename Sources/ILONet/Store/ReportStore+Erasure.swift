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
                  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.report_seq = r.seq AND d.confirmed_ms IS NULL)
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
        if !erased.isEmpty { resetCaches() }
        return erased
    }

    private func erase(seq: Int64, id: String, reason: String, now: Int64) throws(SQLiteError) {
        for table in ["deliveries", "outbound", "dead_letters"] {
            let statement = try database.cached("DELETE FROM \(table) WHERE report_seq = ?")
            statement.bind(1, seq)
            try statement.run()
        }
        let delete = try database.cached("DELETE FROM reports WHERE seq = ?")
        delete.bind(1, seq)
        try delete.run()
        let tombstone = try database.cached("INSERT OR REPLACE INTO erased (id, erased_ms, reason) VALUES (?, ?, ?)")
        tombstone.bind(1, id)
        tombstone.bind(2, now)
        tombstone.bind(3, reason)
        try tombstone.run()
        try audit(.erase, report: id, actor: nodeName, detail: reason, now: now)
    }
}
