/// Subscriptions, subscribers and the deliveries that are each reader's inbox.
extension ReportStore {
    public struct Subscription: Sendable, Equatable {
        public let identity: String
        public let filter: String
        public let mode: String  // each | digest
        public let period: String?
        public let atMinute: Int?
        public let implicit: Bool
        public let createdMilliseconds: Int64
        public let lastDigestEnd: Int64?

        public var json: JSONValue {
            var fields: [String: JSONValue] = [
                "filter": .string(filter), "mode": .string(mode), "implicit": .bool(implicit),
                "created": .string(Timestamp.format(milliseconds: createdMilliseconds)),
            ]
            if let period { fields["period"] = .string(period) }
            if let atMinute { fields["at"] = .string(String(format: "%02d:%02d", atMinute / 60, atMinute % 60)) }
            return .object(fields)
        }
    }

    /// Every subscription and every known subscriber, read once and kept (the
    /// store thread is the only one that changes them).
    func subscriptionIndex() throws(SQLiteError) -> (subscriptions: [Subscription], subscribers: [String: PeerIdentity]) {
        if let cached = subscriptionCache { return cached }
        let statement = try database.cached(
            "SELECT identity, filter, mode, period, at_minute, implicit, created_ms, last_digest_end_ms FROM subscriptions ORDER BY id")
        var subscriptions: [Subscription] = []
        while try statement.step() {
            subscriptions.append(
                Subscription(
                    identity: statement.text(0), filter: statement.text(1), mode: statement.text(2),
                    period: statement.isNull(3) ? nil : statement.text(3), atMinute: statement.isNull(4) ? nil : Int(statement.int(4)),
                    implicit: statement.int(5) != 0, createdMilliseconds: statement.int(6),
                    lastDigestEnd: statement.isNull(7) ? nil : statement.int(7)))
        }
        let people = try database.cached("SELECT identity, role, authority, state, posts FROM subscribers")
        var subscribers: [String: PeerIdentity] = [:]
        while try people.step() {
            let posts = (try? JSONValue(parsing: people.text(4)))?.arrayValue?.compactMap(\.stringValue) ?? []
            if let role = Role(rawValue: people.text(1)) {
                subscribers[people.text(0)] = PeerIdentity(id: people.text(0), role: role, authority: people.text(2), memberState: people.text(3), posts: posts)
            }
        }
        subscriptionCache = (subscriptions, subscribers)
        return (subscriptions, subscribers)
    }

    /// Records an identity that connected (from its certificate) and keeps its
    /// implicit subscriptions — an officer's `+/COUNTRY/#` for each post — in step.
    /// A certificate whose subject clashes with the identity's binding
    /// (`bindCertificate`) is not recorded: the caller refuses the connection.
    @discardableResult
    public func register(_ identity: PeerIdentity, now: Int64) throws(SQLiteError) -> CertificateBinding {
        let binding = try bindCertificate(identity, now: now)
        if case .clash = binding { return binding }
        let upsert = try database.cached(
            """
            INSERT INTO subscribers (identity, role, authority, state, posts, first_seen_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (identity) DO UPDATE SET role = excluded.role, authority = excluded.authority, state = excluded.state,
                posts = excluded.posts, last_seen_ms = excluded.last_seen_ms
            """)
        upsert.bind(1, identity.id)
        upsert.bind(2, identity.role.rawValue)
        upsert.bind(3, identity.authority)
        upsert.bind(4, identity.memberState)
        upsert.bind(5, JSONValue.array(identity.posts.map { .string($0) }).encodedString())
        upsert.bind(6, now)
        upsert.bind(7, now)
        try upsert.run()
        let wanted = Set(identity.role == .officer ? identity.posts.map { "+/\($0)/#" } : [])
        let existing = Set(try subscriptionIndex().subscriptions.filter { $0.identity == identity.id && $0.implicit }.map(\.filter))
        guard wanted != existing || subscriptionCache?.subscribers[identity.id] != identity else { return binding }
        for filter in existing.subtracting(wanted) { _ = try removeSubscription(identity.id, filter: filter, mode: "each") }
        for filter in wanted.subtracting(existing) { try addSubscription(identity.id, filter: filter, mode: "each", period: nil, atMinute: nil, implicit: true, now: now) }
        subscriptionCache = nil
        return binding
    }

