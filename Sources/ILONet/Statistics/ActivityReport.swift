/// The activity report (Regulation (EU) 2019/1240 Art. 8; docs/REPORTS.md §9):
/// the statistics ledger's counts over a span, broken down by the dimensions
/// asked for, rendered as CSV or Markdown. Deterministic: the same ledger and
/// arguments give the same bytes. Reports with personal data appear only as
/// totals per purpose, never broken down; no report id or headline is in it.
public struct ActivityReport: Sendable {
    public enum Dimension: String, Sendable, CaseIterable {
        case year, quarter, month, country, state, kind, authority, level, priority, handling

        var isPeriod: Bool { self == .year || self == .quarter || self == .month }

        /// A period dimension's value for `month` (YYYY-MM).
        func period(of month: String) -> String {
            switch self {
            case .year: String(month.prefix(4))
            case .quarter: "\(month.prefix(4))-Q\(((Int(month.suffix(2)) ?? 1) - 1) / 3 + 1)"
            default: month
            }
        }

        /// The dimension's value in a row.
        func value(_ row: LedgerRow) -> String {
            switch self {
            case .month, .year, .quarter: period(of: row.month)
            case .country: row.country
            case .state: row.state
            case .kind: row.kind
            case .authority: row.authority
            case .level: row.level.isEmpty ? "none" : row.level
            case .priority: row.priority
            case .handling: row.handling
            }
        }
    }

    /// One line of the report: its section, the dimensions' values, what it counts, the count.
    public struct Line: Sendable, Equatable {
        public let section: String
        public let values: [String]
        public let subject: String
        public let reports: Int64
    }

    public let from: String
    public let to: String
    public let node: String
    public let dimensions: [Dimension]
    public let lines: [Line]
    /// The ledger's event counts (docs/REPORTS.md §9), per period, kind and impact.
    public let events: [EventLedgerRow]

