/// Queue inspection and control, in the spirit of mailq and postsuper.
extension ReportStore {
    public struct QueueEntry: Sendable {
        public let reportID: String
        public let kind: String
        public let country: String
        public let priority: Int
        public let nextHop: String
        public let state: String
        public let attempts: Int
        public let queuedMilliseconds: Int64
        public let nextAttemptMilliseconds: Int64
        public let expiresMilliseconds: Int64
        public let lastError: String?

        public var json: JSONValue {
            var fields: [String: JSONValue] = [
                "id": .string(reportID), "kind": .string(kind), "country": .string(country),
                "priority": .string(Priority.allCases.first { $0.rank == priority }?.rawValue ?? "?"),
                "next_hop": .string(nextHop), "state": .string(state), "attempts": .integer(Int64(attempts)),
                "queued": .string(Timestamp.format(milliseconds: queuedMilliseconds)),
                "expires": .string(Timestamp.format(milliseconds: expiresMilliseconds)),
            ]
            if nextAttemptMilliseconds > 0 { fields["next_attempt"] = .string(Timestamp.format(milliseconds: nextAttemptMilliseconds)) }
            if let lastError { fields["last_error"] = .string(lastError) }
            return .object(fields)
        }
    }

    public struct DeadLetterEntry: Sendable {
        public let reportID: String
        public let nextHop: String
        public let reason: String
        public let queuedMilliseconds: Int64
        public let deadMilliseconds: Int64

        public var json: JSONValue {
            [
                "id": .string(reportID), "next_hop": .string(nextHop), "reason": .string(reason),
                "queued": .string(Timestamp.format(milliseconds: queuedMilliseconds)),
                "dead": .string(Timestamp.format(milliseconds: deadMilliseconds)),
            ]
        }
    }

    /// What waits, in the order it will leave (per next hop: priority, then age).
    public func queueEntries(limit: Int) throws(SQLiteError) -> [QueueEntry] {
        let statement = try database.cached(
            """
            SELECT r.id, r.kind, r.country, o.priority, o.next_hop, o.state, o.attempts, o.queued_ms, o.next_attempt_ms,
                   o.expires_ms, o.last_error
            FROM outbound o JOIN reports r ON r.seq = o.report_seq
            ORDER BY o.next_hop, o.state DESC, o.priority, o.report_seq LIMIT ?
            """)
        statement.bind(1, Int64(limit))
        var entries: [QueueEntry] = []
        while try statement.step() {
            entries.append(
                QueueEntry(
                    reportID: statement.text(0), kind: statement.text(1), country: statement.text(2), priority: Int(statement.int(3)),
                    nextHop: statement.text(4), state: statement.text(5), attempts: Int(statement.int(6)),
                    queuedMilliseconds: statement.int(7), nextAttemptMilliseconds: statement.int(8),
                    expiresMilliseconds: statement.int(9), lastError: statement.isNull(10) ? nil : statement.text(10)))
        }
        return entries
    }

    public func deadLetters(limit: Int) throws(SQLiteError) -> [DeadLetterEntry] {
        let statement = try database.cached(
            """
            SELECT r.id, d.next_hop, d.reason, d.queued_ms, d.dead_ms FROM dead_letters d JOIN reports r ON r.seq = d.report_seq
            ORDER BY d.dead_ms DESC LIMIT ?
            """)
        statement.bind(1, Int64(limit))
        var entries: [DeadLetterEntry] = []
        while try statement.step() {
            entries.append(
                DeadLetterEntry(
                    reportID: statement.text(0), nextHop: statement.text(1), reason: statement.text(2),
                    queuedMilliseconds: statement.int(3), deadMilliseconds: statement.int(4)))
        }
        return entries
    }

    /// Counts per next hop and priority rank.
    public func queueDepths() throws(SQLiteError) -> [String: [Int: Int]] {
        let statement = try database.cached("SELECT next_hop, priority, count(*) FROM outbound GROUP BY next_hop, priority")
        var depths: [String: [Int: Int]] = [:]
        while try statement.step() { depths[statement.text(0), default: [:]][Int(statement.int(1))] = Int(statement.int(2)) }
        return depths
    }

