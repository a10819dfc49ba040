/// Building digests from the store (docs/REPORTS.md §5.5).
extension ReportStore {
    /// The digest body for `reader`: reports received in (from, to] whose topic
    /// matches `filter` and that the disclosure decision lets the reader read —
    /// counts included, so that a digest reveals nothing about a report its reader
    /// may not read. `case` reports never appear. At most `digestListLimit` are
    /// listed; `withheld` counts the rest. A reader whom a `digest` access rule
    /// gives the filter (the steering board, docs/ACCESS.md §2) is also counted
    /// the H0 and H1 reports it may not read — counted, never listed.
    public func digestBody(
        filter: TopicFilter, reader: PeerIdentity, disclosure: Disclosure, period: String, from: Int64, to: Int64
    ) throws(SQLiteError) -> JSONValue {
        let length = to - from
        let (current, listed, withheld) = try digestCounts(filter: filter, reader: reader, disclosure: disclosure, from: from, to: to, list: true)
        let (previous, _, _) = try digestCounts(filter: filter, reader: reader, disclosure: disclosure, from: from - length, to: from, list: false)
        return [
            "filter": .string(filter.text), "period": .string(period),
            "from": .string(Timestamp.format(milliseconds: from)), "to": .string(Timestamp.format(milliseconds: to)),
            "counts": current.json, "previous": previous.json, "change": .integer(Int64(current.total - previous.total)),
            "reports": .array(listed), "withheld": .integer(Int64(withheld)), "nothing_new": .bool(current.total == 0),
        ]
    }

    struct DigestCounts {
        var total = 0
        var byKind: [String: Int] = [:]
        var byCountry: [String: Int] = [:]
        var byPriority: [String: Int] = [:]

        var json: JSONValue {
            func map(_ m: [String: Int]) -> JSONValue { .object(m.mapValues { .integer(Int64($0)) }) }
            return ["total": .integer(Int64(total)), "by_kind": map(byKind), "by_country": map(byCountry), "by_priority": map(byPriority)]
        }
    }

    private func digestCounts(
        filter: TopicFilter, reader: PeerIdentity, disclosure: Disclosure, from: Int64, to: Int64, list: Bool
    ) throws(SQLiteError) -> (DigestCounts, [JSONValue], Int) {
        let statement = try database.cached(
            """
            SELECT r.id, r.country, r.priority, r.headline, r.created_ms, \(ReportStore.disclosureColumns), r.origin_authority,
                   (SELECT count(*) FROM attachment_files f WHERE f.report_id = r.id) FROM reports r
            WHERE r.received_ms > ? AND r.received_ms <= ? AND r.kind IN ('smuggling', 'return', 'border') AND r.data_class = 'none'
            ORDER BY r.priority, r.created_ms, r.seq
            """)
        statement.bind(1, from)
        statement.bind(2, to)
        var counts = DigestCounts()
        var listed: [JSONValue] = []
        var withheld = 0
        let countsAll = disclosure.rules.decide(.digest(filter), for: reader).allowed
        while try statement.step() {
            let facts = ReportStore.disclosureFacts(statement, at: 5)
            guard filter.matches(facts.topic) else { continue }
            let readable = disclosure.decide(facts, for: reader).allowed
            let countable = countsAll && facts.handling?.namedAddresseesOnly == false && !facts.restricted && facts.expiresMilliseconds > disclosure.now
            guard readable || countable else { continue }
            let kind = facts.kind?.rawValue ?? "?", country = statement.text(1), handling = facts.handling?.rawValue ?? "?"
            let priority = Priority.allCases.first { $0.rank == Int(statement.int(2)) }?.rawValue ?? "routine"
            counts.total += 1
            counts.byKind[kind, default: 0] += 1
            counts.byCountry[country, default: 0] += 1
            counts.byPriority[priority, default: 0] += 1
            guard list else { continue }
            if readable && listed.count < ReportStore.digestListLimit {
                var entry: [String: JSONValue] = [
                    "id": .string(statement.text(0)), "kind": .string(kind), "country": .string(country), "priority": .string(priority),
                    "handling": .string(handling), "created": .string(Timestamp.format(milliseconds: statement.int(4))),
                    "headline": .string(statement.text(3)), "author": .string(facts.originOfficer),
                    "authority": .string(statement.text(5 + ReportStore.disclosureColumnCount)),
                ]
                // Files are counted, never shown (docs/REPORTS.md §1.1).
                let files = statement.int(6 + ReportStore.disclosureColumnCount)
                if files > 0 { entry["files"] = .integer(files) }
                listed.append(.object(entry))
            } else {
                withheld += 1
            }
        }
        return (counts, listed, withheld)
    }

    /// Digest subscriptions whose period has ended since their last digest, with
    /// the period to cover. A node that was down delivers the latest period only.
    func dueDigests(now: Int64) throws(SQLiteError) -> [(subscription: Subscription, from: Int64, to: Int64)] {
        var due: [(Subscription, Int64, Int64)] = []
        for subscription in try subscriptionIndex().subscriptions where subscription.mode == "digest" {
            guard let period = subscription.period else { continue }
            let minute = subscription.atMinute ?? 0
            let end = DigestPeriod.latestEnd(period, atMinute: minute, now: now)
            let last = subscription.lastDigestEnd ?? DigestPeriod.latestEnd(period, atMinute: minute, now: subscription.createdMilliseconds)
            if end > last { due.append((subscription, end - DigestPeriod.length(period), end)) }
        }
        return due
    }

    func digestDelivered(_ subscription: Subscription, through end: Int64) throws(SQLiteError) {
        let statement = try database.cached("UPDATE subscriptions SET last_digest_end_ms = ? WHERE identity = ? AND filter = ? AND mode = 'digest'")
        statement.bind(1, end)
        statement.bind(2, subscription.identity)
        statement.bind(3, subscription.filter)
        try statement.run()
        subscriptionCache = nil
    }

    /// How many reports a digest lists at most; the rest are counted as `withheld`.
    static let digestListLimit = 500

    /// The newest digest addressed to `identity`.
    public func latestDigest(for identity: PeerIdentity, disclosure: Disclosure) throws(SQLiteError) -> StoredReport? {
        let statement = try database.cached(
            """
            SELECT r.seq, r.id, r.document, \(ReportStore.disclosureColumns) FROM reports r JOIN deliveries d ON d.report_seq = r.seq
            WHERE d.identity = ? AND r.kind = 'digest' ORDER BY r.seq DESC LIMIT 1
            """)
        statement.bind(1, identity.id)
        guard try statement.step() else { return nil }
        let found = StoredReport(seq: statement.int(0), id: statement.text(1), document: statement.blob(2))
        let verdict = disclosure.decide(ReportStore.disclosureFacts(statement, at: 3), for: identity)
        try statement.step()
        return verdict.allowed ? found : nil
    }
}
