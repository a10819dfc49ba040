/// Events (docs/REPORTS.md §5.10; Implementing Regulation (EU) 2021/581 Art. 9
/// and 17): which event each report belongs to, each event's state at this
/// node, the `event` reports that change it, and the ledger's event counts —
/// all in the transaction of the report that changes them.
extension ReportStore {
    /// An event as this node holds it.
    public struct Event: Sendable, Equatable {
        public enum Status: String, Sendable { case open, closed }
        public let id: String
        public let kind: String
        public let country: String
        public var owner: String
        public let firstAuthor: String
        public let firstState: String
        /// When it happened (the first report's `body.time`), if stated.
        public let timeMilliseconds: Int64?
        public let createdMilliseconds: Int64
        /// The first report's own impact.
        public let firstImpact: String?
        public var assessedImpact: String?
        public var validation: String?
        public var status: Status
        public var closeReason: String?
        public var note: String?
        public var updatedMilliseconds: Int64

        /// The owner's latest impact, else the first report's.
        public var impact: String? { assessedImpact ?? firstImpact }

        /// The first report came more than 24 hours after the event (2021/581 Art. 9(3)).
        public var late: Bool { timeMilliseconds.map { createdMilliseconds - $0 > Event.firstReportWithin } ?? false }
        public static let firstReportWithin: Int64 = 24 * 3_600_000
    }

    /// The event `report` belongs to: its own id for a first report, the event
    /// of the report it follows up (or that report's id, when it is not held
    /// here), the event an `event` report is about; nil for other kinds.
    func eventID(of report: Report) throws(SQLiteError) -> String? {
        if report.kind == .event { return report.body["about"]?.stringValue }
        guard report.kind.isContent else { return nil }
        if let corrected = report.corrects?.description {
            // A correction takes the place of the report it corrects, in its event.
            return try heldEventID(of: corrected) ?? report.followUpOf?.description ?? report.id.description
        }
        guard let followed = report.followUpOf?.description else { return report.id.description }
        return try heldEventID(of: followed) ?? followed
    }

    /// The event of held report `id` (nil: not held, or not a report of an event).
    public func heldEventID(of id: String) throws(SQLiteError) -> String? {
        let statement = try database.cached("SELECT event_id FROM reports WHERE id = ?")
        statement.bind(1, id)
        guard try statement.step(), !statement.isNull(0) else { return nil }
        let event = statement.text(0)
        try statement.step()
        return event
    }

    /// A first report opens its event here (in `insert`'s transaction), counted
    /// in the ledger; `event` reports that came before it apply now, in order.
    func openEvent(_ report: Report) throws(SQLiteError) {
        let time = report.body["time"]?.stringValue.flatMap(Timestamp.parse)
        let impact = report.body["impact"]?.stringValue
        let insert = try database.cached(
            """
            INSERT INTO events (id, kind, country, owner, first_author, first_state, time_ms, created_ms, impact, updated_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
            """)
        insert.bind(1, report.id.description)
        insert.bind(2, report.kind.rawValue)
        insert.bind(3, report.country)
        insert.bind(4, report.origin.authority)
        insert.bind(5, report.origin.officer)
        insert.bind(6, report.origin.state)
        if let time { insert.bind(7, time) } else { insert.bindNull(7) }
        insert.bind(8, report.createdMilliseconds)
        if let impact { insert.bind(9, impact) } else { insert.bindNull(9) }
        insert.bind(10, report.createdMilliseconds)
        try insert.run()
        guard database.changes > 0 else { return }
        let late = time.map { report.createdMilliseconds - $0 > Event.firstReportWithin } ?? false
        // The ledger breaks events down by day, kind, country and impact: only those
        // whose first report it breaks down too (no personal data, H0 or H1; docs/REPORTS.md §9).
        if !report.carriesPersonalData && !report.handling.namedAddresseesOnly {
            try countEvent(
                day: report.createdMilliseconds, kind: report.kind.rawValue, country: report.country, impact: impact, opened: 1, late: late ? 1 : 0)
        }
        // Actions that reached this node before the event's first report.
        let pending = try database.cached("SELECT document FROM reports WHERE kind = 'event' AND event_id = ? ORDER BY created_ms, seq")
        pending.bind(1, report.id.description)
        var actions: [Report] = []
        while try pending.step() {
            if let value = try? JSONValue(parsing: pending.blob(0)), let origin = Origin(claimedIn: value),
                let action = try? Report.validate(value, sender: origin, screening: false)
            {
                actions.append(action)
            }
        }
        for action in actions { try applyEventAction(action) }
    }

