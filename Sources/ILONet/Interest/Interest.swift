/// The `interest` kind (docs/ROUTING.md §8): a node's announcement of what the
/// people who read there (their home node, the register's `reads_at`) have
/// subscribed to. It names the node, its topic filters and the address people
/// reach it at — never an identity. Written and signed by the node itself and
/// passed between linked nodes in INTEREST messages (never stored or queued as a
/// report); the highest `sequence` per node is in force, and the announcement
/// replaces the node's previous one whole.
public enum Interest {
    /// At most this many filters per node: a node may announce interest, not fill its peers' memory.
    public static let maximumFilters = 512

    public static let schema = ObjectSchema(
        "interest",
        [
            Field("node", .string(maxLength: 253), required: true, "the announcing node (its certificate's CN): only a node announces for itself"),
            Field(
                "filters", .list(.string(maxLength: 256), minimum: 0, maximum: maximumFilters, unique: true), required: true,
                "the topic filters of the subscriptions held for the people who read at this node (each and digest), without duplicates"),
            Field("address", .string(maxLength: 300), "HOST:PORT where people's ilo reaches this node (node.address), so other nodes can send them home"),
            Field("sequence", .integer(1...Int64.max), required: true, "the node's number for this announcement: the highest is in force"),
        ])

    /// The one headline an announcement has.
    public static func headline(node: String, filters: Int) -> String {
        String("Interest of \(node): \(filters) topic filter\(filters == 1 ? "" : "s")".prefix(200))
    }

    /// An announcement ready to be signed by `node`.
    public static func draft(node: Origin, filters: [String], address: String?, sequence: Int64, now: Int64, lifetime: Double) -> Report? {
        var body: [String: JSONValue] = [
            "node": .string(node.officer), "filters": .array(filters.map { .string($0) }), "sequence": .integer(sequence),
        ]
        if let address { body["address"] = .string(address) }
        let document: JSONValue = [
            "id": .string(ReportID.generate().description),
            "kind": "interest",
            "country": .string(ISOCodes.severalCountries),
            "headline": .string(headline(node: node.officer, filters: filters.count)),
            "created": .string(Timestamp.format(milliseconds: now)),
            "expires": .string(Timestamp.format(milliseconds: now + Int64(lifetime * 1000))),
            "handling": "H0",
            "priority": "priority",
            "body": .object(body),
        ]
        return try? Report.validate(document, sender: node, now: now)
    }

    /// Why an announcement is not one its author may send (nil: it may): it
    /// speaks for another node, names a filter that is not one, or is worded
    /// otherwise than the fixed headline.
    public static func problem(_ report: Report, author: PeerIdentity) -> String? {
        guard author.role == .node else { return "interest is announced by nodes, not by a \(author.role.rawValue)" }
        let body = report.body
        guard body["node"]?.stringValue == author.id, report.origin.officer == author.id else {
            return "body.node: \(author.id) announces interest for its own readers only, not for \(body["node"]?.stringValue ?? "?")"
        }
        let filters = (body["filters"]?.arrayValue ?? []).compactMap(\.stringValue)
        for (index, filter) in filters.enumerated() {
            do throws(TopicFilter.Invalid) { _ = try TopicFilter(filter) } catch { return "body.filters[\(index)]: \(error.reason)" }
        }
        if let address = body["address"]?.stringValue, Endpoint(address) == nil { return "body.address: \"\(address)\" is not HOST:PORT" }
        guard report.headline == headline(node: author.id, filters: filters.count) else {
            return "headline: an announcement's headline is the fixed wording \"\(headline(node: author.id, filters: filters.count))\""
        }
        guard report.addressees.isEmpty, !report.handling.namedAddresseesOnly, !report.carriesPersonalData else {
            return "an announcement goes to every node: no addressees, H0, no personal data"
        }
        return nil
    }
}

/// The interest in force at this node: per announcing node, its filters, the
/// peer its announcement arrived from (the way towards it) and its address.
public struct InterestMap: Sendable {
    public struct Entry: Sendable, Equatable {
        public let node: String
        public let filters: [String]
        /// The peer the announcement came from ("" for this node's own).
        public let via: String
        public let address: String?
        public let sequence: Int64
        public let expiresMilliseconds: Int64
    }

    public let entries: [String: Entry]
    private let trie: TopicTrie

    public init(_ entries: [Entry]) {
        self.entries = Dictionary(entries.map { ($0.node, $0) }, uniquingKeysWith: { a, b in a.sequence >= b.sequence ? a : b })
        var trie = TopicTrie()
        for entry in entries {
            for text in entry.filters {
                if let filter = try? TopicFilter(text) { trie.insert(filter, identity: entry.node) }
            }
        }
        self.trie = trie
    }

    /// The nodes with a filter that matches `topic`.
    public func nodes(interestedIn topic: String) -> Set<String> { trie.subscribers(of: topic) }

    /// The peer to send a report on to, on its way to `node`: the node itself
    /// when it is a configured peer, else the peer its announcement came from.
    /// nil: no way known, or the way back is a node the report has passed.
    public func hop(towards node: String, peers: [String], path: [String], me: String) -> String? {
        guard node != me, !path.contains(node) else { return nil }
        if peers.contains(node) { return node }
        guard let via = entries[node]?.via, !via.isEmpty, via != me, peers.contains(via), !path.contains(via) else { return nil }
        return via
    }
}