    public func addSubscription(
        _ identity: String, filter: String, mode: String, period: String?, atMinute: Int?, implicit: Bool = false, now: Int64
    ) throws(SQLiteError) {
        let statement = try database.cached(
            """
            INSERT INTO subscriptions (identity, filter, mode, period, at_minute, implicit, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (identity, filter, mode) DO UPDATE SET period = excluded.period, at_minute = excluded.at_minute
            """)
        statement.bind(1, identity)
        statement.bind(2, filter)
        statement.bind(3, mode)
        if let period { statement.bind(4, period) } else { statement.bindNull(4) }
        if let atMinute { statement.bind(5, Int64(atMinute)) } else { statement.bindNull(5) }
        statement.bind(6, implicit ? 1 : 0)
        statement.bind(7, now)
        try statement.run()
        subscriptionCache = nil
    }

    public func removeSubscription(_ identity: String, filter: String, mode: String) throws(SQLiteError) -> Int {
        let statement = try database.cached("DELETE FROM subscriptions WHERE identity = ? AND filter = ? AND mode = ?")
        statement.bind(1, identity)
        statement.bind(2, filter)
        statement.bind(3, mode)
        try statement.run()
        subscriptionCache = nil
        return database.changes
    }

    /// The `each` subscriptions indexed by topic level (cached with the list).
    private func eachSubscriptionTrie(_ subscriptions: [Subscription]) throws(SQLiteError) -> TopicTrie {
        if let cached = eachTrieCache { return cached }
        let trie = TopicTrie(
            subscriptions.filter { $0.mode == "each" }.compactMap { s in (try? TopicFilter(s.filter)).map { (filter: $0, identity: s.identity) } })
        eachTrieCache = trie
        return trie
    }

    /// The identities whose `each` subscriptions match `topic` (remembered per topic until the subscriptions change).
    func topicSubscribers(_ topic: String, among subscriptions: [Subscription]) throws(SQLiteError) -> Set<String> {
        if let known = topicSubscribersCache[topic] { return known }
        let found = try eachSubscriptionTrie(subscriptions).subscribers(of: topic)
        if topicSubscribersCache.count >= ReportStore.topicCacheLimit { topicSubscribersCache.removeAll(keepingCapacity: true) }
        topicSubscribersCache[topic] = found
        return found
    }

    /// How many subscriptions `identity` holds here, implicit ones included.
    public func subscriptionCount(of identity: String) throws(SQLiteError) -> Int {
        try subscriptionIndex().subscriptions.reduce(0) { $0 + ($1.identity == identity ? 1 : 0) }
    }

    public func subscriptions(of identity: String) throws(SQLiteError) -> [Subscription] {
        try subscriptionIndex().subscriptions.filter { $0.identity == identity }
    }

    /// Who receives `report` here (docs/ACCESS.md §3): its addressees, and —
    /// unless it is H2, H3 or carries personal data — the identities whose subscriptions match
    /// its topic; never its author. A known identity gets a delivery only if the
    /// disclosure decision allows it now; a named addressee not seen here yet gets
    /// one that waits (the decision is taken again whenever it is read). Writes
    /// the deliveries and returns who got one.
    func deliver(_ report: Report, seq: Int64, disclosure: Disclosure, now: Int64) throws(SQLiteError) -> [String] {
        let (subscriptions, subscribers) = try subscriptionIndex()
        var recipients = ReportStore.identities(named: report.addressees, among: subscribers)
        recipients.formUnion(try registeredHere(named: report.addressees, now: now))
        if report.kind.isContent && !report.handling.namedAddresseesOnly && !report.carriesPersonalData {
            recipients.formUnion(try topicSubscribers(report.topic, among: subscriptions))
            // A report on behalf of a state is that state's too: its contact points get it (docs/ACCESS.md §6).
            if !report.onBehalfOf.isEmpty {
                recipients.formUnion(subscribers.values.filter { $0.role == .authority && report.onBehalfOf.contains($0.memberState) }.map(\.id))
            }
        }
        if !report.kind.isSystem { recipients.remove(report.origin.officer) }
        // People read at their home node: a report meant for them is sent there (docs/ROUTING.md §8).
        if report.kind.isContent { recipients.subtract(try awayIdentities(now: now)) }
        return try insertDeliveries(report, seq: seq, to: recipients, facts: Disclosure.Facts(report), subscribers: subscribers, disclosure: disclosure, now: now)
    }

