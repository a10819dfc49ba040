/// The ledger's event counts (docs/REPORTS.md §9): events opened, closed and
/// reopened, and late first reports, by period, kind, country and the event's
/// impact at the time. Content-free; kept after erasure.
public struct EventLedgerRow: Sendable, Equatable {
    /// YYYY-MM, or YYYY-MM-DD when asked per day.
    public var period: String
    public var kind: String
    public var country: String
    /// "" when the event had none.
    public var impact: String
    public var opened: Int64
    public var closed: Int64
    public var reopened: Int64
    public var lateFirst: Int64

    public enum Measure: String, Sendable, CaseIterable {
        case opened, closed, reopened
        case lateFirst = "late-first"
    }

    public func count(_ measure: Measure) -> Int64 {
        switch measure {
        case .opened: opened
        case .closed: closed
        case .reopened: reopened
        case .lateFirst: lateFirst
        }
    }

    public var json: JSONValue {
        [
            "period": .string(period), "kind": .string(kind), "country": .string(country), "impact": .string(impact),
            "opened": .integer(opened), "closed": .integer(closed), "reopened": .integer(reopened), "late_first": .integer(lateFirst),
        ]
    }

    public init(period: String, kind: String, country: String, impact: String, opened: Int64, closed: Int64, reopened: Int64, lateFirst: Int64) {
        self.period = period
        self.kind = kind
        self.country = country
        self.impact = impact
        self.opened = opened
        self.closed = closed
        self.reopened = reopened
        self.lateFirst = lateFirst
    }

    public init?(_ json: JSONValue) {
        guard let period = json["period"]?.stringValue, let kind = json["kind"]?.stringValue, let country = json["country"]?.stringValue else { return nil }
        self.init(
            period: period, kind: kind, country: country, impact: json["impact"]?.stringValue ?? "", opened: json["opened"]?.integerValue ?? 0,
            closed: json["closed"]?.integerValue ?? 0, reopened: json["reopened"]?.integerValue ?? 0, lateFirst: json["late_first"]?.integerValue ?? 0)
    }
}

extension ReportStore {
    /// The event counts from `from` to `to` (YYYY-MM-DD, both included), per
    /// month (or per day with `perDay`), kind, country and impact; at most `limit` rows.
    public func eventLedger(from: String, to: String, perDay: Bool = false, limit: Int) throws(SQLiteError) -> [EventLedgerRow] {
        try flushLedger()  // what this batch counted so far, on the writer
        let statement = try database.cached(
            """
            SELECT substr(day, 1, \(perDay ? 10 : 7)), kind, country, impact, sum(opened), sum(closed), sum(reopened), sum(late_first)
            FROM statistics_events WHERE day >= ?1 AND day <= ?2 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4 LIMIT ?3
            """)
        statement.bind(1, from)
        statement.bind(2, to)
        statement.bind(3, Int64(limit))
        var rows: [EventLedgerRow] = []
        while try statement.step() {
            rows.append(
                EventLedgerRow(
                    period: statement.text(0), kind: statement.text(1), country: statement.text(2), impact: statement.text(3), opened: statement.int(4),
                    closed: statement.int(5), reopened: statement.int(6), lateFirst: statement.int(7)))
        }
        return rows
    }
}