    /// Event `id` as held here.
    public func event(_ id: String) throws(SQLiteError) -> Event? {
        let statement = try database.cached(
            """
            SELECT id, kind, country, owner, first_author, first_state, time_ms, created_ms, impact, assessed_impact, validation, status,
                   close_reason, note, updated_ms FROM events WHERE id = ?
            """)
        statement.bind(1, id)
        guard try statement.step() else { return nil }
        let event = ReportStore.event(statement)
        try statement.step()
        return event
    }

    static func event(_ row: SQLiteStatement) -> Event {
        func optional(_ column: Int32) -> String? { row.isNull(column) ? nil : row.text(column) }
        return Event(
            id: row.text(0), kind: row.text(1), country: row.text(2), owner: row.text(3), firstAuthor: row.text(4), firstState: row.text(5),
            timeMilliseconds: row.isNull(6) ? nil : row.int(6), createdMilliseconds: row.int(7), firstImpact: optional(8), assessedImpact: optional(9),
            validation: optional(10), status: Event.Status(rawValue: row.text(11)) ?? .open, closeReason: optional(12), note: optional(13),
            updatedMilliseconds: row.int(14))
    }

    /// Applies `action` (a validated `event` report) to its event, if held here
    /// and the action is not older than the event's latest: actions that cross
    /// on the way apply in the order their owners wrote them. Returns whether it changed the event.
    @discardableResult
    func applyEventAction(_ action: Report) throws(SQLiteError) -> Bool {
        guard let parts = EventAction.parts(action), var event = try event(parts.about) else { return false }
        // A share adds a reader, whenever it comes; the other actions apply in the order they were written.
        if parts.action == .share, let reader = parts.to {
            try share(event.id, with: reader)
            return true
        }
        guard action.createdMilliseconds >= event.updatedMilliseconds else { return false }
        let before = event
        switch parts.action {
        case .assessImpact: event.assessedImpact = parts.impact
        case .validate: event.validation = parts.validation?.rawValue
        case .close:
            event.status = .closed
            event.closeReason = parts.reason?.rawValue
        case .reopen:
            event.status = .open
            event.closeReason = nil
        case .transfer: if let owner = parts.newOwner { event.owner = owner }
        case .share: break
        }
        event.note = parts.note
        event.updatedMilliseconds = action.createdMilliseconds
        let update = try database.cached(
            "UPDATE events SET owner = ?, assessed_impact = ?, validation = ?, status = ?, close_reason = ?, note = ?, updated_ms = ? WHERE id = ?")
        update.bind(1, event.owner)
        if let impact = event.assessedImpact { update.bind(2, impact) } else { update.bindNull(2) }
        if let validation = event.validation { update.bind(3, validation) } else { update.bindNull(3) }
        update.bind(4, event.status.rawValue)
        if let reason = event.closeReason { update.bind(5, reason) } else { update.bindNull(5) }
        if let note = event.note { update.bind(6, note) } else { update.bindNull(6) }
        update.bind(7, event.updatedMilliseconds)
        update.bind(8, event.id)
        try update.run()
        if before.status != event.status, try eventCounted(event.id) {
            try countEvent(
                day: action.createdMilliseconds, kind: event.kind, country: event.country, impact: event.impact,
                closed: event.status == .closed ? 1 : 0, reopened: event.status == .open ? 1 : 0)
        }
        return true
    }

    /// Whether the ledger counts event `id`: its first report, held here, has no
    /// personal data and is handled H0 or H1 (an event whose first report is gone is not counted further).
    func eventCounted(_ id: String) throws(SQLiteError) -> Bool {
        let statement = try database.cached("SELECT purpose IS NULL AND handling IN ('H0', 'H1') FROM reports WHERE id = ?")
        statement.bind(1, id)
        guard try statement.step() else { return false }
        let counted = statement.int(0) == 1
        try statement.step()
        return counted
    }

    /// Adds to the ledger's event counts (docs/REPORTS.md §9): at once, or with
    /// the batch when the store worker defers the ledger (`PendingLedger`).
    func countEvent(
        day: Int64, kind: String, country: String, impact: String?, opened: Int64 = 0, closed: Int64 = 0, reopened: Int64 = 0, late: Int64 = 0
    ) throws(SQLiteError) {
        let key = PendingLedger.EventKey(day: String(Timestamp.format(milliseconds: day).prefix(10)), kind: kind, country: country, impact: impact ?? "")
        guard defersLedger else { return try writeEventCount(key, opened: opened, closed: closed, reopened: reopened, late: late) }
        let sum = pendingLedger.events[key] ?? (0, 0, 0, 0)
        pendingLedger.events[key] = (sum.opened + opened, sum.closed + closed, sum.reopened + reopened, sum.late + late)
    }

