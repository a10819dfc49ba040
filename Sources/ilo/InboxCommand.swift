import Foundation
import ILONet
import ILOClient

enum InboxCommand {
    static let help = """
        usage: ilo inbox [--json] [--limit N] [--peek] [--notices]

        Fetches the reports delivered to you — by your subscriptions, as a named
        addressee, consents and digests for you — most urgent first, prints them,
        and confirms them to the node, so the next `ilo inbox` shows only newer ones.
        A report already shown (the confirmation was lost) is confirmed, not shown again.
        Notices about your own reports (delivered, expired, refused, deleted) are not
        inbox items: `ilo sent` shows them with the reports they are about.

          --json     print a JSON array of the full reports
          --limit    at most N reports (default: all)
          --peek     print without confirming
          --notices  only the notices about your own reports, as inbox items

        example:
          ilo subscribe 'smuggling/LY/#' && ilo inbox
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        let peek = arguments.flag("peek")
        let limit = try arguments.integer("limit", in: 1...1_000_000)
        let notices = arguments.flag("notices")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        let seen = SeenReports(node: options.node.description, certificate: options.certificatePath)

        do throws(ClientError) {
            let client = try connect(options)
            var shown: [JSONValue] = []
            var pending: [String] = []
            var fetched = 0
            var shownCount = 0  // --json: written as they come, not kept
            while limit.map({ shown.count + shownCount < $0 }) ?? true {
                let want = min(500, (limit ?? Int.max) - shown.count - shownCount)
                let batch = try client.request(.fetch, ["limit": .integer(Int64(want)), "notices": .bool(notices)])
                let entries = batch.body["reports"]?.arrayValue ?? []
                fetched += entries.count
                var page: [JSONValue] = []
                for entry in entries {
                    guard let report = entry["report"], let id = report["id"]?.stringValue else { throw ClientError.malformed("BATCH entry without report") }
                    pending.append(id)
                    if !seen.contains(id) || peek { page.append(report) }
                }
                if !peek && !page.isEmpty && !json {
                    if shown.isEmpty { print("ID                                    AGE   PRIORITY   H   KIND       CC  HEADLINE") }
                    for report in page { print(ReportRendering.summaryLine(report)) }
                    fflush(nil)
                }
                if json && !peek {
                    // One JSON array, written page by page: the client holds one page at a time.
                    for (index, report) in page.enumerated() {
                        print(shownCount == 0 && index == 0 ? "[" : ",", terminator: "")
                        print(report.prettyString(), terminator: "")
                    }
                    fflush(nil)
                    shownCount += page.count
                } else {
                    shown += page
                }
                if peek || batch.body["more"]?.boolValue != true || entries.isEmpty { break }
                // Confirm page by page (after printing it), so the next FETCH returns the
                // next page and an interrupted run does not fetch the same ones again.
                try acknowledge(&pending, seen: seen, client: client)
            }
            if json && !peek {
                print(shownCount == 0 ? "[]" : "]")
                fflush(nil)
            } else if json {
                print(JSONValue.array(shown).prettyString())
                fflush(nil)
            } else if peek {
                for report in shown { print(ReportRendering.summaryLine(report)) }
            }
            if shown.isEmpty && shownCount == 0 && !json { print("no new reports") }
            if !peek { try acknowledge(&pending, seen: seen, client: client) }
            client.close()
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }

    /// Records the ids as shown, then confirms them to the node.
    static func acknowledge(_ ids: inout [String], seen: SeenReports, client: ClientConnection) throws(ClientError) {
        guard !ids.isEmpty else { return }
        seen.record(ids)
        var rest = ids[...]
        while !rest.isEmpty {
            let chunk = Array(rest.prefix(1000))
            rest = rest.dropFirst(chunk.count)
            try client.request(.confirm, ["ids": .array(chunk.map { .string($0) })])
        }
        ids.removeAll()
    }
}
