/// Home nodes and interest (docs/ROUTING.md §8): where each identity reads, the
/// interest each node announced, and what this node announces for its own readers.
extension ReportStore {
    /// The interest in force at this node, expired announcements left out.
    public func interestMap(now: Int64) throws(SQLiteError) -> InterestMap {
        if let cached = interestCache { return cached }
        let select = try database.cached("SELECT node, filters, via, address, sequence, expires_ms FROM interest WHERE expires_ms > ?")
        select.bind(1, now)
        var entries: [InterestMap.Entry] = []
        while try select.step() {
            let filters = (try? JSONValue(parsing: select.text(1)))?.arrayValue?.compactMap(\.stringValue) ?? []
            entries.append(
                InterestMap.Entry(
                    node: select.text(0), filters: filters, via: select.text(2), address: select.isNull(3) ? nil : select.text(3),
                    sequence: select.int(4), expiresMilliseconds: select.int(5)))
        }
        let map = InterestMap(entries)
        interestCache = map
        return map
    }

    /// The most nodes whose interest a node keeps: a peer may announce for
    /// nodes, not fill this node's memory with them.
    public static let maximumInterestNodes = 10_000

    /// Applies an announcement (checked and signed) that arrived from `via`
    /// ("" for this node's own): it replaces the node's announcement if
    /// numbered higher. Returns whether it did.
    @discardableResult
    func applyInterest(_ report: Report, document: [UInt8], via: String, now: Int64) throws(SQLiteError) -> Bool {
        guard report.kind == .interest, let node = report.body["node"]?.stringValue, let sequence = report.body["sequence"]?.integerValue else {
            return false
        }
        let map = try interestMap(now: now)
        if let held = map.entries[node], held.sequence >= sequence { return false }
        if map.entries[node] == nil, map.entries.count >= ReportStore.maximumInterestNodes { return false }
        let filters = (report.body["filters"]?.arrayValue ?? []).compactMap(\.stringValue)
        let upsert = try database.cached(
            """
            INSERT INTO interest (node, sequence, entry_id, via, address, filters, expires_ms, document) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (node) DO UPDATE SET sequence = excluded.sequence, entry_id = excluded.entry_id, via = excluded.via,
                address = excluded.address, filters = excluded.filters, expires_ms = excluded.expires_ms, document = excluded.document
            WHERE excluded.sequence > interest.sequence
            """)
        upsert.bind(1, node)
        upsert.bind(2, sequence)
        upsert.bind(3, report.id.description)
        upsert.bind(4, via)
        if let address = report.body["address"]?.stringValue { upsert.bind(5, address) } else { upsert.bindNull(5) }
        upsert.bind(6, JSONValue.array(filters.map { .string($0) }).encodedString())
        upsert.bind(7, report.expiresMilliseconds)
        upsert.bind(8, document)
        try upsert.run()
        let changed = database.changes > 0
        if changed { interestCache = nil }
        return changed
    }

    /// The signed announcements in force, for a peer whose link just came up
    /// (its own left out): the whole table, as a routing protocol sends it.
    public func interestDocuments(except peer: String, now: Int64) throws(SQLiteError) -> [[UInt8]] {
        let select = try database.cached("SELECT document FROM interest WHERE node <> ? AND expires_ms > ? ORDER BY node")
        select.bind(1, peer)
        select.bind(2, now)
        var documents: [[UInt8]] = []
        while try select.step() { documents.append(select.blob(0)) }
        return documents
    }

    /// This node's own announcement in force: its filters, sequence, expiry and address (nil: none yet).
    public func ownInterest() throws(SQLiteError) -> (filters: [String], sequence: Int64, expires: Int64, address: String?)? {
        let select = try database.cached("SELECT filters, sequence, expires_ms, address FROM interest WHERE node = ?")
        select.bind(1, nodeName)
        guard try select.step() else { return nil }
        defer { _ = try? select.step() }
        let filters = (try? JSONValue(parsing: select.text(0)))?.arrayValue?.compactMap(\.stringValue) ?? []
        return (filters, select.int(1), select.int(2), select.isNull(3) ? nil : select.text(3))
    }