    func writeEventCount(_ key: PendingLedger.EventKey, opened: Int64, closed: Int64, reopened: Int64, late: Int64) throws(SQLiteError) {
        let statement = try database.cached(
            """
            INSERT INTO statistics_events (day, kind, country, impact, opened, closed, reopened, late_first) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (day, kind, country, impact) DO UPDATE SET opened = opened + excluded.opened, closed = closed + excluded.closed,
                reopened = reopened + excluded.reopened, late_first = late_first + excluded.late_first
            """)
        statement.bind(1, key.day)
        statement.bind(2, key.kind)
        statement.bind(3, key.country)
        statement.bind(4, key.impact)
        statement.bind(5, opened)
        statement.bind(6, closed)
        statement.bind(7, reopened)
        statement.bind(8, late)
        try statement.run()
    }

    /// The ids of the event's reports held here (its first report and follow-ups), oldest first.
    public func eventReportIDs(_ event: String) throws(SQLiteError) -> [String] {
        let statement = try database.cached(
            "SELECT id FROM reports WHERE event_id = ? AND kind IN ('smuggling', 'return', 'border') ORDER BY created_ms, seq LIMIT 1000")
        statement.bind(1, event)
        var ids: [String] = []
        while try statement.step() { ids.append(statement.text(0)) }
        return ids
    }
}

extension ReportStore {
    /// One of an event's reports as its page lists it.
    public struct EventReport: Sendable, Equatable {
        public let id: String
        public let kind: String
        public let headline: String
        public let createdMilliseconds: Int64
        public let author: String
        public let authority: String
        /// Its own impact, reliability and accuracy, and the measures it states (2021/581 Art. 9(5)).
        public let impact: String?
        public let reliability: String?
        public let accuracy: Int64?
        public let measuresTaken: String?
        public let measuresPlanned: String?
        public let personalData: Bool
    }

    /// What `reader` sees of an event: the reports they may read, in time order,
    /// how many they may not, and the event's actions.
    public struct EventView: Sendable {
        public let event: Event
        public let reports: [EventReport]
        public let withheld: Int
        /// The `event` reports applied or held here, oldest first (their documents).
        public let actions: [JSONValue]
    }

    /// Event `id` as `reader` may see it: nil when it is not held here, or when
    /// the reader may read none of its reports and may not act on it (the same
    /// answer as an event that does not exist). Each listed report whose
    /// measures are shown is a `read` in the audit trail.
    public func eventView(_ id: String, for reader: PeerIdentity, disclosure: Disclosure) throws(SQLiteError) -> EventView? {
        // Any report of the event names it.
        guard let event = try event(try heldEventID(of: id) ?? id) else { return nil }
        let id = event.id
        let statement = try database.cached(
            """
            SELECT r.id, r.headline, r.created_ms, r.origin_authority, r.document, \(ReportStore.disclosureColumns) FROM reports r
            WHERE r.event_id = ? AND r.kind IN ('smuggling', 'return', 'border') ORDER BY r.created_ms, r.seq LIMIT 1000
            """)
        statement.bind(1, id)
        var reports: [EventReport] = []
        var withheld = 0
        while try statement.step() {
            let facts = ReportStore.disclosureFacts(statement, at: 5)
            guard disclosure.decide(facts, for: reader).allowed else {
                withheld += 1
                continue
            }
            let document = (try? JSONValue(parsing: statement.blob(4))) ?? .null
            let personal = facts.personalData != nil
            let body = document["body"] ?? .null
            reports.append(
                EventReport(
                    id: statement.text(0), kind: facts.kind?.rawValue ?? "", headline: statement.text(1), createdMilliseconds: statement.int(2),
                    author: facts.originOfficer, authority: statement.text(3), impact: body["impact"]?.stringValue,
                    reliability: document["reliability"]?.stringValue, accuracy: document["accuracy"]?.integerValue,
                    measuresTaken: personal ? nil : body["measures_taken"]?.stringValue, measuresPlanned: personal ? nil : body["measures_planned"]?.stringValue,
                    personalData: personal))
        }
        let mayAct = EventAction.Action.allCases.contains {
            EventAction.issuerProblem($0, issuer: reader, owner: event.owner, firstAuthor: event.firstAuthor, firstState: event.firstState) == nil
        }
        guard !reports.isEmpty || mayAct else { return nil }
        for report in reports where report.author != reader.id && (report.measuresTaken != nil || report.measuresPlanned != nil) {
            try audit(.read, report: report.id, actor: reader.id, detail: "event page", now: disclosure.now)
        }
        let actions = try database.cached("SELECT document FROM reports WHERE kind = 'event' AND event_id = ? ORDER BY created_ms, seq LIMIT 1000")
        actions.bind(1, id)
        var documents: [JSONValue] = []
        while try actions.step() { if let document = try? JSONValue(parsing: actions.blob(0)) { documents.append(document) } }
        return EventView(event: event, reports: reports, withheld: withheld, actions: documents)
    }

