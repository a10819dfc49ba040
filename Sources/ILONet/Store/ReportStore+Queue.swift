import Foundation

/// The outbound queues: one per next hop, in the `outbound` table, committed in
/// the same transaction as the report they belong to (custody).
extension ReportStore {
    public enum AcceptOutcome: Sendable, Equatable {
        /// Stored; `recipients` are the identities it was delivered to here.
        case stored(seq: Int64, recipients: [String])
        /// Already held: acknowledged again, nothing stored or queued twice.
        case duplicate
        /// The id is held (or was erased) with different content: refused, never acknowledged.
        case idConflict
        /// The queue for this next hop is at its limit: refused, nothing stored.
        case queueFull(nextHop: String)
    }

    /// Takes custody of a report: stores it with its path and queues it for each
    /// next hop, unless it is already held or a queue is full. `deliverTo`: the
    /// only identities it goes to here (a correction: those of the report it
    /// corrects); nil: its addressees and subscribers, as always.
    public func accept(
        _ report: Report, document: [UInt8], path: [String], nextHops: [String], recipient: String?, now: Int64, queueLimit: Int,
        disclosure: Disclosure, deliverTo: [String]? = nil
    ) throws(SQLiteError) -> AcceptOutcome {
        let existing = try database.cached(
            "SELECT content_hash FROM reports WHERE id = ? UNION ALL SELECT content_hash FROM erased WHERE id = ?")
        existing.bind(2, report.id.description)
        existing.bind(1, report.id.description)
        if try existing.step() {
            // Rows stored before version 9 have no hash: taken as the same report.
            let held = existing.isNull(0) ? nil : existing.blob(0)
            try existing.step()
            return held == nil || held == report.contentHash ? .duplicate : .idConflict
        }
        for hop in nextHops where try queuedCount(hop) >= queueLimit { return .queueFull(nextHop: hop) }
        guard case .stored(let seq) = try insert(report, document: document, receivedMilliseconds: now, path: path, recipient: recipient) else {
            return .duplicate
        }
        let recipients: [String]
        if let deliverTo {
            recipients = try deliver(report, to: deliverTo, seq: seq, consented: [], disclosure: disclosure, now: now)
        } else {
            recipients = try deliver(report, seq: seq, disclosure: disclosure, now: now)
        }
        try enqueue(seq: seq, to: nextHops, priority: Int64(report.priority.rank), expires: report.expiresMilliseconds, now: now)
        // From the node before this one, or (first node) from the person who sent it.
        let sender = path.count >= 2 ? path[path.count - 2] : report.origin.officer
        try audit(
            .receive, report: report.id.description, actor: sender, counterpart: nodeName,
            detail: "kind=\(report.kind.rawValue) next-hops=\(nextHops.joined(separator: ",")) delivered-here=\(recipients.count)"
                + (report.screenWarnings.isEmpty ? "" : " screen-warnings=" + report.screenWarnings.map { "\($0.field):\($0.kind.rawValue)" }.joined(separator: ",")),
            now: now)
        return .stored(seq: seq, recipients: recipients)
    }

    /// Queues stored report `seq` for each of `hops`, in the caller's transaction.
    func enqueue(seq: Int64, to hops: [String], priority: Int64, expires: Int64, now: Int64) throws(SQLiteError) {
        let queue = try database.cached(
            "INSERT INTO outbound (report_seq, next_hop, priority, expires_ms, queued_ms, next_attempt_ms) VALUES (?, ?, ?, ?, ?, 0)")
        for hop in hops {
            queue.bind(1, seq)
            queue.bind(2, hop)
            queue.bind(3, priority)
            queue.bind(4, expires)
            queue.bind(5, now)
            try queue.run()
            queueCounts[hop] = (queueCounts[hop] ?? 0) + 1
        }
    }

    /// Reports waiting for `hop` (cached; recounted after any rollback).
    func queuedCount(_ hop: String) throws(SQLiteError) -> Int {
        if let count = queueCounts[hop] { return count }
        let statement = try database.cached("SELECT count(*) FROM outbound WHERE next_hop = ?")
        statement.bind(1, hop)
        try statement.step()
        let count = Int(statement.int(0))
        queueCounts[hop] = count
        return count
    }

    /// One report waiting for a next hop, ready to be sent.
    public struct OutboundItem: Sendable {
        public let seq: Int64
        public let id: String
        public let document: [UInt8]
        public let path: [String]
        /// People whose home moved: the next hop puts it, unread, in their mailbox (FORWARD's `deliver_to`).
        public var deliverTo: [String] = []
    }

    /// The next reports for `hop`, most urgent first, then oldest, skipping held
    /// ones, ones waiting for a retry time, expired ones (the expiry sweep
    /// dead-letters them) and `skipping` (already in flight).
    public func ready(for hop: String, now: Int64, limit: Int, skipping: Set<Int64>) throws(SQLiteError) -> [OutboundItem] {
        let statement = try database.cached(
            """
            SELECT o.report_seq, r.id, r.document, r.path, o.deliver_to FROM outbound o JOIN reports r ON r.seq = o.report_seq
            WHERE o.next_hop = ?2 AND o.state = 'ready' AND o.next_attempt_ms <= ?1 AND o.expires_ms > ?1 AND r.restricted_ms IS NULL
            ORDER BY o.priority, o.report_seq LIMIT ?3
            """)
        statement.bind(1, now)
        statement.bind(2, hop)
        statement.bind(3, Int64(limit + skipping.count))
        var items: [OutboundItem] = []
        while try statement.step() {
            let seq = statement.int(0)
            if skipping.contains(seq) { continue }
            let path = (try? JSONValue(parsing: statement.text(3)))?.arrayValue?.compactMap(\.stringValue) ?? []
            var item = OutboundItem(seq: seq, id: statement.text(1), document: statement.blob(2), path: path)
            if !statement.isNull(4) { item.deliverTo = (try? JSONValue(parsing: statement.text(4)))?.arrayValue?.compactMap(\.stringValue) ?? [] }
            items.append(item)
            if items.count == limit { break }
        }
        return items
    }

