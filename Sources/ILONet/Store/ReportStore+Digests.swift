/// Building digests from the store (docs/REPORTS.md §5.5).
extension ReportStore {
    /// The digest body for `reader`: reports received in (from, to] whose topic
    /// matches `filter` and that the reader may see. `case` reports never appear;
    /// H2 and H3 reports are counted but not listed (no headline, no id).
    public func digestBody(
        filter: TopicFilter, reader: PeerIdentity, access: AccessRules, period: String, from: Int64, to: Int64
    ) throws(SQLiteError) -> JSONValue {
        let length = to - from
        let (current, listed, withheld) = try digestCounts(filter: filter, reader: reader, access: access, from: from, to: to, list: true)
        let (previous, _, _) = try digestCounts(filter: filter, reader: reader, access: access, from: from - length, to: from, list: false)
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
        filter: TopicFilter, reader: PeerIdentity, access: AccessRules, from: Int64, to: Int64, list: Bool
    ) throws(SQLiteError) -> (DigestCounts, [JSONValue], Int) {
        let statement = try database.cached(
            """
            SELECT id, kind, country, priority, handling, data_class, topic, headline, created_ms FROM reports
            WHERE received_ms > ? AND received_ms <= ? AND kind NOT IN ('notice', 'digest')
            ORDER BY priority, created_ms, seq
            """)
        statement.bind(1, from)
        statement.bind(2, to)
        var counts = DigestCounts()
        var listed: [JSONValue] = []
        var withheld = 0
        while try statement.step() {
            let topic = statement.text(6)
            guard statement.text(5) != DataClass.case.rawValue, filter.matches(topic),
                access.decide(.read(topic: topic), for: reader).allowed
            else { continue }
            let kind = statement.text(1), country = statement.text(2), handling = statement.text(4)
            let priority = Priority.allCases.first { $0.rank == Int(statement.int(3)) }?.rawValue ?? "routine"
            counts.total += 1
            counts.byKind[kind, default: 0] += 1
            counts.byCountry[country, default: 0] += 1
            counts.byPriority[priority, default: 0] += 1
            guard list else { continue }
            if handling == HandlingCode.h2.rawValue || handling == HandlingCode.h3.rawValue {
                withheld += 1
            } else if listed.count < 500 {
                listed.append([
                    "id": .string(statement.text(0)), "kind": .string(kind), "country": .string(country), "priority": .string(priority),
                    "handling": .string(handling), "created": .string(Timestamp.format(milliseconds: statement.int(8))),
                    "headline": .string(statement.text(7)),
                ])
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

    /// The newest digest delivered to `identity`.
    public func latestDigest(for identity: String) throws(SQLiteError) -> StoredReport? {
        let statement = try database.cached(
            """
            SELECT r.seq, r.id, r.document FROM reports r JOIN deliveries d ON d.report_seq = r.seq
            WHERE d.identity = ? AND r.kind = 'digest' ORDER BY r.seq DESC LIMIT 1
            """)
        statement.bind(1, identity)
        guard try statement.step() else { return nil }
        let found = StoredReport(seq: statement.int(0), id: statement.text(1), document: statement.blob(2))
        try statement.step()
        return found
    }
}