    /// Delivers a stored report to `names` (identities or `authority:CODE`), as
    /// far as the disclosure decision, with `consented`, lets each read it.
    func deliver(
        _ report: Report, to names: [String], seq: Int64, consented: [String], disclosure: Disclosure, now: Int64
    ) throws(SQLiteError) -> [String] {
        let subscribers = try subscriptionIndex().subscribers
        var recipients = ReportStore.identities(named: names, among: subscribers)
        recipients.formUnion(try registeredHere(named: names, now: now))
        recipients.remove(report.origin.officer)
        recipients.subtract(try awayIdentities(now: now))
        let facts = Disclosure.Facts(report, consented: consented)
        return try insertDeliveries(report, seq: seq, to: recipients, facts: facts, subscribers: subscribers, disclosure: disclosure, now: now)
    }

    /// The people of the `authority:CODE`s named whom the register says read
    /// here, whether or not they have connected yet (their home, docs/ROUTING.md §8).
    func registeredHere(named names: [String], now: Int64) throws(SQLiteError) -> Set<String> {
        let authorities = Set(names.filter { $0.hasPrefix("authority:") }.map { String($0.dropFirst("authority:".count)) })
        guard !authorities.isEmpty else { return [] }
        let day = String(Timestamp.format(milliseconds: now).prefix(10))
        return Set(try registerEntries().filter { authorities.contains($0.authority) && $0.readsAt == nodeName && $0.isInForce(on: day) }.map(\.identity))
    }

    /// Identities named directly, and every known identity of an `authority:CODE`.
    static func identities(named names: [String], among subscribers: [String: PeerIdentity]) -> Set<String> {
        var recipients = Set<String>()
        for name in names {
            if name.hasPrefix("authority:") {
                let authority = String(name.dropFirst("authority:".count))
                recipients.formUnion(subscribers.values.filter { $0.authority == authority }.map(\.id))
            } else {
                recipients.insert(name)
            }
        }
        return recipients
    }

    private func insertDeliveries(
        _ report: Report, seq: Int64, to recipients: Set<String>, facts: Disclosure.Facts, subscribers: [String: PeerIdentity],
        disclosure: Disclosure, now: Int64
    ) throws(SQLiteError) -> [String] {
        let insert = try database.cached(
            "INSERT OR IGNORE INTO deliveries (identity, report_seq, priority, queued_ms) VALUES (?, ?, ?, ?)")
        var delivered: [String] = []
        for recipient in recipients.sorted() {
            if let identity = subscribers[recipient], !disclosure.decide(facts, for: identity).allowed { continue }
            // A named addressee never seen here whom the register says reads at another
            // node gets no delivery here: it would wait forever (docs/ACCESS.md §6).
            if subscribers[recipient] == nil, let entry = try registerEntry(recipient), entry.readsAt != nodeName { continue }
            insert.bind(1, recipient)
            insert.bind(2, seq)
            insert.bind(3, Int64(report.priority.rank))
            insert.bind(4, now)
            try insert.run()
            if database.changes > 0 { deliveredInBatch.insert(recipient) }
            delivered.append(recipient)
        }
        return delivered
    }

    /// A report waiting for a reader.
    public struct Delivery: Sendable {
        public let seq: Int64
        public let id: String
        public internal(set) var document: [UInt8]
        public var priority: Int = 0
    }

