import Foundation
import ILONet
import ILOClient

enum QueueCommand {
    static let help = """
        usage: ilo queue [--json] [--limit N]     list what waits where, why, since when, next attempt
               ilo queue flush                    try every queued report now (links reconnect at once)
               ilo queue retry ID                 try this report now; one a peer refused goes back in the queue
               ilo queue hold ID                  keep this report, do not send it until released
               ilo queue release ID
               ilo queue delete ID [--reason TEXT] remove it from every queue and the dead letters (audited, with
                                                  the reason, in the node's queue audit); its author gets a
                                                  signed notice that an administrator deleted it

        ID is a report id, a unique prefix of one (at least 4 characters), ALL, or -
        to read ids from standard input, one per line (as postsuper -d - does).
        ALL and the others can be narrowed, like postsuper -h ALL deferred:
          --next-hop NODE        only what waits for (or died at) this next hop
          --state STATE          queued, held or dead (dead-lettered)
          --older-than DURATION  waiting (or dead) for longer than this: 2h, 7d
        e.g. ilo queue hold ALL --next-hop regional-na.ilonet.example --state queued
        Exit 1 when a named report was not touched; ALL that matches nothing exits 0
        (it says so), so that a nightly clean-up does not fail for want of work.

        For administrators (role admin). The queue lives in the node's SQLite store:
        tables outbound, dead_letters and queue_audit (docs/ROUTING.md §5).

        example:
          ilo queue --node 127.0.0.1:7602 --cert certs-example/admin.crt --key certs-example/admin.key --ca certs-example/ca.crt
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        let limit = try arguments.integer("limit", in: 1...100_000) ?? 1000
        let reason = try arguments.option("reason")
        var selection: [String: JSONValue] = [:]
        if let hop = try arguments.option("next-hop") { selection["next_hop"] = .string(hop) }
        if let state = try arguments.option("state") { selection["state"] = .string(state) }
        if let age = try arguments.option("older-than") { selection["older_than"] = .string(age) }
        let options = try ClientProfile.resolve(&arguments)
        let action = arguments.positional()
        let id = arguments.positional()
        try arguments.finish()
        if let action {
            guard ["flush", "retry", "hold", "release", "delete"].contains(action) else {
                throw UsageError("unknown queue action \"\(action)\" (flush, retry, hold, release, delete)")
            }
            if action != "flush" && id == nil { throw UsageError("ilo queue \(action) needs a report id, a prefix of one, ALL, or - (ids on standard input)") }
        }
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            if let action {
                // "-": the ids come on standard input, one per line.
                let ids: [String?] = id == "-"
                    ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self).split(whereSeparator: \.isNewline)
                        .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    : [id]
                var affected: Int64 = 0
                for one in ids {
                    var body: [String: JSONValue] = ["action": .string(action)].merging(selection) { a, _ in a }
                    if let one { body["id"] = .string(one) }
                    if let reason { body["reason"] = .string(reason) }
                    let answer = try client.request(.queueControl, .object(body))
                    affected += answer.body["affected"]?.integerValue ?? 0
                    if let why = answer.body["reason"]?.stringValue { printError(why) }
                }
                print("\(action): \(affected) queue entr\(affected == 1 ? "y" : "ies")")
                // A named report that was not touched is a failure; ALL that matched nothing is not.
                return affected == 0 && action != "flush" && id != "ALL" ? Exit.failed : Exit.ok
            }
            let state = try client.request(.queue, ["limit": .integer(Int64(limit))])
            if json {
                print(state.body.prettyString())
                return Exit.ok
            }
            print(render(state.body), terminator: "")
            if state.body["more"]?.boolValue == true {
                printError("more entries wait than fit in one answer; these are the first, in the order they will leave (ilo status shows the totals)")
            }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }

    static func render(_ state: JSONValue) -> String {
        var lines: [String] = []
        let node = state["node"]?.stringValue ?? "?"
        let links = state["links"]?.objectValue ?? [:]
        lines.append("links of \(node):")
        if links.isEmpty { lines.append("  (no peers)") }
        for name in links.keys.sorted() {
            let link = links[name]!
            var line = "  \(name)  \(link["state"]?.stringValue ?? "?") since \(link["since"]?.stringValue ?? "?") (\(link["direction"]?.stringValue ?? "?"))"
            if let error = link["last_error"]?.stringValue { line += "  last error: \(error)" }
            if let next = link["next_attempt"]?.stringValue { line += "  next attempt \(next)" }
            lines.append(line)
        }
        let queue = state["queue"]?.arrayValue ?? []
        lines.append("")
        lines.append(queue.isEmpty ? "queue is empty" : "queued (\(queue.count)), in the order they will leave:")
        for entry in queue {
            func s(_ key: String) -> String { entry[key]?.stringValue ?? "-" }
            var line = "  \(s("id"))  \(s("priority").padding(toLength: 9, withPad: " ", startingAt: 0))  \(s("kind")) \(s("country"))  -> \(s("next_hop"))  \(s("state"))  since \(s("queued"))"
            if let attempts = entry["attempts"]?.integerValue, attempts > 0 { line += "  attempts \(attempts)" }
            if let next = entry["next_attempt"]?.stringValue { line += "  next \(next)" }
            if let error = entry["last_error"]?.stringValue { line += "  (\(error))" }
            lines.append(line)
        }
        let dead = state["dead_letters"]?.arrayValue ?? []
        if !dead.isEmpty {
            lines.append("")
            lines.append("dead letters (\(dead.count)):")
            for entry in dead {
                lines.append("  \(entry["id"]?.stringValue ?? "?")  -> \(entry["next_hop"]?.stringValue ?? "?")  \(entry["reason"]?.stringValue ?? "?")  at \(entry["dead"]?.stringValue ?? "?")")
            }
        }
        // Peers' error messages are shown here: nothing in them may drive the terminal.
        return lines.map(TerminalText.line).joined(separator: "\n") + "\n"
    }
}