    /// The latest events (newest first) `reader` may see, at most `limit`;
    /// `status` keeps only open or closed ones.
    public func events(for reader: PeerIdentity, status: Event.Status?, limit: Int, disclosure: Disclosure) throws(SQLiteError) -> [Event] {
        let statement = try database.cached(
            """
            SELECT id, kind, country, owner, first_author, first_state, time_ms, created_ms, impact, assessed_impact, validation, status,
                   close_reason, note, updated_ms FROM events WHERE ?1 IS NULL OR status = ?1 ORDER BY created_ms DESC LIMIT 5000
            """)
        if let status { statement.bind(1, status.rawValue) } else { statement.bindNull(1) }
        var candidates: [Event] = []
        while try statement.step() { candidates.append(ReportStore.event(statement)) }
        let readable = try database.cached(
            "SELECT \(ReportStore.disclosureColumns) FROM reports r WHERE r.event_id = ? AND r.kind IN ('smuggling', 'return', 'border') LIMIT 1000")
        var result: [Event] = []
        for event in candidates where result.count < limit {
            let mayAct = EventAction.Action.allCases.contains {
                EventAction.issuerProblem($0, issuer: reader, owner: event.owner, firstAuthor: event.firstAuthor, firstState: event.firstState) == nil
            }
            var visible = mayAct
            readable.bind(1, event.id)
            while !visible, try readable.step() { visible = disclosure.decide(ReportStore.disclosureFacts(readable, at: 0), for: reader).allowed }
            readable.reset()
            if visible { result.append(event) }
        }
        return result
    }
}

extension ReportStore {
    /// The owner shares event `id` with `reader` (an identity id or
    /// authority:NAME): the event's H0 and H1 reports without personal data held
    /// here name the reader in `consented`, which the disclosure decision reads
    /// (docs/ACCESS.md §1.1); reports that join the event later do too.
    func share(_ id: String, with reader: String) throws(SQLiteError) {
        let insert = try database.cached("INSERT OR IGNORE INTO event_shares (event_id, reader) VALUES (?, ?)")
        insert.bind(1, id)
        insert.bind(2, reader)
        try insert.run()
        let statement = try database.cached(
            """
            SELECT seq FROM reports WHERE event_id = ? AND kind IN ('smuggling', 'return', 'border') AND purpose IS NULL AND handling IN ('H0', 'H1')
            LIMIT 1000
            """)
        statement.bind(1, id)
        var seqs: [Int64] = []
        while try statement.step() { seqs.append(statement.int(0)) }
        for seq in seqs { try addConsented([reader], seq: seq) }
    }

    /// A report that joined a shared event (in `insert`'s transaction): its readers by share.
    func applyShares(of event: String, to report: Report, seq: Int64) throws(SQLiteError) {
        guard report.personalData == nil, !report.handling.namedAddresseesOnly else { return }
        let statement = try database.cached("SELECT reader FROM event_shares WHERE event_id = ? ORDER BY reader")
        statement.bind(1, event)
        var readers: [String] = []
        while try statement.step() { readers.append(statement.text(0)) }
        if !readers.isEmpty { try addConsented(readers, seq: seq) }
    }

    /// Adds `readers` to report `seq`'s `consented` list (each once).
    func addConsented(_ readers: [String], seq: Int64) throws(SQLiteError) {
        let read = try database.cached("SELECT consented FROM reports WHERE seq = ?")
        read.bind(1, seq)
        guard try read.step() else { return }
        var list = (try? JSONValue(parsing: read.text(0)))?.arrayValue?.compactMap(\.stringValue) ?? []
        try read.step()
        let before = list.count
        for reader in readers where !list.contains(reader) { list.append(reader) }
        guard list.count > before else { return }
        let update = try database.cached("UPDATE reports SET consented = ? WHERE seq = ?")
        update.bind(1, JSONValue.array(list.map { .string($0) }).encodedString())
        update.bind(2, seq)
        try update.run()
    }
}
