import Foundation
import ILONet
import ILOClient

/// `ilo export`: reports and events as CSV for a reader's own tools (docs/REPORTS.md §11).
enum ExportCommand {
    static let help = """
        usage: ilo export reports --kind smuggling|return|border --from YYYY-MM-DD --to YYYY-MM-DD [--free-text] [--format csv]
               ilo export events --from YYYY-MM-DD --to YYYY-MM-DD [--format csv]

        reports  the reports of one kind created from --from to --to (both days
                 included) that you may read at the node, as RFC 4180 CSV (CRLF):
                 a header of column names, then one row per report in creation
                 order. Columns: id, event, follow_up_of, related, kind, country,
                 created, expires, origin.authority, origin.state, on_behalf_of,
                 priority, handling, reliability, accuracy, level, attachments (a
                 count), then the kind's body fields flattened (body.route.origin;
                 lists joined with ";", lists of objects as JSON). Never personal
                 data: reports that carry it are not exported, nor H2 and H3
                 reports (their providers restricted dissemination); both are
                 counted on standard error. The author's identity is not a column.
                 Free text (the headline and text fields) only with --free-text.
        events   border events whose first report was created in the span, one
                 row per event: event, first_report, owner, status, impact, then
                 columns numbered as the information items of Implementing
                 Regulation (EU) 2021/581 Annex 2, point 1 (unauthorised border
                 crossing), empty where ILONet's reports do not carry the item.
                 Not the EUROSUR exchange format, which is not public.

        The node takes the disclosure decision for every row and records each row
        given as a read in its audit trail (detail "export"). The same reports
        give the same bytes on a rerun. For officers, board members and
        authorities.

        examples:
          ilo export reports --kind border --from 2026-11-01 --to 2026-11-30 > border-november.csv
          ilo export events --from 2026-11-01 --to 2026-11-30 > events-november.csv
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let verb = arguments.positional()
        let kindText = try arguments.option("kind")
        let freeText = arguments.flag("free-text")
        let format = try arguments.option("format") ?? "csv"
        let spanOptions = try LedgerSpan.options(&arguments)
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        guard format == "csv" else { throw UsageError("--format: csv (RFC 4180) is the one format") }
        let kind: ReportKind
        switch verb {
        case "reports":
            guard let kindText else { throw UsageError("say which kind: --kind smuggling|return|border") }
            guard let parsed = ReportKind(rawValue: kindText), parsed.isContent else { throw UsageError("--kind: smuggling, return or border") }
            kind = parsed
        case "events":
            if kindText != nil || freeText { throw UsageError("ilo export events takes --from, --to and --format only (the events are border events)") }
            kind = .border
        case nil: throw UsageError("say what: ilo export reports --kind KIND … | ilo export events …")
        case let other?: throw UsageError("ilo export \(other): not a subcommand (reports, events)")
        }
        let span = try LedgerSpan(spanOptions, command: "ilo export \(verb ?? "")")
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            var rows: [(report: JSONValue, event: JSONValue?)] = []
            var after: Int64?
            var personal: Int64 = 0, restricted: Int64 = 0
            repeat {
                var request: [String: JSONValue] = ["kind": .string(kind.rawValue), "from": .string(span.from), "to": .string(span.to)]
                if let after { request["after"] = .integer(after) }
                let page = try client.request(.export, .object(request)).body
                for row in page["rows"]?.arrayValue ?? [] { rows.append((row["report"] ?? .null, row["event"])) }
                personal += page["skipped"]?["personal_data"]?.integerValue ?? 0
                restricted += page["skipped"]?["restricted"]?.integerValue ?? 0
                after = page["next"]?.integerValue
            } while after != nil
            print(verb == "events" ? EventAnnexExport.csv(rows) : ReportExport.csv(rows, kind: kind, freeText: freeText), terminator: "")
            let skipped = [(personal, "with personal data"), (restricted, "handled H2 or H3")].filter { $0.0 > 0 }
                .map { "\($0.0) report\($0.0 == 1 ? "" : "s") \($0.1)" }
            if !skipped.isEmpty { printError("not exported (you may read them, but they never leave the network this way): " + skipped.joined(separator: ", ")) }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}
