import Foundation
import ILONet
import ILOClient

enum DigestCommand {
    static let help = """
        usage: ilo digest show [ID] [--format text|markdown|json]
               ilo digest preview FILTER [--since 24h|TIME] [--until TIME] [--format text|markdown|json]

        show: a digest delivered to you (the newest one without ID).
        preview: builds a digest now for FILTER over a span, without subscribing.
        Digests count the reports by kind, country and priority, give the change
        against the period before, and list headlines and ids, flash and immediate
        first. H2 and H3 reports are counted but not listed; reports with personal data never appear.

        examples:
          ilo digest show --format markdown > digest.md
          ilo digest preview 'smuggling/#' --since 7d
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let format = try arguments.option("format") ?? "text"
        guard ["text", "markdown", "json"].contains(format) else { throw UsageError("--format is text, markdown or json") }
        let since = try arguments.option("since")
        let until = try arguments.option("until")
        let options = try ClientProfile.resolve(&arguments)
        let action = arguments.positional()
        let argument = arguments.positional()
        try arguments.finish()
        do throws(ClientError) {
            let client = try connect(options, followHome: true)
            defer { client.close() }
            let body: JSONValue
            switch action {
            case "show":
                let answer: Message
                do throws(ClientError) {
                    answer = try client.request(.get, argument.map { ["id": .string($0)] } ?? ["latest": "digest"])
                } catch .refused(let refusal) where refusal.code == .notFound && argument == nil {
                    // Not an error: nothing was delivered yet.
                    print("no digest yet: none has been delivered to you (ilo subscribe FILTER --digest daily; ilo digest preview FILTER shows one now)")
                    return Exit.ok
                }
                guard let report = answer.body["report"], report["kind"] == "digest" else { throw ClientError.malformed("that report is not a digest") }
                body = report["body"] ?? .null
            case "preview":
                guard let filter = argument else { throw ClientError.malformed("ilo digest preview needs a FILTER") }
                var request: [String: JSONValue] = ["filter": .string(filter)]
                if let since { request["since"] = .string(since) }
                if let until { request["until"] = .string(until) }
                body = try client.request(.digestPreview, .object(request)).body["digest"] ?? .null
            default:
                printError("expected: ilo digest show [ID] | ilo digest preview FILTER")
                return Exit.usage
            }
            switch format {
            case "json": print(body.prettyString())
            default: print(DigestRendering.render(body, markdown: format == "markdown"), terminator: "")
            }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}

/// Digests as people read them (text or Markdown).
enum DigestRendering {
    static func render(_ digest: JSONValue, markdown: Bool) -> String {
        func s(_ key: String) -> String { TerminalText.line(digest[key]?.stringValue ?? "?") }
        let counts = digest["counts"] ?? .null
        let previous = digest["previous"] ?? .null
        let total = counts["total"]?.integerValue ?? 0
        let change = digest["change"]?.integerValue ?? 0
        var out: [String] = []
        let title = "\(s("period").capitalized) digest for \(s("filter")), \(s("from")) – \(s("to"))"
        out.append(markdown ? "# \(title)" : title)
        out.append("")
        if digest["nothing_new"] == .bool(true) {
            out.append("Nothing new in this period (the period before had \(previous["total"]?.integerValue ?? 0)).")
            return out.joined(separator: "\n") + "\n"
        }
        out.append("\(total) report\(total == 1 ? "" : "s") (\(change >= 0 ? "+" : "")\(change) against the period before).")
        for (key, label) in [("by_priority", "priority"), ("by_kind", "kind"), ("by_country", "country")] {
            let now = counts[key]?.objectValue ?? [:]
            let before = previous[key]?.objectValue ?? [:]
            let parts = now.keys.sorted().map { name -> String in
                let n = now[name]?.integerValue ?? 0
                let d = n - (before[name]?.integerValue ?? 0)
                return "\(name) \(n) (\(d >= 0 ? "+" : "")\(d))"
            }
            out.append((markdown ? "- **By \(label):** " : "  by \(label): ") + parts.joined(separator: ", "))
        }
        if let withheld = digest["withheld"]?.integerValue, withheld > 0 {
            out.append((markdown ? "- " : "  ") + "\(withheld) more report\(withheld == 1 ? "" : "s") counted but not listed (a digest lists at most 500, and only what you may read)")
        }
        out.append("")
        out.append(markdown ? "## Reports" : "Reports:")
        let entries = digest["reports"]?.arrayValue ?? []
        var headlines: [String: Int] = [:]
        for entry in entries { headlines[entry["headline"]?.stringValue ?? "", default: 0] += 1 }
        for entry in entries {
            func e(_ key: String) -> String { TerminalText.line(entry[key]?.stringValue ?? "?") }
            // The same headline twice: who wrote each, and when, tell them apart.
            let who = headlines[entry["headline"]?.stringValue ?? "", default: 0] > 1 && entry["author"] != nil
                ? " (\(e("author")), \(e("created").prefix(16).replacingOccurrences(of: "T", with: " ")))" : ""
            let line = "\(e("priority").uppercased()) \(e("kind")) \(e("country")) [\(e("handling"))] \(e("headline"))\(who) — \(e("id"))"
            out.append(markdown ? "- \(line)" : "  \(line)")
        }
        return out.joined(separator: "\n") + "\n"
    }
}
