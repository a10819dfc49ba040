import Foundation
import ILONet
import ILOClient

/// `ilo report activity`: the network's activity over a span, from the node's
/// statistics ledger (Regulation (EU) 2019/1240 Art. 8).
enum ReportCommand {
    static let help = """
        usage: ilo report activity --from YYYY-MM-DD --to YYYY-MM-DD [--by DIMENSIONS] [--format md|csv|html]

        The activity report: how many smuggling, return and border reports created
        from --from to --to (both days included) reached the node, broken down by
        --by (default quarter,country,state,kind). Counted from the node's statistics
        ledger, which erasure and retention do not touch, so a hub that erased the
        reports long ago still counts them (docs/REPORTS.md §9). For the roles that
        report on the network: board, authority, admin, dpo.

          --by DIMENSIONS  comma-separated: one period (year, quarter, month) and any of
                           country, state (the author's), kind, authority, level,
                           priority, handling
          --format md      (default) headed tables; ends with the liaison officers
                           deployed on --to, from the deployment register (Art. 8)
          --format csv     RFC 4180: section,DIMENSIONS…,subject,reports; sections
                           reports, case-data, restricted, on-behalf-of, total, then
                           events-opened, events-closed, events-reopened and
                           late-first-reports (subject: the event's impact)
          --format html    the Markdown's tables as one self-contained HTML page
                           (no script, no external asset), to open or mail as it is

        Reports with personal data are counted only as totals per purpose, never
        broken down; the report holds no report id and no headline. The same
        ledger gives the same bytes every time.

        example:
          ilo report activity --from 2025-01-01 --to 2026-12-31 --by quarter,country,state,kind --format csv
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let spanOptions = try LedgerSpan.options(&arguments)
        let by = try arguments.option("by") ?? "quarter,country,state,kind"
        let format = try arguments.option("format") ?? "md"
        let options = try ClientProfile.resolve(&arguments)
        let verb = arguments.positional()
        try arguments.finish()
        guard verb == "activity" else {
            throw UsageError(verb == nil ? "say which report: ilo report activity --from DAY --to DAY" : "unknown report \"\(verb!)\" (activity)")
        }
        let span = try LedgerSpan(spanOptions, command: "ilo report activity")
        let (from, to) = (span.from, span.to)
        guard ["md", "csv", "html"].contains(format) else { throw UsageError("--format: md, csv or html") }
        let dimensions: [ActivityReport.Dimension]
        switch ActivityReport.dimensions(by) {
        case .success(let parsed): dimensions = parsed
        case .failure(let error): throw UsageError(error.description)
        }
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            let answer = try client.request(.activity, ["from": .string(from), "to": .string(to)]).body
            let rows = answer["rows"]?.arrayValue?.compactMap(LedgerRow.init) ?? []
            let events = answer["events"]?.arrayValue?.compactMap(EventLedgerRow.init) ?? []
            let report = ActivityReport(rows: rows, events: events, from: from, to: to, node: answer["node"]?.stringValue ?? "the node", dimensions: dimensions)
            if format == "csv" {
                print(report.csv, terminator: "")
                return Exit.ok
            }
            let deployed = Directory.exportTable(
                Directory.select(Directory.entries(try client.request(.directory).body), on: to, country: nil, state: nil))
            let officers = ActivityReport.Table(
                title: "Liaison officers deployed on \(to) (the deployment register)", header: deployed.header, rows: deployed.rows, note: nil)
            print(format == "html" ? report.html(extra: [officers]) : report.markdown + ActivityReport.markdownTable(officers), terminator: "")
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}
