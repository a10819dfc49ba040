/// A report as the store holds it, with its arrival sequence number.
public struct StoredReport: Sendable {
    public let seq: Int64
    public let id: String
    public let document: [UInt8]
}

public enum InsertOutcome: Sendable, Equatable {
    case stored(seq: Int64)
    /// The id was already in the store: acknowledged again, not stored twice.
    case duplicate
}

/// Who may read what from an inbox in this first slice. Routing and subscriptions
/// (later issues) replace it; the rule is documented in docs/PROTOCOL.md.
public struct InboxScope: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Board members and administrators read every report.
        case everything
        /// Officers read reports about the countries they are posted to.
        case countries([String])
        /// Authorities read their own member state's officers' reports.
        case memberState(String)
        case nothing
    }

    public let reader: String
    public let kind: Kind

    public init(reader: String, kind: Kind) {
        self.reader = reader
        self.kind = kind
    }

    /// A SQL condition selecting the reports (not notices) the reader may see,
    /// with its arguments.
    var sqlFilter: (String, [String]) {
        switch kind {
        case .nothing: ("0", [])
        case .everything: ("1", [])
        case .memberState(let state): ("origin_state = ?", [state])
        case .countries(let countries):
            ("country IN (\(Array(repeating: "?", count: countries.count).joined(separator: ",")))", countries)
        }
    }

    /// Everything the reader may see: its own reports, notices addressed to it,
    /// and the reports its scope covers. Arguments: reader, reader, then the scope's.
    var visibility: (String, [String]) {
        let (filter, arguments) = sqlFilter
        return ("(origin_officer = ? OR recipient = ? OR (kind != 'notice' AND (\(filter))))", [reader, reader] + arguments)
    }

    public init(_ identity: PeerIdentity) {
        let kind: Kind
        switch identity.role {
        case .board, .admin: kind = .everything
        case .officer: kind = identity.posts.isEmpty ? .nothing : .countries(identity.posts)
        case .authority: kind = .memberState(identity.memberState)
        case .node: kind = .nothing
        }
        self.init(reader: identity.id, kind: kind)
    }
}

extension ReportStore {
    public func insert(_ report: Report, document: [UInt8], receivedMilliseconds: Int64) throws(SQLiteError) -> InsertOutcome {
        let statement = try database.cached(
            """
            INSERT INTO reports (id, kind, country, priority, origin_officer, origin_authority, origin_state,
                                 created_ms, received_ms, document, headline, handling, data_class, topic,
                                 expires_ms, follow_up_of)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
            """)
        statement.bind(1, report.id.description)
        statement.bind(2, report.kind.rawValue)
        statement.bind(3, report.country)
        statement.bind(4, Int64(report.priority.rank))
        statement.bind(5, report.origin.officer)
        statement.bind(6, report.origin.authority)
        statement.bind(7, report.origin.state)
        statement.bind(8, report.createdMilliseconds)
        statement.bind(9, receivedMilliseconds)
        statement.bind(10, document)
        statement.bind(11, report.headline)
        statement.bind(12, report.handling.rawValue)
        statement.bind(13, report.dataClass.rawValue)
        statement.bind(14, report.topic)
        statement.bind(15, report.expiresMilliseconds)
        if let followUp = report.followUpOf { statement.bind(16, followUp.description) } else { statement.bindNull(16) }
        try statement.run()
        return database.changes == 0 ? .duplicate : .stored(seq: database.lastInsertRowID)
    }

    /// The report with this id, if `scope`'s reader may see it (or sent it).
    public func report(id: String, scope: InboxScope) throws(SQLiteError) -> StoredReport? {
        let (visible, arguments) = scope.visibility
        let statement = try database.cached("SELECT seq, id, document FROM reports WHERE id = ? AND \(visible)")
        statement.bind(1, id)
        for (i, argument) in arguments.enumerated() { statement.bind(Int32(2 + i), argument) }
        guard try statement.step() else { return nil }
        return StoredReport(seq: statement.int(0), id: statement.text(1), document: statement.blob(2))
    }

    /// A follow-up as listed under the report it follows.
    public struct FollowUp: Sendable, Equatable {
        public let id: String
        public let headline: String
        public let createdMilliseconds: Int64
    }

    /// The follow-ups of report `id` that `scope`'s reader may see, oldest first.
    public func followUps(of id: String, scope: InboxScope) throws(SQLiteError) -> [FollowUp] {
        let (visible, arguments) = scope.visibility
        let statement = try database.cached(
            "SELECT id, headline, created_ms FROM reports WHERE follow_up_of = ? AND \(visible) ORDER BY created_ms, seq LIMIT 1000")
        statement.bind(1, id)
        for (i, argument) in arguments.enumerated() { statement.bind(Int32(2 + i), argument) }
        var result: [FollowUp] = []
        while try statement.step() {
            result.append(FollowUp(id: statement.text(0), headline: statement.text(1), createdMilliseconds: statement.int(2)))
        }
        return result
    }

    public var reportCount: Int64 { (try? database.scalarInt("SELECT count(*) FROM reports")) ?? 0 }

    /// Up to `limit` reports in `scope` that its reader has not confirmed yet,
    /// oldest first, never the reader's own; notices addressed to the reader.
    public func inbox(_ scope: InboxScope, limit: Int) throws(SQLiteError) -> [StoredReport] {
        let cursor = try inboxCursor(scope.reader)
        let (filter, arguments) = scope.sqlFilter
        // Not the reader's own reports; notices only to their recipient.
        let statement = try database.cached(
            """
            SELECT seq, id, document FROM reports
            WHERE seq > ? AND ((origin_officer != ? AND kind != 'notice' AND (\(filter))) OR recipient = ?)
            ORDER BY seq LIMIT ?
            """)
        statement.bind(1, cursor)
        statement.bind(2, scope.reader)
        for (i, argument) in arguments.enumerated() { statement.bind(Int32(3 + i), argument) }
        statement.bind(Int32(3 + arguments.count), scope.reader)
        statement.bind(Int32(4 + arguments.count), Int64(limit))
        var result: [StoredReport] = []
        while try statement.step() {
            result.append(StoredReport(seq: statement.int(0), id: statement.text(1), document: statement.blob(2)))
        }
        return result
    }

    public func inboxCursor(_ reader: String) throws(SQLiteError) -> Int64 {
        let statement = try database.cached("SELECT through_seq FROM inbox_cursors WHERE identity = ?")
        statement.bind(1, reader)
        return try statement.step() ? statement.int(0) : 0
    }

    /// Records that `reader` has everything up to `seq`. Never moves a cursor back.
    public func confirmInbox(_ reader: String, through seq: Int64) throws(SQLiteError) {
        let statement = try database.cached(
            """
            INSERT INTO inbox_cursors (identity, through_seq) VALUES (?, ?)
            ON CONFLICT (identity) DO UPDATE SET through_seq = max(through_seq, excluded.through_seq)
            """)
        statement.bind(1, reader)
        statement.bind(2, seq)
        try statement.run()
    }
}
