import Foundation

/// Counts per week or month over a span, from the statistics ledger (docs/REPORTS.md
/// §9.1): one series per value of a dimension (country, kind, priority, state, route), every
/// period of the span listed, zeros included, so that a chart has no gaps. Reports
/// with personal data are left out, as they are of every breakdown.
public struct Trend: Sendable {
    public enum Every: String, Sendable, CaseIterable { case week, month }
    public enum Series: String, Sendable, CaseIterable {
        case none, country, kind, priority, state, route
        /// Events only (`ilo trend --events`): the event's impact.
        case impact

        func value(_ row: LedgerRow) -> String {
            switch self {
            case .none: "reports"
            case .impact: ""
            case .country: row.country
            case .kind: row.kind
            case .priority: row.priority
            case .state: row.state
            case .route: row.route
            }
        }
    }

    public let from: String
    public let to: String
    public let every: Every
    public let by: Series
    /// The periods of the span, in order: `2026-W05` (ISO 8601 weeks) or `2026-02`.
    public let periods: [String]
    /// Each period for people: `week of 30 Nov 2026` (its Monday) or `Nov 2026`.
    public let labels: [String]
    /// The same, short, for a chart's axis: `30 Nov` or `Nov 2026`.
    public let shortLabels: [String]
    /// Each series' counts, one per period.
    public let series: [(name: String, counts: [Int64])]

    public init(rows: [LedgerRow], from: String, to: String, every: Every, by: Series) {
        // By route: smuggling reports only (the others have none).
        let points = rows.filter { $0.purpose.isEmpty && (by != .route || !$0.route.isEmpty) }.compactMap { row in
            row.day.map { (day: $0, series: by.value(row), count: row.reports) }
        }
        self.init(points: points, from: from, to: to, every: every, by: by, unit: "reports")
    }

    /// The ledger's event counts (`measure`: events opened, closed, reopened, or
    /// late first reports) per period, one series per impact, kind or country.
    public init(events: [EventLedgerRow], measure: EventLedgerRow.Measure, from: String, to: String, every: Every, by: Series) {
        let points = events.map { row -> (day: String, series: String, count: Int64) in
            let series: String
            switch by {
            case .impact: series = row.impact.isEmpty ? "none" : row.impact
            case .kind: series = row.kind
            case .country: series = row.country
            default: series = measure.rawValue
            }
            return (row.period, series, row.count(measure))
        }
        self.init(points: points, from: from, to: to, every: every, by: by, unit: measure.rawValue)
    }

    init(points: [(day: String, series: String, count: Int64)], from: String, to: String, every: Every, by: Series, unit: String) {
        self.from = from
        self.to = to
        self.every = every
        self.by = by
        var periods: [String] = []
        var starts: [Date] = []
        if let start = Trend.date(from), let end = Trend.date(to) {
            var day = start
            while day <= end {
                let period = Trend.period(of: day, every: every)
                if periods.last != period {
                    periods.append(period)
                    starts.append(day)
                }
                day = day.addingTimeInterval(86_400)
            }
        }
        self.periods = periods
        labels = starts.map { Trend.label(of: $0, every: every, short: false) }
        shortLabels = starts.map { Trend.label(of: $0, every: every, short: true) }
        let index = Dictionary(uniqueKeysWithValues: periods.enumerated().map { ($1, $0) })
        var counts: [String: [Int64]] = [:]
        for point in points {
            guard let day = Trend.date(point.day), let position = index[Trend.period(of: day, every: every)] else { continue }
            counts[point.series, default: Array(repeating: 0, count: periods.count)][position] += point.count
        }
        if counts.isEmpty, by == .none { counts[unit] = Array(repeating: 0, count: periods.count) }
        series = counts.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Totals per period, over every series.
    public var totals: [Int64] {
        periods.indices.map { i in series.reduce(0) { $0 + $1.counts[i] } }
    }

    /// CSV (RFC 4180, CRLF): `period,SERIES…,total`, one row per period.
    public var csv: String {
        CSV.row(["period"] + series.map(\.name) + (by == .none ? [] : ["total"]))
            + periods.indices.map { i in CSV.row([periods[i]] + series.map { String($0.counts[i]) } + (by == .none ? [] : [String(totals[i])])) }.joined()
    }

    public var json: JSONValue {
        [
            "from": .string(from), "to": .string(to), "every": .string(every.rawValue), "by": .string(by.rawValue),
            "periods": .array(periods.map { .string($0) }),
            "series": .array(series.map { ["name": .string($0.name), "counts": .array($0.counts.map { .integer($0) })] }),
        ]
    }

    /// For a terminal: each period's total as a bar, with the series beside it.
    public var text: String {
        let peak = max(1, totals.max() ?? 1)
        var out = ""
        for (i, period) in periods.enumerated() {
            let bar = String(repeating: "#", count: Int((Double(totals[i]) / Double(peak) * 40).rounded(.up)))
            let parts = by == .none ? "" : "  " + series.filter { $0.counts[i] > 0 }.map { "\($0.name) \($0.counts[i])" }.joined(separator: ", ")
            out += "\(period.padding(toLength: 9, withPad: " ", startingAt: 0)) \(String(totals[i]).leftPadded(6)) \(bar)\(parts)\n"
        }
        return out
    }

    static func date(_ text: String) -> Date? {
        guard let milliseconds = ReportDate.parse(text) else { return nil }
        return Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// The period that holds `day`, for people: its week's Monday, or its month.
    static func label(of day: Date, every: Every, short: Bool) -> String {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        switch every {
        case .month:
            let parts = calendar.dateComponents([.year, .month], from: day)
            return "\(months[parts.month! - 1]) \(parts.year!)"
        case .week:
            let monday = calendar.dateInterval(of: .weekOfYear, for: day)?.start ?? day
            let parts = calendar.dateComponents([.year, .month, .day], from: monday)
            let date = "\(parts.day!) \(months[parts.month! - 1])"
            return short ? date : "week of \(date) \(parts.year!)"
        }
    }

    /// The day of the first report counted (nil: none).
    public static func firstDay(_ rows: [LedgerRow]) -> String? {
        rows.filter { $0.purpose.isEmpty && $0.reports > 0 }.compactMap(\.day).min()
    }

    static func period(of day: Date, every: Every) -> String {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        switch every {
        case .month:
            let parts = calendar.dateComponents([.year, .month], from: day)
            return String(format: "%04d-%02d", parts.year!, parts.month!)
        case .week:
            let parts = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: day)
            return String(format: "%04d-W%02d", parts.yearForWeekOfYear!, parts.weekOfYear!)
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
