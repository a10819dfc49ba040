import Foundation
import ILONet
import ILOClient

/// `ilo sent`: your own reports, newest first, each with where it is now.
enum SentCommand {
    static let help = """
        usage: ilo sent [ID] [--limit N] [--json]

        Your own reports, newest first, each with its state: queued on this computer,
        accepted by your node, forwarded, delivered at NODE (from the signed receipts
        of the nodes that delivered it), dead-lettered (why, in this computer's words
        for the node's error code), expired, deleted by an administrator, erased.
        The notices about your reports come here,
        attached to the report they are about, not to your inbox; a notice counts
        only when its signature verifies against your CA (--ca) as a node's.
        `ilo sent ID` tells one report's whole story, step by step. The notices it
        shows are then confirmed: they no longer wait in `ilo inbox --notices`.

          --limit N  at most N reports from the node (default 20, at most 200)
          --json     machine-readable: [{"id", "kind", "country", "headline", "created",
                     "state", "events": [{"at", "what"}]}]

        When the node cannot be reached, what this computer knows is shown (exit 3).

        examples:
          ilo sent
          ilo sent 01a203e3-9a9d-7569-96cb-d3307401edde
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        let limit = try arguments.integer("limit", in: 1...200) ?? 20
        let options = try ClientProfile.resolve(&arguments)
        let id = arguments.positional()
        try arguments.finish()
        if let id, ReportID(id) == nil { throw UsageError("\"\(id)\" is not a report id") }
        var local: [Outbox.Entry] = []
        do throws(OutboxError) {
            if let outbox = try Outbox(for: options, create: false) {
                if let id {
                    local = try outbox.entry(id).map { [$0] } ?? []
                } else {
                    local = try outbox.all(limit: limit)
                }
            }
        } catch {
            printError("\(error)")
        }
        var answer: JSONValue?
        var unreachable: ClientError?
        do throws(ClientError) {
            let client = try connect(options)
            var body: [String: JSONValue] = ["limit": .integer(Int64(limit))]
            if let id { body["id"] = .string(id) }
            answer = try client.request(.sent, .object(body)).body
            // The notices are read here, with their reports: they leave the inbox's
            // pending deliveries (ilo inbox --notices would list them otherwise).
            let verdict = SignatureVerdict(options: options)
            let read = (answer?["reports"]?.arrayValue ?? []).flatMap { $0["notices"]?.arrayValue ?? [] }
                .filter { verdict.isTrustedNotice($0) }.compactMap { $0["id"]?.stringValue }
            for chunk in stride(from: 0, to: read.count, by: 1000) {
                _ = try? client.request(.confirm, ["ids": .array(read[chunk..<min(chunk + 1000, read.count)].map { .string($0) })])
            }
            client.close()
        } catch {
            unreachable = error
        }
        let stories = SentView.stories(outbox: local, node: answer, verdict: SignatureVerdict(options: options), requested: id)
        if json {
            print(JSONValue.array(stories.map(\.json)).prettyString())
        } else if stories.isEmpty {
            print(id.map { "no report \($0) of yours, on this computer or at \(options.node)" } ?? "you have sent no reports from this computer or through \(options.node)")
        } else if id != nil, let story = stories.first {
            print(TerminalText.line(story.headline))
            print("")
            print("  id       \(story.id)")
            print("  report   \(story.kind) about \(story.country), written \(story.created ?? "?")")
            print("  now      \(TerminalText.line(story.state))")
            print("")
            for event in story.events { print("  \(event.at ?? "                        ")  \(TerminalText.line(event.what))") }
        } else {
            let now = Timestamp.nowMilliseconds()
            print("ID                                    AGE   KIND       CC  HEADLINE")
            for story in stories {
                let age = story.created.flatMap(Timestamp.parse).map { Timestamp.age(now - $0) } ?? "?"
                func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
                print([story.id, pad(age, 4), pad(story.kind, 9), pad(story.country, 2), TerminalText.line(story.headline)].joined(separator: "  "))
                print("    \(TerminalText.line(story.state))")
            }
        }
        if let unreachable {
            printError("\(unreachable); shown is what this computer knows")
            return unreachable.isTransient ? Exit.unavailable : Exit.failed
        }
        if answer?["more"] == .bool(true) { printError("more of your reports are held at the node: ilo sent --limit \(limit * 2)") }
        return Exit.ok
    }
}
