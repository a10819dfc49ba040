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

extension ReportStore {
    /// Stores `report` (not yet queued or delivered). `path`: the nodes it passed,
    /// this one last; `recipient`: a notice's officer.
    public func insert(
        _ report: Report, document: [UInt8], receivedMilliseconds: Int64, path: [String] = [], recipient: String? = nil
    ) throws(SQLiteError) -> InsertOutcome {
        let statement = try database.cached(
            """
            INSERT INTO reports (id, kind, country, priority, origin_officer, origin_authority, origin_state,
                                 created_ms, received_ms, document, headline, handling, data_class, topic,
                                 expires_ms, follow_up_of, erase_at_ms, addressees, purpose, content_hash, corrects, event_id,
                                 path, recipient)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
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
        statement.bind(13, report.carriesPersonalData ? "personal" : "none")
        statement.bind(14, report.topic)
        statement.bind(15, report.expiresMilliseconds)
        if let followUp = report.followUpOf { statement.bind(16, followUp.description) } else { statement.bindNull(16) }
        if let eraseAt = report.eraseByMilliseconds { statement.bind(17, eraseAt) } else { statement.bindNull(17) }
        statement.bind(18, JSONValue.array(report.addressees.map { .string($0) }).encodedString())
        if let category = report.personalData { statement.bind(19, category.rawValue) } else { statement.bindNull(19) }
        // Every caller passes the report's canonical encoding: for an unsigned
        // report those are the bytes a signature would cover, so they need no
        // second encoding here, on the one store thread.
        statement.bind(20, report.signature == nil ? sha256(document) : report.contentHash)
        if let corrects = report.corrects { statement.bind(21, corrects.description) } else { statement.bindNull(21) }
        let event = try eventID(of: report)
        if let event { statement.bind(22, event) } else { statement.bindNull(22) }
        statement.bind(23, JSONValue.array(path.map { .string($0) }).encodedString())
        if let recipient { statement.bind(24, recipient) } else { statement.bindNull(24) }
        try statement.run()
        guard database.changes > 0 else { return .duplicate }
        let seq = database.lastInsertRowID
        if report.kind.isContent {
            try count(report)  // the search index follows within 0.2 s (SearchIndexer)
            if report.carriesPersonalData { try indexSubjects(of: report, seq: seq) }
            if report.followUpOf == nil, report.corrects == nil { try openEvent(report) } else if let event { try applyShares(of: event, to: report, seq: seq) }
        }
        return .stored(seq: seq)
    }

    /// A follow-up as listed under the report it follows.
    public struct FollowUp: Sendable, Equatable {
        public let id: String
        public let headline: String
        public let createdMilliseconds: Int64
    }
}

extension ReportStore {
    /// The columns `disclosureFacts(_:at:)` reads, in its order (alias `r` for `reports`).
    static let disclosureColumns = "r.kind, r.topic, r.handling, r.consented, r.purpose, r.addressees, r.origin_officer, r.expires_ms, r.restricted_ms"
    static let disclosureColumnCount: Int32 = 9

    /// The disclosure facts of a stored report, from `disclosureColumns` starting at column `first`.
    static func disclosureFacts(_ statement: SQLiteStatement, at first: Int32) -> Disclosure.Facts {
        let addressees = (try? JSONValue(parsing: statement.text(first + 5)))?.arrayValue?.compactMap(\.stringValue) ?? []
        let consented = (try? JSONValue(parsing: statement.text(first + 3)))?.arrayValue?.compactMap(\.stringValue) ?? []
        return Disclosure.Facts(
            kind: ReportKind(rawValue: statement.text(first)), topic: statement.text(first + 1),
            handling: HandlingCode(rawValue: statement.text(first + 2)),
            personalData: statement.isNull(first + 4) ? nil : statement.text(first + 4), addressees: addressees, consented: consented,
            originOfficer: statement.text(first + 6), expiresMilliseconds: statement.int(first + 7), restricted: !statement.isNull(first + 8))
    }
}
