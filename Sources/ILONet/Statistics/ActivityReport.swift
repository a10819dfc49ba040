/// The activity report (Regulation (EU) 2019/1240 Art. 8; docs/REPORTS.md §9):
/// the statistics ledger's counts over a span, broken down by the dimensions
/// asked for, rendered as CSV or Markdown. Deterministic: the same ledger and
/// arguments give the same bytes. Reports with personal data appear only as
/// totals per purpose, never broken down; no report id or headline is in it.
public struct ActivityReport: Sendable {
    public enum Dimension: String, Sendable, CaseIterable {
        case year, quarter, month, country, state, kind, authority, level, priority, handling

        var isPeriod: Bool { self == .year || self == .quarter || self == .month }

        /// The dimension's value in a row.
        func value(_ row: LedgerRow) -> String {
            switch self {
            case .month: row.month
            case .year: String(row.month.prefix(4))
            case .quarter: "\(row.month.prefix(4))-Q\(((Int(row.month.suffix(2)) ?? 1) - 1) / 3 + 1)"
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

    public init(rows: [LedgerRow], from: String, to: String, node: String, dimensions: [Dimension]) {
        self.from = from
        self.to = to
        self.node = node
        self.dimensions = dimensions
        var sums: [String: [[String]: [String: Int64]]] = [:]  // section → values → subject → count
        let period = dimensions.first(where: \.isPeriod)
        for row in rows {
            if row.purpose.isEmpty {
                sums["reports", default: [:]][dimensions.map { $0.value(row) }, default: [:]]["", default: 0] += row.reports
                for state in row.onBehalfOf {
                    let values = dimensions.map { $0 == period ? $0.value(row) : "" }
                    sums["on-behalf-of", default: [:]][values, default: [:]][state, default: 0] += row.reports
                }
            } else {
                sums["case-data", default: [:]][dimensions.map { _ in "" }, default: [:]][row.purpose, default: 0] += row.reports
            }
            sums["total", default: [:]][dimensions.map { _ in "" }, default: [:]]["all", default: 0] += row.reports
        }
        var lines: [Line] = []
        for section in ["reports", "case-data", "on-behalf-of", "total"] {
            for (values, subjects) in (sums[section] ?? [:]).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
                for (subject, count) in subjects.sorted(by: { $0.key < $1.key }) {
                    lines.append(Line(section: section, values: values, subject: subject, reports: count))
                }
            }
        }
        self.lines = lines
    }

    /// CSV (RFC 4180): `section,DIMENSIONS…,subject,reports`. Sections: `reports`
    /// (reports without personal data, by the dimensions), `case-data` (reports
    /// with personal data: one total per purpose), `on-behalf-of` (reports without
    /// personal data made on behalf of other states: per state represented, and
    /// per period if one is asked for), `total`.
    public var csv: String {
        var out = (["section"] + dimensions.map(\.rawValue) + ["subject", "reports"]).joined(separator: ",") + "\r\n"
        for line in lines {
            out += ([line.section] + line.values + [line.subject, String(line.reports)]).map(ActivityReport.csvField).joined(separator: ",") + "\r\n"
        }
        return out
    }

    static func csvField(_ value: String) -> String {
        value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
    }

    /// Markdown: the same numbers as `csv`, as headed tables.
    public var markdown: String {
        let total = lines.first { $0.section == "total" }?.reports ?? 0
        var out = "# Activity report, \(from) to \(to)\n\n"
        out += "Reports created from \(from) to \(to) that reached \(node): **\(total)**. Smuggling, return and border reports, "
        out += "each counted once, from the node's statistics ledger, which erasure and retention do not touch "
        out += "(docs/REPORTS.md §9). Regulation (EU) 2019/1240 Art. 8.\n\n"
        let names = dimensions.map(\.rawValue)
        out += "## Reports by \(names.joined(separator: ", "))\n\n"
        out += table(names + ["reports"], lines.filter { $0.section == "reports" }.map { $0.values + [String($0.reports)] })
        out += "\nReports with personal data are not in this table; they are counted only as totals per purpose.\n\n"
        out += "## Reports with personal data, per purpose (Art. 10)\n\n"
        out += table(["purpose", "reports"], lines.filter { $0.section == "case-data" }.map { [$0.subject, String($0.reports)] })
        out += "\n## Reports made on behalf of other states (Art. 6)\n\n"
        let period = dimensions.first(where: \.isPeriod)
        let index = period.flatMap { dimensions.firstIndex(of: $0) }
        out += table((period.map { [$0.rawValue] } ?? []) + ["on behalf of", "reports"],
            lines.filter { $0.section == "on-behalf-of" }.map { line in (index.map { [line.values[$0]] } ?? []) + [line.subject, String(line.reports)] })
        return out
    }

    private func table(_ header: [String], _ rows: [[String]]) -> String {
        guard !rows.isEmpty else { return "None.\n" }
        var out = "| " + header.joined(separator: " | ") + " |\n|" + header.map { $0 == "reports" ? "---:" : "---" }.joined(separator: "|") + "|\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        return out
    }
}

public struct ActivityReportError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