    /// The topic filters this node announces: every subscription (each and
    /// digest) held here by an identity whose home this is — the register says
    /// it reads here, or it has no entry in force — sorted, each once.
    public func homeInterestFilters(on day: String) throws(SQLiteError) -> [String] {
        var filters = Set<String>()
        var homeHere: [String: Bool] = [:]
        for subscription in try subscriptionIndex().subscriptions {
            let here: Bool
            if let known = homeHere[subscription.identity] {
                here = known
            } else {
                here = try homeNode(of: subscription.identity, on: day).map { $0 == nodeName } ?? true
                homeHere[subscription.identity] = here
            }
            if here { filters.insert(subscription.filter) }
        }
        return filters.sorted()
    }

    /// The identities whose home is another node by the register today: this
    /// node delivers nothing to them (their home node does). Kept until the
    /// register or the subscriptions change.
    func awayIdentities(now: Int64) throws(SQLiteError) -> Set<String> {
        if let cached = awayCache { return cached }
        let day = String(Timestamp.format(milliseconds: now).prefix(10))
        let away = Set(try registerEntries().filter { $0.isInForce(on: day) && $0.readsAt != nodeName }.map(\.identity))
        awayCache = away
        return away
    }

    /// Where `identity` reads by the register on `day` (nil: no entry in force).
    public func homeNode(of identity: String, on day: String) throws(SQLiteError) -> String? {
        guard let entry = try registerEntry(identity), entry.isInForce(on: day) else { return nil }
        return entry.readsAt
    }

    /// The home nodes of `names` (identities, or `authority:CODE` for every
    /// person of that authority in the register) on `day`: node → why.
    public func homeNodes(of names: [String], on day: String) throws(SQLiteError) -> [String: String] {
        guard !names.isEmpty else { return [:] }
        var nodes: [String: String] = [:]
        let authorities = Set(names.filter { $0.hasPrefix("authority:") }.map { String($0.dropFirst("authority:".count)) })
        if !authorities.isEmpty {
            for entry in try registerEntries() where authorities.contains(entry.authority) && entry.isInForce(on: day) {
                nodes[entry.readsAt] = nodes[entry.readsAt] ?? "authority:\(entry.authority) reads at \(entry.readsAt) (\(entry.identity))"
            }
        }
        for name in names where !name.hasPrefix("authority:") {
            if let home = try homeNode(of: name, on: day) { nodes[home] = nodes[home] ?? "\(name) reads at \(home)" }
        }
        return nodes
    }

    /// The home nodes a report should reach (node → why): where its
    /// addressees and `consented` read; for an H0/H1 report without personal
    /// data also where the contact points of the states it is on behalf of
    /// read, and every node whose readers subscribed to its topic.
    public func readerHomes(
        addressees: [String], consented: [String] = [], representing states: Set<String>, topic: String?, on day: String, now: Int64
    ) throws(SQLiteError) -> [String: String] {
        var homes = try homeNodes(of: addressees + consented, on: day)
        for (node, why) in try registerReaders(authorities: [], states: states, on: day) where homes[node] == nil { homes[node] = why }
        if let topic {
            let interest = try interestMap(now: now)
            for node in interest.nodes(interestedIn: topic) where homes[node] == nil {
                homes[node] = "interest: readers at \(node) subscribed to \(topic)"
            }
        }
        homes[nodeName] = nil
        return homes
    }

    /// Records that consent `consentID` about `about` waits here for its report.
    func holdPendingConsent(_ consentID: String, about: String) throws(SQLiteError) {
        let insert = try database.cached("INSERT OR IGNORE INTO pending_consents (about, consent_id) VALUES (?, ?)")
        insert.bind(1, about)
        insert.bind(2, consentID)
        try insert.run()
    }

    /// The consents that waited here for report `about`, oldest first; they no longer wait.
    func takePendingConsents(about: String) throws(SQLiteError) -> [Report] {
        let select = try database.cached(
            """
            SELECT r.document, r.origin_officer, r.origin_authority, r.origin_state FROM pending_consents p JOIN reports r ON r.id = p.consent_id
            WHERE p.about = ? ORDER BY r.created_ms, r.seq
            """)
        select.bind(1, about)
        var consents: [Report] = []
        while try select.step() {
            let origin = Origin(officer: select.text(1), authority: select.text(2), state: select.text(3))
            if let value = try? JSONValue(parsing: select.blob(0)), let consent = try? Report.validate(value, sender: origin, screening: false) {
                consents.append(consent)
            }
        }
        let delete = try database.cached("DELETE FROM pending_consents WHERE about = ?")
        delete.bind(1, about)
        try delete.run()
        return consents
    }
}
