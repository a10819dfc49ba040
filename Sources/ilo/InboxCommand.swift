import Foundation
import ILONet
import ILOClient

/// `ilo inbox`: your mailbox at your home node (docs/CLI.md §2). New reports
/// are shown and marked read; `--all` lists read ones too, newest first. The
/// read state is the one the web view shows: one mailbox, whichever client.
enum InboxCommand {
    static let help = """
        usage: ilo inbox [--all] [--json] [--limit N] [--before CURSOR] [--peek] [--wide] [--notices]

        Your mailbox at your home node (the node the register says you read at;
        ilo goes there if you connect elsewhere): the reports delivered to you — by
        your subscriptions wherever they were published, as a named addressee or
        your authority, by consent, digests — stay there, read or unread, until they
        expire or are erased. Without --all: the unread ones, most urgent first,
        marked read once printed (the web view then shows them read too). A report
        already shown whose marking was lost is marked, not shown again.
        Notices about your own reports are `ilo sent`'s (--notices lists them here).

        Each row fits 80 columns: • unread, priority, handling, time (HH:MM today,
        else the date, UTC), the author's authority, country, headline, and the last
        8 digits of the id, which `ilo show`, `ilo read` and `ilo unread` accept.

          --all      read and unread, newest first, --limit per page (default 20)
          --before   the page after CURSOR (the line "more: …" gives the command)
          --json     print a JSON array of the full reports (with --all: {"reports":
                     [{"report", "read"}], "cursor"}, cursor only when more follow)
          --limit    at most N reports
          --peek     print without marking anything read
          --wide     the full id instead of the short one
          --notices  only the notices about your own reports, as inbox items

        examples:
          ilo subscribe 'smuggling/LY/#' && ilo inbox
          ilo inbox --all --limit 10
          ilo unread 3f9c2a1b
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        let peek = arguments.flag("peek")
        let all = arguments.flag("all")
        let wide = arguments.flag("wide")
        let limit = try arguments.integer("limit", in: 1...1_000_000)
        let before = try arguments.integer("before", in: 1...Int.max)
        let notices = arguments.flag("notices")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        if before != nil && !all { throw UsageError("--before pages through --all: ilo inbox --all --before CURSOR") }
        if all && notices { throw UsageError("--notices lists notices as new items; ilo sent shows all of them with their reports") }
        do throws(ClientError) {
            let client = try connect(options, followHome: true)
            defer { client.close() }
            if all { return try listAll(client, limit: limit ?? 20, before: before, json: json, wide: wide) }
            return try listUnread(client, options: options, limit: limit, peek: peek, notices: notices, json: json, wide: wide)
        } catch {
            return exitFor(error)
        }
    }

    /// The unread reports, page by page, each page marked read once printed.
    static func listUnread(
        _ client: ClientConnection, options: ClientOptions, limit: Int?, peek: Bool, notices: Bool, json: Bool, wide: Bool
    ) throws(ClientError) -> Int32 {
        let seen = SeenReports(node: client.welcome.body["node"]?.stringValue ?? options.node.description, certificate: options.certificatePath)
        var shown = 0
        var printedHeader = false
        var pending: [String] = []
        var jsonCount = 0  // --json: one array, written page by page (the client holds one page at a time)
        var marked = Set<String>()
        while limit.map({ shown < $0 }) ?? true {
            let want = min(500, (limit ?? Int.max) - shown)
            let batch = try client.request(.fetch, ["limit": .integer(Int64(want)), "notices": .bool(notices)])
            let entries = batch.body["reports"]?.arrayValue ?? []
            var page: [JSONValue] = []
            for entry in entries {
                guard let report = entry["report"], let id = report["id"]?.stringValue else { throw ClientError.malformed("BATCH entry without report") }
                // --peek marks nothing, so the next page would be the same: one page only.
                if marked.contains(id) { continue }
                pending.append(id)
                if !seen.contains(id) || peek { page.append(report) }
            }
            shown += page.count
            if json {
                for report in page {
                    print(jsonCount == 0 ? "[" : ",", terminator: "")
                    print(report.prettyString(), terminator: "")
                    jsonCount += 1
                }
                fflush(nil)
            } else if !page.isEmpty {
                if !printedHeader { print(ReportRows.header(wide: wide)) }
                printedHeader = true
                for line in ReportRows.lines(page.map { ReportRows.Row(report: $0, read: false) }, wide: wide) { print(line) }
                fflush(nil)
            }
            if peek || batch.body["more"]?.boolValue != true || entries.isEmpty { break }
            // Marked page by page (after printing it), so the next FETCH returns the next page.
            marked.formUnion(pending)
            try markRead(&pending, seen: seen, client: client)
        }
        if json { print(jsonCount == 0 ? "[]" : "]") }
        if shown == 0 && !json { print(notices ? "no new notices" : "no new reports (ilo inbox --all lists the ones you read)") }
        if !peek { try markRead(&pending, seen: seen, client: client) }
        return Exit.ok
    }

    /// Read and unread, newest first, one page.
    static func listAll(_ client: ClientConnection, limit: Int, before: Int?, json: Bool, wide: Bool) throws(ClientError) -> Int32 {
        var body: [String: JSONValue] = ["all": true, "limit": .integer(Int64(min(limit, 500)))]
        if let before { body["before"] = .integer(Int64(before)) }
        let batch = try client.request(.fetch, .object(body))
        let entries = batch.body["reports"]?.arrayValue ?? []
        let rows = entries.compactMap { entry in entry["report"].map { ReportRows.Row(report: $0, read: entry["read"]?.boolValue ?? true) } }
        let more = batch.body["more"]?.boolValue == true ? entries.last?["seq"]?.integerValue : nil
        if json {
            var answer: [String: JSONValue] = ["reports": .array(entries.map { ["report": $0["report"] ?? .null, "read": $0["read"] ?? true] })]
            if let more { answer["cursor"] = .integer(more) }
            print(JSONValue.object(answer).prettyString())
            return Exit.ok
        }
        if rows.isEmpty {
            print(before == nil ? "your mailbox is empty" : "no older reports")
            return Exit.ok
        }
        print(ReportRows.header(wide: wide))
        for line in ReportRows.lines(rows, wide: wide) { print(line) }
        let unread = rows.filter { $0.read == false }.count
        print("\(rows.count) report(s), \(unread) unread (•)" + (more.map { "; more: ilo inbox --all --limit \(limit) --before \($0)" } ?? ""))
        return Exit.ok
    }

    /// Records the ids as shown, then marks them read at the node.
    static func markRead(_ ids: inout [String], seen: SeenReports, client: ClientConnection) throws(ClientError) {
        guard !ids.isEmpty else { return }
        seen.record(ids)
        var rest = ids[...]
        while !rest.isEmpty {
            let chunk = Array(rest.prefix(1000))
            rest = rest.dropFirst(chunk.count)
            try client.request(.mark, ["ids": .array(chunk.map { .string($0) }), "read": true])
        }
        ids.removeAll()
    }
}

/// `ilo read ID…` and `ilo unread ID…`: the read flag of reports in your mailbox.
enum MarkCommand {
    static let help = """
        usage: ilo read ID… | ilo unread ID…

