/// The statistics ledger (docs/REPORTS.md §9): for every smuggling, return
/// and border report that reaches this node, one count in the `statistics` table,
/// written in the report's own transaction, by its creation day and its
/// content-free envelope facts. Erasure and retention remove reports, never
/// these counts; the activity report (`ActivityReport`) reads only them.
public struct LedgerRow: Sendable, Equatable {
    /// YYYY-MM (the activity report's finest period); empty for a total over
    /// the whole span (reports with personal data, H2 and H3 reports).
    public var month: String
    /// YYYY-MM-DD when the counts were asked for per day (trends), else nil.
    public var day: String?
    public var kind: String
    public var country: String
    public var state: String
    public var authority: String
    /// "" when the report has no level.
    public var level: String
    /// The personal-data purpose; "" for a report without personal data.
    public var purpose: String
    /// The states the report was made on behalf of, sorted.
    public var onBehalfOf: [String]
    public var priority: String
    public var handling: String
    /// A total over the whole span, not broken down (personal data, H2, H3).
    public var isSpanTotal: Bool { month.isEmpty }

    /// A smuggling report's route, `ORIGIN>TRANSIT…>DESTINATION` (country codes,
    /// several joined with `+`); "" for other kinds, and for counts written
    /// before the ledger had routes (store migration 15).
    public var route: String
    public var reports: Int64
    /// The files those reports carried (counted, never shown; docs/REPORTS.md §1.1).
    public var attachments: Int64 = 0

    public init(
        month: String, kind: String, country: String, state: String, authority: String, level: String, purpose: String,
        onBehalfOf: [String], priority: String, handling: String, route: String = "", reports: Int64
    ) {
        self.month = month
        self.day = nil
        self.kind = kind
        self.country = country
        self.state = state
        self.authority = authority
        self.level = level
        self.purpose = purpose
        self.onBehalfOf = onBehalfOf
        self.priority = priority
        self.handling = handling
        self.route = route
        self.reports = reports
    }

    /// As ACTIVITY carries it (docs/PROTOCOL.md §3).
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "month": .string(month), "kind": .string(kind), "country": .string(country), "state": .string(state),
            "authority": .string(authority), "level": .string(level), "purpose": .string(purpose),
            "on_behalf_of": .array(onBehalfOf.map { .string($0) }), "priority": .string(priority), "handling": .string(handling),
            "route": .string(route), "reports": .integer(reports),
        ]
        if let day { fields["day"] = .string(day) }
        if attachments > 0 { fields["attachments"] = .integer(attachments) }
        return .object(fields)
    }

    public init?(_ json: JSONValue) {
        guard let month = json["month"]?.stringValue, let kind = json["kind"]?.stringValue, let country = json["country"]?.stringValue,
            let state = json["state"]?.stringValue, let reports = json["reports"]?.integerValue
        else { return nil }
        self.init(
            month: month, kind: kind, country: country, state: state, authority: json["authority"]?.stringValue ?? "",
            level: json["level"]?.stringValue ?? "", purpose: json["purpose"]?.stringValue ?? "",
            onBehalfOf: json["on_behalf_of"]?.arrayValue?.compactMap(\.stringValue) ?? [], priority: json["priority"]?.stringValue ?? "",
            handling: json["handling"]?.stringValue ?? "", route: json["route"]?.stringValue ?? "", reports: reports)
        day = json["day"]?.stringValue
        attachments = json["attachments"]?.integerValue ?? 0
    }
}