    /// Parses `--by`: dimension names, comma-separated, at most one period.
    public static func dimensions(_ text: String) -> Result<[Dimension], ActivityReportError> {
        var out: [Dimension] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let dimension = Dimension(rawValue: name) else {
                return .failure(ActivityReportError("--by: \"\(name)\" is not a dimension (\(Dimension.allCases.map(\.rawValue).joined(separator: ", ")))"))
            }
            guard !out.contains(dimension) else { return .failure(ActivityReportError("--by: \(name) is named twice")) }
            out.append(dimension)
        }
        if out.filter(\.isPeriod).count > 1 { return .failure(ActivityReportError("--by: one period only (year, quarter or month)")) }
        if out.isEmpty { return .failure(ActivityReportError("--by: name at least one dimension, e.g. quarter,country,state,kind")) }
        return .success(out)
    }

    public init(rows: [LedgerRow], events: [EventLedgerRow] = [], from: String, to: String, node: String, dimensions: [Dimension]) {
        self.from = from
        self.to = to
        self.node = node
        self.dimensions = dimensions
        var sums: [String: [[String]: [String: Int64]]] = [:]  // section → values → subject → count
        let period = dimensions.first(where: \.isPeriod)
        for row in rows {
            if !row.purpose.isEmpty {
                sums["case-data", default: [:]][dimensions.map { _ in "" }, default: [:]][row.purpose, default: 0] += row.reports
            } else if row.isSpanTotal {
                // H2 and H3: one total per handling code over the span (docs/REPORTS.md §9).
                sums["restricted", default: [:]][dimensions.map { _ in "" }, default: [:]][row.handling, default: 0] += row.reports
            } else {
                sums["reports", default: [:]][dimensions.map { $0.value(row) }, default: [:]]["", default: 0] += row.reports
                for state in row.onBehalfOf {
                    let values = dimensions.map { $0 == period ? $0.value(row) : "" }
                    sums["on-behalf-of", default: [:]][values, default: [:]][state, default: 0] += row.reports
                }
            }
            sums["total", default: [:]][dimensions.map { _ in "" }, default: [:]]["all", default: 0] += row.reports
        }
        var lines: [Line] = []
        for section in ["reports", "case-data", "restricted", "on-behalf-of", "total"] {
            for (values, subjects) in (sums[section] ?? [:]).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                for (subject, count) in subjects.sorted(by: { $0.key < $1.key }) {
                    lines.append(Line(section: section, values: values, subject: subject, reports: count))
                }
            }
        }
        self.lines = lines
        // Events: by the period asked for (if any), kind and impact, summed over the rest.
        var eventSums: [[String]: EventLedgerRow] = [:]
        for row in events {
            let periodValue = period?.period(of: String(row.period.prefix(7))) ?? ""
            let key = [periodValue, row.kind, row.impact]
            var sum = eventSums[key] ?? EventLedgerRow(period: periodValue, kind: row.kind, country: "", impact: row.impact, opened: 0, closed: 0, reopened: 0, lateFirst: 0)
            sum.opened += row.opened
            sum.closed += row.closed
            sum.reopened += row.reopened
            sum.lateFirst += row.lateFirst
            eventSums[key] = sum
        }
        self.events = eventSums.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value)
    }

    /// CSV (RFC 4180): `section,DIMENSIONS…,subject,reports`. Sections: `reports`
    /// (reports without personal data handled H0 or H1, by the dimensions),
    /// `case-data` (reports with personal data: one total per purpose),
    /// `restricted` (H2 and H3 reports: one total per handling code), `on-behalf-of` (reports without
    /// personal data made on behalf of other states: per state represented, and
    /// per period if one is asked for), `total`.
    /// Then the event counts: sections `events-opened`, `events-closed`,
    /// `events-reopened`, `late-first-reports`, `subject` the impact (`none`
    /// when the event had none), with the period and kind where `--by` names them.
    public var csv: String {
        var out = CSV.row(["section"] + dimensions.map(\.rawValue) + ["subject", "reports"])
            + lines.map { CSV.row([$0.section] + $0.values + [$0.subject, String($0.reports)]) }.joined()
        for (section, measure) in [("events-opened", EventLedgerRow.Measure.opened), ("events-closed", .closed), ("events-reopened", .reopened), ("late-first-reports", .lateFirst)] {
            for row in events where row.count(measure) > 0 {
                let values = dimensions.map { $0.isPeriod ? row.period : $0 == .kind ? row.kind : "" }
                out += CSV.row([section] + values + [row.impact.isEmpty ? "none" : row.impact, String(row.count(measure))])
            }
        }
        return out
    }

    /// Markdown: the same numbers as `csv`, as headed tables.
    /// One headed table of the report, with a note under it.
    public struct Table: Sendable {
        public let title: String
        public let header: [String]
        public let rows: [[String]]
        public let note: String?

        public init(title: String, header: [String], rows: [[String]], note: String?) {
            self.title = title
            self.header = header
            self.rows = rows
            self.note = note
        }
    }

    /// The opening sentence (without formatting).
    public var summary: (total: Int64, text: String) {
        let total = lines.first { $0.section == "total" }?.reports ?? 0
        return (total, "Reports created from \(from) to \(to) that reached \(node): \(total). Smuggling, return and border reports, "
            + "each counted once, from the node's statistics ledger, which erasure and retention do not touch "
            + "(docs/REPORTS.md §9). Regulation (EU) 2019/1240 Art. 8.")
    }

    /// The report's tables, in order: by the dimensions, case data per purpose, on behalf of other states.
    public var tables: [Table] {
        let names = dimensions.map(\.rawValue)
        let period = dimensions.first(where: \.isPeriod)
        let index = period.flatMap { dimensions.firstIndex(of: $0) }
        return [
            Table(
                title: "Reports by \(names.joined(separator: ", "))", header: names + ["reports"],
                rows: lines.filter { $0.section == "reports" }.map { $0.values + [String($0.reports)] },
                note: "Reports with personal data, and H2 and H3 reports, are not in this table; they are counted only as totals per purpose and per handling code."),
            Table(
                title: "Reports with personal data, per purpose (Art. 10)", header: ["purpose", "reports"],
                rows: lines.filter { $0.section == "case-data" }.map { [$0.subject, String($0.reports)] }, note: nil),
            Table(
                title: "H2 and H3 reports, per handling code", header: ["handling", "reports"],
                rows: lines.filter { $0.section == "restricted" }.map { [$0.subject, String($0.reports)] },
                note: "Reports their providers restricted to named addressees are counted only in total, over the whole span."),
            Table(
                title: "Reports made on behalf of other states (Art. 6)", header: (period.map { [$0.rawValue] } ?? []) + ["on behalf of", "reports"],
                rows: lines.filter { $0.section == "on-behalf-of" }.map { line in (index.map { [line.values[$0]] } ?? []) + [line.subject, String(line.reports)] },
                note: nil),
            Table(
                title: "Events (Implementing Regulation (EU) 2021/581)",
                header: (period.map { [$0.rawValue] } ?? []) + ["kind", "impact", "opened", "closed", "reopened", "late first reports"],
                rows: events.map { row in
                    (period == nil ? [] : [row.period]) + [row.kind, row.impact.isEmpty ? "none" : row.impact]
                        + [row.opened, row.closed, row.reopened, row.lateFirst].map { String($0) }
                },
                note: "Each first report opens an event; closed and reopened by its owner; a first report is late when it was created more than 24 hours after the event (Art. 9(3))."),
        ]
    }

    /// Markdown: the same numbers as `csv`, as headed tables.
    public var markdown: String {
        let (total, text) = summary
        var out = "# Activity report, \(from) to \(to)\n\n" + text.replacingOccurrences(of: ": \(total).", with: ": **\(total)**.") + "\n\n"
        for table in tables { out += ActivityReport.markdownTable(table) }
        return out
    }

    /// A table in Markdown, headed `##`.
    public static func markdownTable(_ table: Table) -> String {
        var out = "## \(table.title)\n\n"
        if table.rows.isEmpty {
            out += "None.\n"
        } else {
            func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
            out += "| " + table.header.joined(separator: " | ") + " |\n|" + table.header.map { $0 == "reports" ? "---:" : "---" }.joined(separator: "|") + "|\n"
            for row in table.rows { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
        }
        return out + (table.note.map { "\n\($0)\n\n" } ?? "\n")
    }

    /// A self-contained HTML document (no script, no external asset), every text
    /// escaped; `extra` tables (the deployed officers) follow the report's own.
    public func html(extra: [Table] = []) -> String {
        let e = TrendChart.escape
        var out = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e("Activity report, \(from) to \(to)"))</title>
            <style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.4}table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #bbb;padding:.2em .6em;text-align:left}td.n,th.n{text-align:right}</style>
            </head><body>
            <h1>\(e("Activity report, \(from) to \(to)"))</h1>
            <p>\(e(summary.text))</p>

            """
        for table in tables + extra {
            out += "<h2>\(e(table.title))</h2>\n"
            if table.rows.isEmpty {
                out += "<p>None.</p>\n"
            } else {
                let numeric = table.header.map { $0 == "reports" }
                out += "<table><thead><tr>" + table.header.enumerated().map { "<th\(numeric[$0.offset] ? " class=\"n\"" : "")>\(e($0.element))</th>" }.joined() + "</tr></thead><tbody>\n"
                for row in table.rows {
                    out += "<tr>" + row.enumerated().map { "<td\(numeric[$0.offset] ? " class=\"n\"" : "")>\(e($0.element))</td>" }.joined() + "</tr>\n"
                }
                out += "</tbody></table>\n"
            }
            if let note = table.note { out += "<p>\(e(note))</p>\n" }
        }
        return out + "</body></html>\n"
    }
}

public struct ActivityReportError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