        Marks reports in your mailbox read or unread, as the web view's buttons do
        (one flag per report, shared by every client). ID is a report id or the
        last 8 digits `ilo inbox` shows.

        example:
          ilo unread 3f9c2a1b && ilo inbox
        """

    static func run(_ command: String, _ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let options = try ClientProfile.resolve(&arguments)
        var names: [String] = []
        while let name = arguments.positional() { names.append(name) }
        try arguments.finish()
        guard !names.isEmpty else { throw UsageError("name the reports: ilo \(command) ID…") }
        guard names.count <= 1000 else { throw UsageError("at most 1000 reports at a time") }
        do throws(ClientError) {
            let client = try connect(options, followHome: true)
            defer { client.close() }
            var ids: [String] = []
            for name in names { ids.append(try resolveReportID(name, client: client)) }
            let answer = try client.request(.mark, ["ids": .array(ids.map { .string($0) }), "read": .bool(command == "read")])
            let changed = answer.body["changed"]?.integerValue ?? 0
            print("\(changed) of \(ids.count) marked \(command)" + (changed < ids.count ? " (the others already were, or are not in your mailbox)" : ""))
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}

/// A full report id for `name`: a full id as it is, or the end of one (the
/// short id listings show), which the node resolves among your mailbox and
/// your own reports.
func resolveReportID(_ name: String, client: ClientConnection) throws(ClientError) -> String {
    if ReportID(name) != nil { return name }
    let answer = try client.request(.get, ["id": .string(name), "resolve": true])
    guard let id = answer.body["id"]?.stringValue else { throw ClientError.malformed("GET resolve answered without an id") }
    return id
}