    /// The next hop acknowledged the report: its copy here is no longer needed.
    public func forwarded(seq: Int64, to hop: String) throws(SQLiteError) {
        let statement = try database.cached("DELETE FROM outbound WHERE report_seq = ? AND next_hop = ?")
        statement.bind(1, seq)
        statement.bind(2, hop)
        try statement.run()
        if database.changes > 0, let count = queueCounts[hop] { queueCounts[hop] = max(0, count - 1) }
    }

    /// The next hop took custody (ACCEPTED): the copy here goes, and the trail says so.
    public func forwardAccepted(seq: Int64, by hop: String, now: Int64) throws(SQLiteError) {
        try forwarded(seq: seq, to: hop)
        guard database.changes > 0, let id = try reportID(seq: seq) else { return }
        try audit(.forward, report: id, actor: nodeName, counterpart: hop, now: now)
    }

    /// The next hop could not take the report now; try again at `retryAt`.
    public func deferred(seq: Int64, to hop: String, error: String, retryAt: Int64) throws(SQLiteError) {
        let statement = try database.cached(
            "UPDATE outbound SET attempts = attempts + 1, last_error = ?, next_attempt_ms = ? WHERE report_seq = ? AND next_hop = ?")
        statement.bind(1, error)
        statement.bind(2, retryAt)
        statement.bind(3, seq)
        statement.bind(4, hop)
        try statement.run()
    }

    /// What a dead letter needs to say to the report's origin.
    public struct DeadLetter: Sendable {
        public let reportID: String
        public let country: String
        public let originOfficer: String
        public let path: [String]
        public let nextHop: String
        public let queuedMilliseconds: Int64
        public let lastError: String?
        public let reason: String
        public let kind: String

        /// The protocol error code behind it: the refusal's, or for an expired
        /// report the last error's (`CODE: …`); nil when there was none.
        public var code: ErrorCode? { DeadLetter.code(in: reason == "expired" ? lastError : reason) }

        /// The code a dead letter's reason or last error begins with (`refused by
        /// PEER: CODE`, `CODE: message`).
        public static func code(in text: String?) -> ErrorCode? {
            guard var text else { return nil }
            if text.hasPrefix("refused by "), let colon = text.firstIndex(of: ":") { text = String(text[text.index(after: colon)...]) }
            let word = text.trimmingCharacters(in: .whitespaces).prefix { $0 != ":" && $0 != " " }
            return ErrorCode(rawValue: String(word))
        }
    }

    /// Moves a queued report to the dead letters (the report itself stays in the
    /// store, whole) and returns what the origin must be told.
    public func deadLetter(seq: Int64, hop: String, reason: String, now: Int64) throws(SQLiteError) -> DeadLetter? {
        let select = try database.cached(
            """
            SELECT r.id, r.country, r.origin_officer, r.path, o.queued_ms, o.last_error, r.kind
            FROM outbound o JOIN reports r ON r.seq = o.report_seq WHERE o.report_seq = ? AND o.next_hop = ?
            """)
        select.bind(1, seq)
        select.bind(2, hop)
        guard try select.step() else { return nil }
        let letter = DeadLetter(
            reportID: select.text(0), country: select.text(1), originOfficer: select.text(2),
            path: (try? JSONValue(parsing: select.text(3)))?.arrayValue?.compactMap(\.stringValue) ?? [], nextHop: hop,
            queuedMilliseconds: select.int(4), lastError: select.isNull(5) ? nil : select.text(5), reason: reason, kind: select.text(6))
        try select.step()  // finish the statement before writing
        let insert = try database.cached(
            "INSERT OR REPLACE INTO dead_letters (report_seq, next_hop, reason, queued_ms, dead_ms) VALUES (?, ?, ?, ?, ?)")
        insert.bind(1, seq)
        insert.bind(2, hop)
        insert.bind(3, reason)
        insert.bind(4, letter.queuedMilliseconds)
        insert.bind(5, now)
        try insert.run()
        try forwarded(seq: seq, to: hop)
        try audit(reason == "expired" ? .expire : .deadLetter, report: letter.reportID, actor: nodeName, counterpart: hop, detail: reason, now: now)
        return letter
    }

    /// Dead-letters every queued report whose lifetime has passed (at most `limit`).
    public func expire(now: Int64, limit: Int = 1000) throws(SQLiteError) -> [DeadLetter] {
        let statement = try database.cached("SELECT report_seq, next_hop FROM outbound WHERE expires_ms <= ? LIMIT ?")
        statement.bind(1, now)
        statement.bind(2, Int64(limit))
        var due: [(Int64, String)] = []
        while try statement.step() { due.append((statement.int(0), statement.text(1))) }
        var letters: [DeadLetter] = []
        for (seq, hop) in due {
            if let letter = try deadLetter(seq: seq, hop: hop, reason: "expired", now: now) { letters.append(letter) }
        }
        return letters
    }

    /// Forgets cached counts after a rollback undid writes they counted.
    func resetCaches() {
        queueCounts.removeAll()
        subscriptionCache = nil
        interestCache = nil
        awayCache = nil
        bindingCache.removeAll()
        auditChainHead = nil
    }
}
