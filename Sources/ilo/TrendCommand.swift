import Foundation
import ILONet
import ILOClient

/// `ilo trend`: counts per week or month over a span, from the node's statistics ledger.
enum TrendCommand {
    static let help = """
        usage: ilo trend --from YYYY-MM-DD --to YYYY-MM-DD [--every week|month] [--by country|kind|priority|state|route]
                   [--events opened|closed|reopened|late-first [--by impact|kind|country]] [--format text|csv|json|svg]

        How many smuggling, return and border reports created in each week (ISO 8601,
        Monday first; default) or month of the span reached the node, one series per
        country, kind, priority, author's state or smuggling route (--by; default: one
        series; by route, smuggling reports only, each route as ORIGIN>TRANSIT>DESTINATION,
        e.g. ER+SD>LY>IT), every period listed, zeros included. From the node's statistics ledger, so erased
        reports still count; reports with personal data are left out, as in every
        breakdown (docs/REPORTS.md §9.1). For the roles that report on the network:
        board, authority, admin, dpo.

          --events M     events instead of reports (docs/REPORTS.md §5.10): opened, closed,
                         reopened, or late-first (first reports created more than 24 h
                         after the event); --by impact, kind or country
          --format text  (default) a bar per period, the series beside it
          --format csv   RFC 4180: period,SERIES…,total (one row per period), for a spreadsheet
          --format json  {"from","to","every","by","periods":[…],"series":[{"name","counts":[…]}]}
          --format svg   a stacked bar chart, the total above each bar, a legend with
                         each series' sum, each segment's number in its tooltip;
                         self-contained (no script, no font, no stylesheet)

        example:
          ilo trend --from 2026-01-01 --to 2026-12-31 --every month --by country --format csv
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let spanOptions = try LedgerSpan.options(&arguments)
        let everyText = try arguments.option("every") ?? "week"
        let byText = try arguments.option("by") ?? "none"
        let format = try arguments.option("format") ?? "text"
        let measure = try arguments.option("events").map { (text: String) throws(UsageError) -> EventLedgerRow.Measure in
            guard let measure = EventLedgerRow.Measure(rawValue: text) else { throw UsageError("--events: opened, closed, reopened or late-first") }
            return measure
        }
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        let span = try LedgerSpan(spanOptions, command: "ilo trend")
        let (from, to) = (span.from, span.to)
        guard let every = Trend.Every(rawValue: everyText) else { throw UsageError("--every: week or month") }
        guard let by = Trend.Series(rawValue: byText), by != .none || byText == "none" else {
            throw UsageError("--by: country, kind, priority, state or route (with --events: impact, kind or country)")
        }
        if measure == nil, by == .impact { throw UsageError("--by impact: events only (--events opened|closed|reopened|late-first)") }
        if measure != nil, ![.none, .impact, .kind, .country].contains(by) { throw UsageError("--events: --by impact, kind or country") }
        guard ["text", "csv", "json", "svg"].contains(format) else { throw UsageError("--format: text, csv, json or svg") }
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            let answer = try client.request(.activity, ["from": .string(from), "to": .string(to), "per_day": true]).body
            let trend = measure.map { measure in
                Trend(events: answer["events"]?.arrayValue?.compactMap(EventLedgerRow.init) ?? [], measure: measure, from: from, to: to, every: every, by: by)
            } ?? Trend(rows: answer["rows"]?.arrayValue?.compactMap(LedgerRow.init) ?? [], from: from, to: to, every: every, by: by)
            switch format {
            case "csv": print(trend.csv, terminator: "")
            case "json": print(trend.json.prettyString())
            case "svg": print(TrendChart(trend).svg, terminator: "")
            default: print(trend.text, terminator: "")
            }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}
