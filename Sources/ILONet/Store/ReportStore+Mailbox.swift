/// The mailbox (docs/ACCESS.md §3.1): every report delivered to a person stays
/// there until it expires or is erased, read or unread. The flag is the
/// person's, shared by every client (ilo, the web view), like IMAP's `\Seen`.
extension ReportStore {
    /// One report in a mailbox listing, and whether its reader has read it.
    public struct MailboxEntry: Sendable {
        public var delivery: Delivery
        public let read: Bool
    }

    /// The mailbox of `identity`, newest first (by arrival here), read and
    /// unread, notices about the reader's own reports left out: at most `limit`
    /// entries whose documents fit in `bytes`, before the arrival `before` (a
    /// `seq` from the previous page; nil: from the newest), and whether more follow.
    public func mailboxPage(
        for identity: PeerIdentity, disclosure: Disclosure, limit: Int, bytes: Int, before: Int64?
    ) throws(SQLiteError) -> (entries: [MailboxEntry], more: Bool) {
        let statement = try database.cached(
            """
            SELECT d.report_seq, r.id, length(r.document), d.read_ms IS NOT NULL, \(ReportStore.disclosureColumns)
            FROM deliveries d JOIN reports r ON r.seq = d.report_seq
            WHERE d.identity = ? AND d.report_seq < ? AND \(NoticeSelection.excluded.condition) ORDER BY d.report_seq DESC LIMIT ?
            """)
        statement.bind(1, identity.id)
        statement.bind(2, before ?? Int64.max)
        statement.bind(3, Int64(limit + 64))
        var entries: [MailboxEntry] = []
        var budget = bytes
        var more = false
        var sealed: Set<Int64> = []
        while try statement.step() {
            let facts = ReportStore.disclosureFacts(statement, at: 4)
            guard disclosure.decide(facts, for: identity).allowed else { continue }
            let seal = facts.personalData != nil && facts.originOfficer != identity.id
            let cost = Int(statement.int(2)) + 64
            if entries.count == limit || (!entries.isEmpty && cost > budget) {
                more = true
                break
            }
            budget -= cost
            entries.append(
                MailboxEntry(delivery: Delivery(seq: statement.int(0), id: statement.text(1), document: []), read: statement.int(3) != 0))
            if seal { sealed.insert(statement.int(0)) }
        }
        statement.reset()
        let document = try database.cached("SELECT document FROM reports WHERE seq = ?")
        for index in entries.indices {
            document.bind(1, entries[index].delivery.seq)
            if try document.step() {
                let bytes = document.blob(0)
                entries[index].delivery.document = sealed.contains(entries[index].delivery.seq) ? ReadReason.seal(bytes) : bytes
            }
            document.reset()
        }
        return (entries, more)
    }

    /// Marks the reports `ids` in `identity`'s mailbox read (or unread). Returns
    /// how many changed; ids not in the mailbox are left alone.
    public func mark(_ ids: [String], read: Bool, for identity: String, now: Int64) throws(SQLiteError) -> Int {
        let statement = try database.cached(
            read
                ? "UPDATE deliveries SET read_ms = ?1 WHERE identity = ?2 AND read_ms IS NULL AND report_seq = (SELECT seq FROM reports WHERE id = ?3)"
                : "UPDATE deliveries SET read_ms = NULL WHERE ?1 IS NOT NULL AND identity = ?2 AND read_ms IS NOT NULL AND report_seq = (SELECT seq FROM reports WHERE id = ?3)")
        return try updateDeliveries(statement, ids, for: identity, now: now, audited: "read", audit: read)
    }

    /// The hexadecimal digits of a short id (8 to 31 of them, hyphens ignored), lowercased; nil: not one.
    public static func shortIDDigits(_ text: String) -> String? {
        let digits = text.filter { $0 != "-" }.lowercased()
        guard (8...31).contains(digits.count), digits.allSatisfy(\.isHexDigit) else { return nil }
        return digits
    }

    /// The reports in `identity`'s mailbox, or written by it, whose id ends in
    /// `digits` (at most three: more than one is ambiguous).
    public func resolveShortID(_ digits: String, for identity: String) throws(SQLiteError) -> [String] {
        let statement = try database.cached(
            """
            SELECT r.id FROM deliveries d JOIN reports r ON r.seq = d.report_seq WHERE d.identity = ?1 AND replace(r.id, '-', '') LIKE '%' || ?2
            UNION SELECT r.id FROM reports r WHERE r.origin_officer = ?1 AND replace(r.id, '-', '') LIKE '%' || ?2 LIMIT 3
            """)
        statement.bind(1, identity)
        statement.bind(2, digits)
        var ids: [String] = []
        while try statement.step() { ids.append(statement.text(0)) }
        return ids
    }

    /// Takes `identity`'s unread reports out of its mailbox here (its home moved);
    /// returns their seqs, oldest first.
    func takeUnread(of identity: String) throws(SQLiteError) -> [Int64] {
        let select = try database.cached("SELECT report_seq FROM deliveries WHERE identity = ? AND read_ms IS NULL ORDER BY report_seq")
        select.bind(1, identity)
        var seqs: [Int64] = []
        while try select.step() { seqs.append(select.int(0)) }
        let delete = try database.cached("DELETE FROM deliveries WHERE identity = ? AND read_ms IS NULL")
        delete.bind(1, identity)
        try delete.run()
        return seqs
    }

    /// Queues report `seq` for `hop`, for `identity`'s mailbox at its home: a
    /// row already queued for that hop gets the name added.
    func enqueueMoved(seq: Int64, to hop: String, for identity: String, now: Int64) throws(SQLiteError) {
        let upsert = try database.cached(
            """
            INSERT INTO outbound (report_seq, next_hop, priority, expires_ms, queued_ms, next_attempt_ms, deliver_to)
            SELECT seq, ?2, priority, expires_ms, ?3, 0, json_array(?4) FROM reports WHERE seq = ?1
            ON CONFLICT (next_hop, report_seq) DO UPDATE SET deliver_to = json_insert(COALESCE(outbound.deliver_to, '[]'), '$[#]', ?4)
            WHERE NOT EXISTS (SELECT 1 FROM json_each(COALESCE(outbound.deliver_to, '[]')) WHERE value = ?4)
            """)
        upsert.bind(1, seq)
        upsert.bind(2, hop)
        upsert.bind(3, now)
        upsert.bind(4, identity)
        try upsert.run()
        queueCounts[hop] = nil  // counted again when next asked
    }
}