    public enum QueueAction: String, Sendable, CaseIterable {
        /// Every ready report: try now (and reconnect links at once).
        case flush
        /// One report: try now; a report a peer refused goes back into its queue.
        case retry
        /// One report: keep it, do not send it until released.
        case hold
        case release
        /// One report: remove it from every queue and the dead letters (audited; the report stays stored).
        case delete
    }

    /// Applies an administrator's action; returns how many queue entries it touched.
    /// Every action is recorded in `queue_audit` with who did it.
    public func control(_ action: QueueAction, reportID: String?, actor: String, reason: String? = nil, now: Int64) throws(SQLiteError) -> Int {
        var seq: Int64?
        if let reportID {
            let find = try database.cached("SELECT seq FROM reports WHERE id = ?")
            find.bind(1, reportID)
            guard try find.step() else { return 0 }
            seq = find.int(0)
            try find.step()
        }
        var touched = 0
        switch action {
        case .flush:
            try database.execute("UPDATE outbound SET next_attempt_ms = 0 WHERE state = 'ready'")
            touched = database.changes
        case .retry:
            let requeue = try database.cached(
                """
                INSERT OR IGNORE INTO outbound (report_seq, next_hop, priority, expires_ms, queued_ms, next_attempt_ms)
                SELECT d.report_seq, d.next_hop, r.priority, r.expires_ms, ?, 0 FROM dead_letters d JOIN reports r ON r.seq = d.report_seq
                WHERE d.report_seq = ? AND d.reason != 'expired'
                """)
            requeue.bind(1, now)
            requeue.bind(2, seq ?? -1)
            try requeue.run()
            touched = database.changes
            _ = try changes("DELETE FROM dead_letters WHERE report_seq = ? AND reason != 'expired'", seq)
            touched = max(touched, try changes("UPDATE outbound SET next_attempt_ms = 0 WHERE report_seq = ?", seq))
        case .hold, .release:
            let statement = try database.cached("UPDATE outbound SET state = ?, next_attempt_ms = 0 WHERE report_seq = ?")
            statement.bind(1, action == .hold ? "held" : "ready")
            statement.bind(2, seq ?? -1)
            try statement.run()
            touched = database.changes
        case .delete:
            touched = try changes("DELETE FROM outbound WHERE report_seq = ?", seq)
            touched += try changes("DELETE FROM dead_letters WHERE report_seq = ?", seq)
        }
        if action == .delete || action == .retry { resetCaches() }
        let audit = try database.cached("INSERT INTO queue_audit (at_ms, actor, action, report_id, detail) VALUES (?, ?, ?, ?, ?)")
        audit.bind(1, now)
        audit.bind(2, actor)
        audit.bind(3, action.rawValue)
        if let reportID { audit.bind(4, reportID) } else { audit.bindNull(4) }
        // The administrator's reason stays here, in the queue audit; the author's notice carries none.
        audit.bind(5, "\(touched) queue entries" + (reason.map { "; reason: \(String($0.prefix(1000)))" } ?? ""))
        try audit.run()
        try self.audit(AuditEvent(rawValue: action.rawValue) ?? .flush, report: reportID, actor: actor, detail: "\(touched) queue entries", now: now)
        return touched
    }

    /// What a deletion notice needs of report `id`: nil for system reports, which tell nobody.
    public struct DeletedReport: Sendable {
        public let id: String
        public let originOfficer: String
        public let country: String
        public let path: [String]
        /// The next hops it waited for.
        public let hops: [String]
    }

    public func deletedReport(_ id: String, hops: [String]) throws(SQLiteError) -> DeletedReport? {
        let statement = try database.cached("SELECT origin_officer, country, path, kind FROM reports WHERE id = ?")
        statement.bind(1, id)
        guard try statement.step() else { return nil }
        defer { _ = try? statement.step() }
        guard ReportKind(rawValue: statement.text(3))?.isSystem == false else { return nil }
        let path = (try? JSONValue(parsing: statement.text(2)))?.arrayValue?.compactMap(\.stringValue) ?? []
        return DeletedReport(id: id, originOfficer: statement.text(0), country: statement.text(1), path: path, hops: hops)
    }

