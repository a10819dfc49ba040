import Foundation
import ILONet

enum InboxCommand {
    static let help = """
        usage: ilo inbox [--json] [--limit N] [--peek]

        Fetches the reports you have not read yet, prints them, and then tells the
        node they were read (so the next `ilo inbox` shows only newer ones).

          --json    print a JSON array of the full reports
          --limit   at most N reports (default: all)
          --peek    print without marking them read

        example:
          ilo inbox --json | jq '.[].headline'
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        let peek = arguments.flag("peek")
        let limit = try arguments.integer("limit", in: 1...1_000_000)
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()

        do throws(ClientError) {
            let client = try ClientConnection(options)
            var reports: [JSONValue] = []
            var lastSeq: Int64 = 0
            while limit.map({ reports.count < $0 }) ?? true {
                let want = min(500, (limit ?? Int.max) - reports.count)
                let batch = try client.request(.fetch, ["limit": .integer(Int64(want))])
                let entries = batch.body["reports"]?.arrayValue ?? []
                for entry in entries {
                    guard let seq = entry["seq"]?.integerValue, let report = entry["report"] else {
                        throw ClientError.malformed("BATCH entry without seq or report")
                    }
                    reports.append(report)
                    lastSeq = max(lastSeq, seq)
                }
                if batch.body["more"]?.boolValue != true || entries.isEmpty || peek { break }
                // Confirm each page so a long backlog is not fetched twice if interrupted.
                try client.request(.confirm, ["through": .integer(lastSeq)])
            }
            if json {
                print(JSONValue.array(reports).prettyString())
            } else if reports.isEmpty {
                print("no new reports")
            } else {
                print("ID                                    AGE   PRIORITY   H   KIND       CC  HEADLINE")
                for report in reports { print(ReportRendering.summaryLine(report)) }
            }
            fflush(nil)  // printed before the node is told they were read
            if !peek && lastSeq > 0 { try client.request(.confirm, ["through": .integer(lastSeq)]) }
            client.close()
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}