    /// Where a stream of deliveries has got to: the (priority, seq) of the last one sent.
    public struct DeliveryCursor: Sendable, Comparable {
        public let priority: Int
        public let seq: Int64
        public init(priority: Int, seq: Int64) {
            self.priority = priority
            self.seq = seq
        }
        public static func < (a: DeliveryCursor, b: DeliveryCursor) -> Bool { (a.priority, a.seq) < (b.priority, b.seq) }
    }

    /// A stream's next deliveries, and the mailbox entries its reader may no
    /// longer see (to be removed by the writer: `withdrawDeliveries`).
    public struct StreamPage: Sendable {
        public var deliveries: [Delivery] = []
        public var withdrawn: [Int64] = []
        /// The read stopped at `limit` or at `bytes`: more may be waiting.
        public var more = false
    }

    /// The next deliveries of a stream (`ilo watch`): first any more urgent than
    /// `cursor` that arrived since (skipping those in flight), then those after
    /// `cursor`. Reading on from the cursor avoids re-reading what is in flight.
    /// At most `limit` of them, whose documents together fit in `bytes` (the
    /// first always does): the room left in the subscriber's window, so that
    /// every document read is sent. Only reads: runs on a reader connection.
    public func streamDeliveries(
        for identity: PeerIdentity, disclosure: Disclosure, filter: TopicFilter?, limit: Int, bytes: Int, after cursor: DeliveryCursor,
        skipping: Set<Int64>
    ) throws(SQLiteError) -> StreamPage {
        var page = StreamPage()
        var budget = bytes
        var taken = 0
        var full = false
        let fits: (Int, Bool) -> Bool = { size, _ in
            guard taken == 0 || size <= budget else {
                full = true
                return false
            }
            budget -= size
            taken += 1
            return true
        }
        page.deliveries = try deliveries(
            for: identity, disclosure: disclosure, filter: filter, limit: limit, skipping: skipping, pending: .unconfirmed,
            condition: "d.priority < ?", arguments: [Int64(cursor.priority)], withdrawn: &page.withdrawn, fits: fits)
        guard page.deliveries.count < limit, !full else {
            page.more = true
            return page
        }
        page.deliveries += try deliveries(
            for: identity, disclosure: disclosure, filter: filter, limit: limit - page.deliveries.count, skipping: [], pending: .unconfirmed,
            condition: "(d.priority > ? OR (d.priority = ? AND d.report_seq > ?))",
            arguments: [Int64(cursor.priority), Int64(cursor.priority), cursor.seq], withdrawn: &page.withdrawn, fits: fits)
        page.more = full || page.deliveries.count == limit
        return page
    }

    /// Removes from `identity`'s mailbox the entries a stream found it may no
    /// longer see (`StreamPage.withdrawn`). A restricted report's entry stays.
    public func withdrawDeliveries(_ seqs: [Int64], for identity: String) throws(SQLiteError) {
        let remove = try database.cached("DELETE FROM deliveries WHERE identity = ? AND report_seq = ?")
        for seq in seqs {
            remove.bind(1, identity)
            remove.bind(2, seq)
            try remove.run()
        }
    }

    /// One inbox read (FETCH): at most `limit` deliveries whose documents
    /// together fit in `bytes` (the first always does), and whether more wait.
    /// Only the documents that fit are read from the store: a FETCH of 500
    /// large reports costs one frame's memory, not 500 reports' (issue 27).
    public func inboxPage(
        for identity: PeerIdentity, disclosure: Disclosure, limit: Int, bytes: Int, notices: NoticeSelection
    ) throws(SQLiteError) -> (deliveries: [Delivery], more: Bool) {
        var budget = bytes
        var full = false
        var withdrawn: [Int64] = []
        let found = try deliveries(
            for: identity, disclosure: disclosure, filter: nil, limit: limit + 1, skipping: [], pending: .unread, condition: notices.condition, arguments: [],
            withdrawn: &withdrawn,
            fits: { size, first in
                let cost = size + 48  // the entry's own members: {"seq":…,"report":…}
                guard first || cost <= budget else {
                    full = true
                    return false
                }
                budget -= cost
                return true
            })
        try withdrawDeliveries(withdrawn, for: identity.id)
        return (Array(found.prefix(limit)), full || found.count > limit)
    }

