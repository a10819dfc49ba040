import Foundation
import ILONet
import ILOClient

/// `ilo search`: the reports you may read that contain these words.
enum SearchCommand {
    static let help = """
        usage: ilo search WORDS... [--kind KIND] [--country CC] [--priority P] [--handling H]
                   [--state CC] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--limit N] [--page N] [--wide] [--json]

        Finds the reports held at the node that you may read now and that contain every
        word (in the headline or anywhere in the body; case and accents do not matter;
        a word ending in * matches words starting with it), best match first, with the
        text around the matches in [brackets]. Filters narrow it: --kind, --country
        (the report's), --priority, --handling, --state (the author's member state),
        --since and --until (the day it was created, both included). The same single
        disclosure decision as everywhere else: a report you may not read is never
        found, and every result shown is recorded in the node's audit trail
        (docs/REPORTS.md §10).

          --limit N   results per page (default 20, at most 50)
          --page N    the Nth page (default 1)
          --wide      the full id instead of the last 8 digits (rows as in ilo inbox)
          --json      the node's answer as it came

        examples:
          ilo search zuwara rubber boats --country LY
          ilo search 'smuggl*' --kind smuggling --since 2026-01-01 --json
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        let wide = arguments.flag("wide")
        var body: [String: JSONValue] = [:]
        for name in ["kind", "country", "priority", "handling", "state", "since", "until"] {
            if let value = try arguments.option(name) { body[name] = .string(name == "country" || name == "state" ? value.uppercased() : value) }
        }
        let limit = try arguments.integer("limit", in: 1...SearchQuery.maximumLimit) ?? 20
        let page = try arguments.integer("page", in: 1...100) ?? 1
        let options = try ClientProfile.resolve(&arguments)
        var words: [String] = []
        while let word = arguments.positional() { words.append(word) }
        try arguments.finish()
        let text = words.joined(separator: " ")
        guard !SearchQuery.words(text).isEmpty else { throw UsageError("say what to look for: ilo search WORDS... (e.g. ilo search zuwara boats)") }
        body["query"] = .string(text)
        body["limit"] = .integer(Int64(limit))
        body["offset"] = .integer(Int64((page - 1) * limit))
        do throws(ClientError) {
            let client = try connect(options, followHome: true)
            defer { client.close() }
            let answer = try client.request(.search, .object(body)).body
            if json {
                print(answer.prettyString())
                return Exit.ok
            }
            let hits = answer["results"]?.arrayValue?.compactMap(SearchHit.init) ?? []
            if hits.isEmpty {
                print(page == 1 ? "no report you may read matches \"\(text)\"" : "no more results (page \(page))")
            }
            if !hits.isEmpty { print(ReportRows.header(wide: wide)) }
            let rows = hits.map { hit in
                var row = ReportRows.Row(report: hit.json)
                row.author = hit.author
                row.authority = hit.authority
                return row
            }
            for (hit, line) in zip(hits, ReportRows.lines(rows, wide: wide)) {
                print(line)
                let snippet = hit.snippet.replacingOccurrences(of: SearchHit.highlightStart, with: "[").replacingOccurrences(of: SearchHit.highlightEnd, with: "]")
                    .replacingOccurrences(of: "\n", with: " ")
                // The snippet under the headline, indented and cut to the row's width.
                print("    " + ReportRows.cut(TerminalText.line(snippet), ReportRows.width - 4))
            }
            if answer["more"] == .bool(true) { print("more results: ilo search \(text) --page \(page + 1)") }
            if answer["truncated"] == .bool(true) {
                printError("more than \(SearchQuery.maximumCandidates) reports match; the \(SearchQuery.maximumCandidates) most recent were ranked. Add words, filters or --since/--until")
            }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}