extension LedgerRow {
    /// The route the ledger keeps for a report: a smuggling report's
    /// `body.route` as `ORIGIN>TRANSIT…>DESTINATION` (`ER+SD>LY>IT`: origins
    /// and destinations sorted, transit in order); "" for the other kinds.
    /// Countries only, like the ledger's `country`: nothing personal.
    public static func route(of report: Report) -> String {
        guard report.kind == .smuggling, let route = report.body["route"] else { return "" }
        func codes(_ key: String) -> [String] { route[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        let origin = codes("origin").sorted().joined(separator: "+")
        let destination = codes("destination").sorted().joined(separator: "+")
        guard !origin.isEmpty, !destination.isEmpty else { return "" }
        return ([origin] + codes("transit") + [destination]).joined(separator: ">")
    }
}

/// The ledger's changes of the open batch, one entry per ledger row (issue 32):
/// the store worker writes them just before COMMIT, so a batch of reports of the
/// same day, kind, country … changes each ledger row once, not once per report.
/// A job that fails takes its changes with it (`StoreWorker` keeps the value
/// from before the job); a batch that fails drops them all.
struct PendingLedger {
    struct Key: Hashable {
        let day: String, kind: String, country: String, originState: String, authority: String, level: String, purpose: String
        let onBehalfOf: String, priority: String, handling: String, route: String
    }
    struct EventKey: Hashable {
        let day: String, kind: String, country: String, impact: String
    }
    var reports: [Key: (reports: Int64, attachments: Int64)] = [:]
    var events: [EventKey: (opened: Int64, closed: Int64, reopened: Int64, late: Int64)] = [:]
    var isEmpty: Bool { reports.isEmpty && events.isEmpty }
}

extension ReportStore {
    /// Counts `report` in the ledger, in the same transaction as `insert`: at
    /// once, or with the batch when the store worker defers the ledger.
    func count(_ report: Report, by change: Int64 = 1) throws(SQLiteError) {
        let key = PendingLedger.Key(
            day: String(Timestamp.format(milliseconds: report.createdMilliseconds).prefix(10)), kind: report.kind.rawValue, country: report.country,
            originState: report.origin.state, authority: report.origin.authority, level: report.level?.rawValue ?? "",
            purpose: report.personalData?.rawValue ?? "", onBehalfOf: report.onBehalfOf.sorted().joined(separator: ","),
            priority: report.priority.rawValue, handling: report.handling.rawValue, route: LedgerRow.route(of: report))
        let attachments = change * Int64(report.attachments.count)
        guard defersLedger else { return try writeCount(key, reports: change, attachments: attachments) }
        let sum = pendingLedger.reports[key] ?? (0, 0)
        pendingLedger.reports[key] = (sum.reports + change, sum.attachments + attachments)
    }

    /// Writes the deferred ledger changes of the batch (the store worker, before COMMIT).
    func flushLedger() throws(SQLiteError) {
        guard !pendingLedger.isEmpty else { return }
        let pending = pendingLedger
        pendingLedger = PendingLedger()
        for (key, change) in pending.reports where change != (0, 0) {
            try writeCount(key, reports: change.reports, attachments: change.attachments)
        }
        for (key, change) in pending.events where change != (0, 0, 0, 0) {
            try writeEventCount(key, opened: change.opened, closed: change.closed, reopened: change.reopened, late: change.late)
        }
    }

    private func writeCount(_ key: PendingLedger.Key, reports change: Int64, attachments: Int64) throws(SQLiteError) {
        let statement = try database.cached(
            """
            INSERT INTO statistics (day, kind, country, origin_state, authority, level, purpose, on_behalf_of, priority, handling, route, reports, attachments)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, max(?, 0), max(?, 0))
            ON CONFLICT (day, kind, country, origin_state, authority, level, purpose, on_behalf_of, priority, handling, route)
            DO UPDATE SET reports = max(reports + ?, 0), attachments = max(attachments + ?, 0)
            """)
        statement.bind(1, key.day)
        statement.bind(2, key.kind)
        statement.bind(3, key.country)
        statement.bind(4, key.originState)
        statement.bind(5, key.authority)
        statement.bind(6, key.level)
        statement.bind(7, key.purpose)
        statement.bind(8, key.onBehalfOf)
        statement.bind(9, key.priority)
        statement.bind(10, key.handling)
        statement.bind(11, key.route)
        statement.bind(12, change)
        statement.bind(13, attachments)
        statement.bind(14, change)
        statement.bind(15, attachments)
        try statement.run()
    }

    /// The ledger's counts for reports created from `from` to `to` (YYYY-MM-DD,
    /// both included), at the granularity docs/REPORTS.md §9 promises every
    /// reader of ACTIVITY: reports without personal data and handled H0 or H1
    /// summed per month (or per day with `perDay`) and every envelope fact the
    /// ledger keeps; reports with personal data as one total per purpose, and
    /// H2 and H3 reports as one total per handling code, each over the whole
    /// span (`month` empty), never broken down further. At most `limit` rows,
    /// in a fixed order.
    public func ledger(from: String, to: String, perDay: Bool = false, limit: Int) throws(SQLiteError) -> [LedgerRow] {
        try flushLedger()  // what this batch counted so far, on the writer
        let statement = try database.cached(
            """
            SELECT * FROM (
                SELECT substr(day, 1, \(perDay ? 10 : 7)), kind, country, origin_state, authority, level, purpose, on_behalf_of, priority, handling, route,
                       sum(reports), sum(attachments)
                FROM statistics WHERE day >= ?1 AND day <= ?2 AND purpose = '' AND handling NOT IN ('H2', 'H3')
                GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
                UNION ALL
                SELECT '', '', '', '', '', '', purpose, '', '', '', '', sum(reports), sum(attachments)
                FROM statistics WHERE day >= ?1 AND day <= ?2 AND purpose <> '' GROUP BY purpose
                UNION ALL
                SELECT '', '', '', '', '', '', '', '', '', handling, '', sum(reports), sum(attachments)
                FROM statistics WHERE day >= ?1 AND day <= ?2 AND purpose = '' AND handling IN ('H2', 'H3') GROUP BY handling
            ) ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 LIMIT ?3
            """)
        statement.bind(1, from)
        statement.bind(2, to)
        statement.bind(3, Int64(limit))
        var rows: [LedgerRow] = []
        while try statement.step() {
            let states = statement.text(7)
            let period = statement.text(0)
            var row = LedgerRow(
                    month: String(period.prefix(7)), kind: statement.text(1), country: statement.text(2), state: statement.text(3),
                    authority: statement.text(4), level: statement.text(5), purpose: statement.text(6),
                    onBehalfOf: states.isEmpty ? [] : states.split(separator: ",").map(String.init), priority: statement.text(8),
                    handling: statement.text(9), route: statement.text(10), reports: statement.int(11))
            if perDay && !period.isEmpty { row.day = period }
            row.attachments = statement.int(12)
            rows.append(row)
        }
        return rows
    }
}