    /// Which deliveries an inbox read takes: notices about the reader's own
    /// reports are `ilo sent`'s, and the inbox leaves them out unless asked.
    public enum NoticeSelection: Sendable {
        case included, excluded, only

        var condition: String {
            switch self {
            case .included: "1"
            // A recall (a recipient told of an order about a report it had) is read in the inbox;
            // the other notices are about the reader's own reports (ilo sent).
            case .excluded: "(r.kind <> 'notice' OR r.topic GLOB 'notice/*/recalled')"
            case .only: "(r.kind = 'notice' AND r.topic NOT GLOB 'notice/*/recalled')"
            }
        }
    }

    /// Which deliveries are still pending: for a machine consumer's stream
    /// (WATCH), those it has not confirmed; for a person's inbox, those not read.
    enum Pending {
        case unconfirmed, unread

        var condition: String { self == .unconfirmed ? "d.confirmed_ms IS NULL" : "d.read_ms IS NULL" }
    }

    /// - Parameter withdrawn: gets the entries whose report the reader may no
    ///   longer see and that are not restricted (`withdrawDeliveries`).
    /// - Parameter fits: asked with each allowed delivery's document size (and
    ///   whether it would be the first): false stops the list there.
    private func deliveries(
        for identity: PeerIdentity, disclosure: Disclosure, filter: TopicFilter?, limit: Int, skipping: Set<Int64>, pending: Pending,
        condition: String, arguments: [Int64], withdrawn: inout [Int64], fits: ((Int, Bool) -> Bool)? = nil
    ) throws(SQLiteError) -> [Delivery] {
        // length() of a blob reads no content: the documents themselves are read once chosen.
        let statement = try database.cached(
            """
            SELECT d.report_seq, r.id, length(r.document), d.priority, \(ReportStore.disclosureColumns) FROM deliveries d JOIN reports r ON r.seq = d.report_seq
            WHERE d.identity = ? AND \(pending.condition) AND \(condition) ORDER BY d.priority, d.report_seq LIMIT ?
            """)
        statement.bind(1, identity.id)
        for (i, argument) in arguments.enumerated() { statement.bind(Int32(2 + i), argument) }
        statement.bind(Int32(2 + arguments.count), Int64(limit + skipping.count + 64))
        var result: [Delivery] = []
        var sealed: Set<Int64> = []
        while try statement.step() {
            let seq = statement.int(0)
            if skipping.contains(seq) { continue }
            let facts = ReportStore.disclosureFacts(statement, at: 4)
            if facts.personalData != nil && facts.originOfficer != identity.id { sealed.insert(seq) }
            if let filter, !filter.matches(facts.topic) { continue }
            guard disclosure.decide(facts, for: identity).allowed else {
                // A restricted report stays in the mailbox, unseen, until the restriction is lifted.
                if !facts.restricted { withdrawn.append(seq) }
                continue
            }
            if let fits, !fits(Int(statement.int(2)), result.isEmpty) { break }
            result.append(Delivery(seq: seq, id: statement.text(1), document: [], priority: Int(statement.int(3))))
            if result.count == limit { break }
        }
        statement.reset()
        let document = try database.cached("SELECT document FROM reports WHERE seq = ?")
        for index in result.indices {
            document.bind(1, result[index].seq)
            if try document.step() {
                let bytes = document.blob(0)
                result[index].document = sealed.contains(result[index].seq) ? ReadReason.seal(bytes) : bytes
            }
            document.reset()
        }
        return result
    }

    /// A machine consumer has these reports (CONFIRM): they leave its stream,
    /// and count as read in the reader's mailbox. Returns how many were pending.
    public func confirm(_ ids: [String], for identity: String, now: Int64) throws(SQLiteError) -> Int {
        let statement = try database.cached(
            """
            UPDATE deliveries SET confirmed_ms = ?1, read_ms = COALESCE(read_ms, ?1) WHERE identity = ?2 AND confirmed_ms IS NULL
              AND report_seq = (SELECT seq FROM reports WHERE id = ?3)
            """)
        return try updateDeliveries(statement, ids, for: identity, now: now, audited: nil)
    }

