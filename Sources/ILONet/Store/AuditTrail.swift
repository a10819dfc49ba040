/// The node's audit trail: one record per thing done to a report — received,
/// forwarded, delivered, read, held, released, deleted, expired, erased — with
/// who, to or from whom and when; never the report's content.
///
/// Records are hash-chained: each record's hash is SHA-256 over the previous
/// record's hash and this record's fields, so changing or deleting a record
/// breaks every hash after it. Removing records from the end is detectable only
/// against a head recorded elsewhere: `ilo audit verify` prints the head, and
/// the node logs it at start-up.
///
/// Records are written in the same transaction as what they record.
public enum AuditEvent: String, Sendable, CaseIterable {
    case receive, forward, deliver, read, hold, release, delete, flush, retry, expire
    case deadLetter = "dead-letter"
    case erase
    case quarantine
    /// A consent to pass an H2 report on was asked for, granted or refused
    /// (docs/REPORTS.md §5.6): report = the H2 report, actor = who asked or
    /// decided, counterpart = who it would go to, detail = the consent's id.
    case consentRequest = "consent-request"
    case consentGrant = "consent-grant"
    case consentRefuse = "consent-refuse"
    /// An order about a report (docs/REPORTS.md §5.9) was carried out here
    /// (`erase` for an erasure order): actor = who gave it, detail = the
    /// order's id, its ground and the next hops it went on to.
    case withdraw, restrict
    case liftRestriction = "lift-restriction"
    /// A report was erased because its correction arrived (detail: the correction's id).
    case correct
    /// A data-protection officer looked a person up in the subject-access index
    /// (docs/ACCESS.md §9): actor = the officer; detail = the reason, what was
    /// looked up by (never the identifiers) and how many reports matched.
    case subjectLookup = "subject-lookup"
}

public struct AuditRecord: Sendable, Equatable {
    public let seq: Int64
    public let at: Int64
    public let event: String
    public let reportID: String?
    public let actor: String
    public let counterpart: String?
    public let detail: String?
    public let hash: [UInt8]

    /// The bytes the hash covers after the previous hash: every field, each
    /// length-prefixed, so that no two different records encode alike.
    func chainedBytes(previous: [UInt8]) -> [UInt8] {
        // One buffer, no array per field: this runs for every record written
        // (at least one per report received), on the store thread (issue 32).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(
            previous.count + 64 + event.utf8.count + (reportID?.utf8.count ?? 0) + actor.utf8.count + (counterpart?.utf8.count ?? 0)
                + (detail?.utf8.count ?? 0))
        bytes += previous
        // Numbers and lengths are written as `String(_:)` writes them (a small
        // string: no allocation).
        func field(_ utf8: String.UTF8View?) {
            guard let utf8 else { return bytes.append(UInt8(ascii: "-")) }
            bytes += String(utf8.count).utf8
            bytes.append(UInt8(ascii: ":"))
            bytes += utf8
        }
        field(String(seq).utf8)
        field(String(at).utf8)
        field(event.utf8)
        field(reportID?.utf8)
        field(actor.utf8)
        field(counterpart?.utf8)
        field(detail?.utf8)
        return bytes
    }

    static let genesis = [UInt8](repeating: 0, count: 32)

    public init(seq: Int64, at: Int64, event: String, reportID: String?, actor: String, counterpart: String?, detail: String?, hash: [UInt8]) {
        self.seq = seq
        self.at = at
        self.event = event
        self.reportID = reportID
        self.actor = actor
        self.counterpart = counterpart
        self.detail = detail
        self.hash = hash
    }

    /// As AUDIT-RECORDS and `ilo audit --json` write it.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "seq": .integer(seq), "at_ms": .integer(at), "at": .string(Timestamp.format(milliseconds: at)), "event": .string(event),
            "actor": .string(actor), "hash": .string(hash.hexString),
        ]
        if let reportID { object["report"] = .string(reportID) }
        if let counterpart { object["counterpart"] = .string(counterpart) }
        if let detail { object["detail"] = .string(detail) }
        return .object(object)
    }

    /// The record an AUDIT-RECORDS entry describes, or nil if one is malformed.
    public init?(json: JSONValue) {
        guard let seq = json["seq"]?.integerValue, let at = json["at_ms"]?.integerValue, let event = json["event"]?.stringValue,
            let actor = json["actor"]?.stringValue, let hex = json["hash"]?.stringValue, let hash = [UInt8](hex: hex)
        else { return nil }
        self.init(
            seq: seq, at: at, event: event, reportID: json["report"]?.stringValue, actor: actor, counterpart: json["counterpart"]?.stringValue,
            detail: json["detail"]?.stringValue, hash: hash)
    }
}

/// Checks a trail fed record by record, oldest first: from the store, or from
/// pages read over the network by a data-protection officer (`ilo audit verify --node`).
public struct AuditChainCheck: Sendable {
    private var previous = AuditRecord.genesis
    private var expectedSeq: Int64 = 1
    private var count = 0
    private var head: AuditRecord?
    private var broken: (seq: Int64, reason: String)?

    public init() {}