    /// The next hops report `id` waits for or was dead-lettered at (before a deletion).
    public func waitingHops(_ id: String) throws(SQLiteError) -> [String] {
        let statement = try database.cached(
            """
            SELECT next_hop FROM outbound WHERE report_seq = (SELECT seq FROM reports WHERE id = ?1)
            UNION SELECT next_hop FROM dead_letters WHERE report_seq = (SELECT seq FROM reports WHERE id = ?1)
            """)
        statement.bind(1, id)
        var hops: [String] = []
        while try statement.step() { hops.append(statement.text(0)) }
        return hops
    }

    /// Runs a statement about one report (nil: none) and returns the rows it changed.
    private func changes(_ sql: String, _ seq: Int64?) throws(SQLiteError) -> Int {
        let statement = try database.cached(sql)
        statement.bind(1, seq ?? -1)
        try statement.run()
        return database.changes
    }

    /// Which queue entries an administrator's action names besides the report
    /// (docs/ROUTING.md §5): a next hop, a state, an age.
    public struct QueueSelection: Sendable {
        public var nextHop: String?
        /// queued, held or dead.
        public var state: String?
        public var olderThanMilliseconds: Int64?
    }

    /// The report ids `named` (an id, a unique prefix, or ALL) and `selection`
    /// pick among what waits or is dead-lettered here, or why none.
    public enum QueuePick: Sendable {
        case reports([String])
        /// Why the name and selection pick nothing (or too much).
        case none(String)
    }

    public func queueSelection(_ named: String, _ selection: QueueSelection, now: Int64) throws(SQLiteError) -> QueuePick {
        var conditions: [String] = []
        var arguments: [JSONValue] = []
        if named != "ALL" {
            conditions.append("r.id LIKE ? ESCAPE '\\'")
            arguments.append(.string(named + "%"))
        }
        if let hop = selection.nextHop {
            conditions.append("q.next_hop = ?")
            arguments.append(.string(hop))
        }
        switch selection.state {
        case "queued"?: conditions.append("q.state = 'ready'")
        case "held"?: conditions.append("q.state = 'held'")
        case "dead"?: conditions.append("q.state = 'dead'")
        default: break
        }
        if let age = selection.olderThanMilliseconds {
            conditions.append("q.since_ms <= ?")
            arguments.append(.integer(now - age))
        }
        let statement = try database.cached(
            """
            SELECT DISTINCT r.id FROM (
                SELECT report_seq, next_hop, state, queued_ms AS since_ms FROM outbound
                UNION ALL SELECT report_seq, next_hop, 'dead', dead_ms FROM dead_letters
            ) q JOIN reports r ON r.seq = q.report_seq
            WHERE \(conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")) ORDER BY r.id LIMIT 100001
            """)
        statement.bind(arguments)
        var ids: [String] = []
        while try statement.step() { ids.append(statement.text(0)) }
        // ALL that matches nothing is not an error (postsuper -h ALL): a nightly
        // clean-up must not fail because there was nothing to clean up.
        if ids.isEmpty, named != "ALL" {
            return .none("no queued or dead-lettered report \(named)… here (ilo queue lists them)")
        }
        if named != "ALL", ids.count > 1, ReportID(named) == nil {
            return .none("\(named)… names \(ids.count > 100_000 ? "many" : String(ids.count)) reports (\(ids.prefix(3).joined(separator: ", "))…); give more of the id")
        }
        return .reports(ids)
    }

    /// Why retrying report `id` did nothing: its dead letter is an expiry.
    public func whyNotRetried(_ id: String) throws(SQLiteError) -> String? {
        let statement = try database.cached(
            "SELECT d.next_hop, r.expires_ms FROM dead_letters d JOIN reports r ON r.seq = d.report_seq WHERE r.id = ? AND d.reason = 'expired'")
        statement.bind(1, id)
        guard try statement.step() else { return nil }
        defer { _ = try? statement.step() }
        return "report \(id) expired at \(Timestamp.format(milliseconds: statement.int(1))) before \(statement.text(0)) took it: an expired report is not sent again"
    }
}

