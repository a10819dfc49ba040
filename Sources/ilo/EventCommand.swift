import Foundation
import ILONet
import ILOClient

/// `ilo event`: events as duty desks work them (docs/REPORTS.md §5.10;
/// Implementing Regulation (EU) 2021/581 Art. 9, 16 and 17).
enum EventCommand {
    static let help = """
        usage: ilo event list [--open | --closed] [--limit N] [--json]
               ilo event show ID [--json]
               ilo event assess ID --impact low|medium|high|very-high [--note TEXT]
               ilo event validate ID --validated | --not-validated [--note TEXT]
               ilo event close ID --reason did-not-occur|impact-does-not-justify-reporting|resolved|other [--note TEXT]
               ilo event reopen ID [--note TEXT]
               ilo event transfer ID --to authority:NAME [--note TEXT]
               ilo event share ID --with IDENTITY|authority:NAME [--note TEXT]

        An event is its first report's id: a report with follow_up_of joins the
        event of the report it follows up (ilo send --follow-up-of ID). Its owner
        is the first author's deploying authority.

          list      the events you may see, newest first: status, owner, impact,
                    time to first report (late: more than 24 h after the event)
          show      one event: status, owner, current impact (the owner's latest,
                    else the first report's), confidence (the first report's
                    reliability and accuracy, and the validation), time to first
                    report, its reports in time order with their measures taken
                    and planned (only those you may read; the others counted),
                    and every action with who took it and when
          assess    the owner assigns or revises the event's impact (Art. 17(5));
                    each report keeps its own
          validate  an authority of the first author's state: validated or not
                    (Art. 16(2))
          close     the owner closes it (Art. 9(7)); follow-ups are refused,
                    naming the reason, until it is reopened (--note is required
                    with --reason other)
          reopen    the owner reopens a closed event
          transfer  the owner hands it to another deploying authority
          share     the owner lets an identity or a deploying authority read the
                    event's H0 and H1 reports without personal data, those that
                    join it later included (e.g. the steering board: --with
                    board.fr.martin); the event page then shows them

        The owner is an authority identity of the owning deploying authority, or
        the first report's author. Each action is a signed report (kind event)
        that goes wherever the event's reports went, and every node that holds
        them applies it.

        examples:
          ilo event list --open
          ilo event show 01a203e3-9a9d-7569-96cb-d3307401edde
          ilo event assess 01a203e3-9a9d-7569-96cb-d3307401edde --impact very-high --note "second boat seen"
          ilo event close 01a203e3-9a9d-7569-96cb-d3307401edde --reason did-not-occur
          ilo event share 01a203e3-9a9d-7569-96cb-d3307401edde --with board.fr.martin
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        guard let verb = arguments.positional() else { throw UsageError("say what: ilo event list | show ID | assess | validate | close | reopen | transfer ID …") }
        switch verb {
        case "list": return try list(&arguments)
        case "show": return try show(&arguments)
        case "assess", "validate", "close", "reopen", "transfer", "share": return try act(verb, &arguments)
        default: throw UsageError("ilo event \(verb): not a subcommand (list, show, assess, validate, close, reopen, transfer, share)")
        }
    }

    static func list(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        let open = arguments.flag("open"), closed = arguments.flag("closed")
        if open && closed { throw UsageError("--open or --closed, not both (neither: every event)") }
        let limit = try arguments.option("limit").map { (text: String) throws(UsageError) -> Int in
            guard let value = Int(text), (1...500).contains(value) else { throw UsageError("--limit: 1 to 500") }
            return value
        } ?? 100
        let json = arguments.flag("json")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            var request: [String: JSONValue] = ["limit": .integer(Int64(limit))]
            if open { request["status"] = "open" }
            if closed { request["status"] = "closed" }
            let answer = try client.request(.events, .object(request))
            if json {
                print(answer.body.prettyString())
                return Exit.ok
            }
            let events = answer.body["events"]?.arrayValue ?? []
            if events.isEmpty { print("no event you may see at \(answer.body["node"]?.stringValue ?? "this node")") }
            for event in events { print(row(event)) }
            if answer.body["more"]?.boolValue == true { print("(more: ask for fewer with --limit, or --open / --closed)") }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }

    /// One line of `ilo event list`.
    static func row(_ event: JSONValue) -> String {
        func s(_ key: String) -> String { event[key]?.stringValue ?? "-" }
        let status = s("status") == "closed" ? "closed (\(s("close_reason")))" : "open"
        return "\(s("id"))  \(s("kind")) \(s("country"))  \(status)  owner \(s("owner"))  impact \(s("impact"))  first report \(firstReport(event))"
    }

    /// "after 3h00m" (late: more than 24 h), or "(event time not stated)".
    static func firstReport(_ event: JSONValue) -> String { EventAction.firstReportText(event, lateMark: " LATE (more than 24 h, 2021/581 Art. 9(3))") }

    static func show(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        guard let id = arguments.positional() else { throw UsageError("name the event: ilo event show ID") }
        let json = arguments.flag("json")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            let answer = try client.request(.event, ["id": .string(try OrderCommand.resolve(id, client))])
            print(json ? answer.body.prettyString() : render(answer.body), terminator: json ? "\n" : "")
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }

    /// An EVENT-VIEW as people read it.
    static func render(_ view: JSONValue) -> String {
        let event = view["event"] ?? .null
        func s(_ value: JSONValue?) -> String { value?.stringValue ?? value.map { $0.encodedString() } ?? "-" }
        var out = "event        \(s(event["id"])) (\(s(event["kind"])), \(s(event["country"])))\n"
        out += "status       \(s(event["status"]))" + (event["close_reason"].map { " (\(s($0)))" } ?? "") + "\n"
        out += "owner        \(s(event["owner"])) (first report by \(s(event["first_author"])), \(s(event["first_state"])))\n"
        out += "impact       \(s(event["impact"])) (\(s(event["impact_by"])))\n"
        let confidence = view["confidence"] ?? .null
        out += "confidence   reliability \(s(confidence["reliability"])), accuracy \(s(confidence["accuracy"])), \(s(confidence["validation"]))\n"
        out += "happened     \(s(event["time"]))\n"
        out += "first report \(s(event["created"])), \(firstReport(event))\n"
        if let note = event["note"]?.stringValue { out += "note         \(note)\n" }
        out += "\nreports (time order)\n"
        for report in view["reports"]?.arrayValue ?? [] {
            out += "  \(s(report["created"]))  \(s(report["id"]))  \(s(report["author"])) (\(s(report["authority"])))  impact \(s(report["impact"]))\n"
            out += "    \(s(report["headline"]))\n"
            if let taken = report["measures_taken"]?.stringValue { out += "    measures taken:   \(taken)\n" }
            if let planned = report["measures_planned"]?.stringValue { out += "    measures planned: \(planned)\n" }
        }
        let withheld = view["withheld"]?.integerValue ?? 0
        if withheld > 0 { out += "  \(withheld) report\(withheld == 1 ? "" : "s") you may not read\n" }
        let actions = view["actions"]?.arrayValue ?? []
        if !actions.isEmpty { out += "\nactions\n" }
        for action in actions {
            var what = s(action["action"])
            for key in ["impact", "validation", "reason", "to"] { if let value = action[key]?.stringValue { what += " " + value } }
            out += "  \(s(action["created"]))  \(what) by \(s(action["by"])) (\(s(action["authority"])))" + (action["note"].map { ": \(s($0))" } ?? "") + "\n"
        }
        return out
    }

    static func act(_ verb: String, _ arguments: inout Arguments) throws(UsageError) -> Int32 {
        guard let id = arguments.positional() else { throw UsageError("name the event: ilo event \(verb) ID") }
        let action: EventAction.Action
        var impact: String?, validation: EventAction.Validation?, reason: EventAction.CloseReason?, to: String?
        switch verb {
        case "assess":
            action = .assessImpact
            guard let value = try arguments.option("impact") else { throw UsageError("--impact \(CodeBook.impact.words.joined(separator: "|"))") }
            guard CodeBook.impact.words.contains(value) else { throw UsageError("--impact: \(value) is not on the scale (\(CodeBook.impact.words.joined(separator: ", ")))") }
            impact = value
        case "validate":
            action = .validate
            let yes = arguments.flag("validated"), no = arguments.flag("not-validated")
            guard yes != no else { throw UsageError("say which: --validated or --not-validated") }
            validation = yes ? .validated : .notValidated
        case "close":
            action = .close
            guard let value = try arguments.option("reason") else {
                throw UsageError("say why: --reason \(EventAction.CloseReason.allCases.map(\.rawValue).joined(separator: "|"))")
            }
            guard let parsed = EventAction.CloseReason(rawValue: value) else {
                throw UsageError("--reason: \(value) is not a reason (\(EventAction.CloseReason.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            reason = parsed
        case "reopen":
            action = .reopen
        case "share":
            action = .share
            guard let value = try arguments.option("with"), Report.isAddressee(value) else {
                throw UsageError("say with whom: --with IDENTITY (board.fr.martin) or --with authority:NAME (authority:FR-DGEF)")
            }
            to = value
        default:
            action = .transfer
            guard let value = try arguments.option("to"), EventAction.authority(named: value) != nil else {
                throw UsageError("name the new owner: --to authority:NAME (e.g. authority:IT-PS)")
            }
            to = value
        }
        let note = try arguments.option("note")
        if let note, note.count > 500 { throw UsageError("--note: \(note.count) characters; at most 500") }
        if reason == .other, note == nil { throw UsageError("--reason other: say why with --note TEXT") }
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        guard let signer = loadSigner(options) else { return Exit.failed }
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            let fullID = try OrderCommand.resolve(id, client)
            // The event as this node holds it names its country (the action's envelope).
            let view = try client.request(.event, ["id": .string(fullID)]).body
            let parts = EventAction.Parts(about: fullID, action: action, impact: impact, validation: validation, reason: reason, to: to, note: note)
            let draft = EventAction.draft(parts, country: view["event"]?["country"]?.stringValue ?? ISOCodes.severalCountries, now: Timestamp.nowMilliseconds())
            guard let signed = sign(draft, with: signer) else { return Exit.failed }
            let answer = try client.request(.publish, ["report": signed.document])
            let hops = (answer.body["next_hops"]?.arrayValue ?? []).compactMap { $0["node"]?.stringValue }
            print("\(EventAction.headline(parts)) (\(signed.id))")
            print("taken at \(answer.body["node"]?.stringValue ?? "the node")" + (hops.isEmpty ? "" : "; passed on to \(hops.joined(separator: ", "))"))
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}