    /// Runs `statement` (?1 now, ?2 the identity, ?3 a report id) for each id;
    /// audits each change as a delivery (with `audited` as detail). Returns the changes.
    func updateDeliveries(_ statement: SQLiteStatement, _ ids: [String], for identity: String, now: Int64, audited: String?, audit: Bool = true) throws(SQLiteError) -> Int {
        var count = 0
        for id in ids {
            statement.bind(1, now)
            statement.bind(2, identity)
            statement.bind(3, id)
            try statement.run()
            if database.changes > 0 {
                count += database.changes
                if audit { try self.audit(.deliver, report: id, actor: nodeName, counterpart: identity, detail: audited, now: now) }
            }
        }
        return count
    }

    /// What reading one report gave.
    public enum Read: Sendable {
        case found(StoredReport)
        /// Not held, or withheld by the disclosure decision: the same to the reader.
        case notFound
        /// It carries personal data of this category, and no reason was given (docs/ACCESS.md §1.3).
        case reasonRequired(category: String)
        /// The reader's role reads no report content (admin, dpo, node): said plainly, as
        /// these roles see report ids in the audit trail anyway.
        case contentless
    }

    /// Report `id`, if the disclosure decision lets `identity` read it now
    /// (whether or not it was ever delivered to it). A report with personal
    /// data is read by anyone but its author with a `reason`, which the `read`
    /// audit record keeps (LED Art. 25: the justification of a consultation).
    /// A read is audited.
    /// - Parameters:
    ///   - attachment: the read is of the report's file N (its audit record says so).
    ///   - audited: false for the further pieces of one download: one read, one record.
    public func report(
        id: String, for identity: PeerIdentity, disclosure: Disclosure, reason: String? = nil, attachment: Int? = nil, audited: Bool = true
    ) throws(SQLiteError) -> Read {
        let statement = try database.cached(
            "SELECT r.seq, r.id, r.document, \(ReportStore.disclosureColumns) FROM reports r WHERE r.id = ?")
        statement.bind(1, id)
        guard try statement.step() else { return .notFound }
        let found = StoredReport(seq: statement.int(0), id: statement.text(1), document: statement.blob(2))
        let facts = ReportStore.disclosureFacts(statement, at: 3)
        let verdict = disclosure.decide(facts, for: identity)
        try statement.step()
        guard verdict.allowed else {
            let system = facts.kind?.isSystem ?? false
            return Disclosure.contentlessRoles.contains(identity.role) && !system && facts.kind != .deployment ? .contentless : .notFound
        }
        if let category = facts.personalData, facts.originOfficer != identity.id, reason == nil { return .reasonRequired(category: category) }
        if audited {
            let detail = [attachment.map { "attachment \($0)" }, reason.map { "reason: \($0)" }].compactMap { $0 }.joined(separator: "; ")
            try audit(.read, report: id, actor: identity.id, detail: detail.isEmpty ? nil : detail, now: disclosure.now)
        }
        return .found(found)
    }

    /// The follow-ups of report `id` that `identity` may read now, oldest first.
    public func followUps(of id: String, for identity: PeerIdentity, disclosure: Disclosure) throws(SQLiteError) -> [FollowUp] {
        let statement = try database.cached(
            """
            SELECT r.id, r.headline, r.created_ms, \(ReportStore.disclosureColumns) FROM reports r WHERE r.follow_up_of = ?
            ORDER BY r.created_ms, r.seq LIMIT 1000
            """)
        statement.bind(1, id)
        var result: [FollowUp] = []
        while try statement.step() {
            guard disclosure.decide(ReportStore.disclosureFacts(statement, at: 3), for: identity).allowed else { continue }
            result.append(FollowUp(id: statement.text(0), headline: statement.text(1), createdMilliseconds: statement.int(2)))
        }
        return result
    }
}