    /// False once the chain is broken (later records are not looked at).
    public mutating func add(_ r: AuditRecord) -> Bool {
        guard broken == nil else { return false }
        count += 1
        if r.seq != expectedSeq {
            broken = (r.seq, "record \(expectedSeq) is missing (next found: \(r.seq))")
            return false
        }
        guard sha256(r.chainedBytes(previous: previous)) == r.hash else {
            broken = (r.seq, "record \(r.seq) does not match its hash: it, or the one before, was altered")
            return false
        }
        previous = r.hash
        expectedSeq += 1
        head = r
        return true
    }

    public var result: AuditVerification { AuditVerification(records: count, head: head, broken: broken) }
}

/// What `ilo audit verify` found.
public struct AuditVerification: Sendable {
    public let records: Int
    public let head: AuditRecord?
    /// The first record whose hash does not follow from the one before, and why.
    public let broken: (seq: Int64, reason: String)?
}

extension ReportStore {
    /// Appends a record, chained to the last one. Inside the caller's transaction.
    public func audit(
        _ event: AuditEvent, report: String?, actor: String, counterpart: String? = nil, detail: String? = nil, now: Int64
    ) throws(SQLiteError) {
        // The chain's head stays in memory between records (issue 32); resetCaches()
        // forgets it after any rollback, and the next record reads it again.
        var seq: Int64 = 1
        var previous = AuditRecord.genesis
        if let head = auditChainHead {
            (seq, previous) = (head.seq + 1, head.hash)
        } else {
            let last = try database.cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
            if try last.step() {
                seq = last.int(0) + 1
                previous = last.blob(1)
                try last.step()
            }
        }
        let unhashed = AuditRecord(
            seq: seq, at: now, event: event.rawValue, reportID: report, actor: actor, counterpart: counterpart, detail: detail, hash: [])
        let hash = sha256(unhashed.chainedBytes(previous: previous))
        let insert = try database.cached(
            "INSERT INTO audit (seq, at_ms, event, report_id, actor, counterpart, detail, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        insert.bind(1, seq)
        insert.bind(2, now)
        insert.bind(3, event.rawValue)
        if let report { insert.bind(4, report) } else { insert.bindNull(4) }
        insert.bind(5, actor)
        if let counterpart { insert.bind(6, counterpart) } else { insert.bindNull(6) }
        if let detail { insert.bind(7, detail) } else { insert.bindNull(7) }
        insert.bind(8, hash)
        try insert.run()
        auditChainHead = (seq, hash)
    }

    /// The last record, or nil when the trail is empty.
    public func auditHead() throws(SQLiteError) -> AuditRecord? {
        try AuditReader(database: database).head()
    }

    /// The id of the report stored as `seq`.
    func reportID(seq: Int64) throws(SQLiteError) -> String? {
        let statement = try database.cached("SELECT id FROM reports WHERE seq = ?")
        statement.bind(1, seq)
        guard try statement.step() else { return nil }
        let id = statement.text(0)
        try statement.step()
        return id
    }
}

/// Reading and checking the trail, from any connection to the store (also a
/// read-only one opened by `ilo audit` while the node runs).
public struct AuditReader {
    let database: SQLiteDatabase

    public init(database: SQLiteDatabase) { self.database = database }

    private static let columns = "seq, at_ms, event, report_id, actor, counterpart, detail, hash"

    private func record(_ s: SQLiteStatement) -> AuditRecord {
        AuditRecord(
            seq: s.int(0), at: s.int(1), event: s.text(2), reportID: s.isNull(3) ? nil : s.text(3), actor: s.text(4),
            counterpart: s.isNull(5) ? nil : s.text(5), detail: s.isNull(6) ? nil : s.text(6), hash: s.blob(7))
    }

    /// Recomputes every hash from the first record on.
    public func verify() throws(SQLiteError) -> AuditVerification {
        let statement = try database.cached("SELECT \(AuditReader.columns) FROM audit ORDER BY seq")
        var chain = AuditChainCheck()
        while try statement.step() {
            guard chain.add(record(statement)) else {
                statement.reset()
                break
            }
        }
        return chain.result
    }

    /// Records in order after `seq`, optionally only one event or one report's.
    public func records(after seq: Int64, event: String? = nil, report: String? = nil, limit: Int) throws(SQLiteError) -> [AuditRecord] {
        var conditions = ["seq > ?"]
        if event != nil { conditions.append("event = ?") }
        if report != nil { conditions.append("report_id = ?") }
        let statement = try database.cached(
            "SELECT \(AuditReader.columns) FROM audit WHERE \(conditions.joined(separator: " AND ")) ORDER BY seq LIMIT ?")
        var index: Int32 = 1
        statement.bind(index, seq)
        for value in [event, report].compactMap({ $0 }) {
            index += 1
            statement.bind(index, value)
        }
        statement.bind(index + 1, Int64(limit))
        var out: [AuditRecord] = []
        while try statement.step() { out.append(record(statement)) }
        return out
    }

    public func head() throws(SQLiteError) -> AuditRecord? {
        let statement = try database.cached("SELECT \(AuditReader.columns) FROM audit ORDER BY seq DESC LIMIT 1")
        guard try statement.step() else { return nil }
        let found = record(statement)
        statement.reset()
        return found
    }

    /// Every record about one report, oldest first.
    public func records(report id: String) throws(SQLiteError) -> [AuditRecord] {
        let statement = try database.cached("SELECT \(AuditReader.columns) FROM audit WHERE report_id = ? ORDER BY seq")
        statement.bind(1, id)
        var out: [AuditRecord] = []
        while try statement.step() { out.append(record(statement)) }
        return out
    }
}
