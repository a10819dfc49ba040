import Foundation
import ILONet
import ILOClient

/// `ilo withdraw|restrict|erase ID --ground G` and `ilo erasure ID`: orders
/// about a sent report and their signed receipts (docs/REPORTS.md §5.9).
enum OrderCommand {
    static let grounds = Order.Ground.allCases.map(\.rawValue).joined(separator: ", ")

    static let help = """
        usage: ilo withdraw ID --ground GROUND [--note TEXT] [--json]
               ilo restrict ID --ground GROUND [--note TEXT] [--json]
               ilo restrict --lift ID --ground GROUND [--note TEXT] [--json]
               ilo erase ID --ground GROUND [--note TEXT] [--json]
               ilo erasure ID [--json]

        An order about a report you sent — or, as an authority or data-protection
        officer (dpo) identity, a report of your deploying authority. It goes
        everywhere the report went, at flash priority: each node passes it to every
        node it sent the report to and to the node the report came from, carries
        it out, tells each identity that received or read the report there, and
        answers with a receipt it signs. A node that is down acts on it when it
        is back.

          withdraw  the report is removed everywhere: mailboxes, watch streams,
                    search, digests; the statistics ledger keeps it, counted withdrawn
          restrict  the report is held but disclosed to nobody (you included), not
                    forwarded, not found by search; still erased at its erase_by date.
                    --lift ends the restriction
          erase     every copy is erased now, at every node that holds it: rows,
                    mailboxes, search index, quarantine, dead letters, queues and the
                    database's write-ahead log
          erasure   where an order about ID stands, node by node: "erased at T"
                    (the node's signed receipt, checked here against --ca),
                    "pending", or "unreachable since T"

          --ground  why: \(grounds)
          --note    a note for the receipts' reader and the audit trails (at most
                    500 characters; screened like any free text: no identifiers)
          --json    withdraw|restrict|erase: print {"order": ID, "about": ID, "action": ...};
                    erasure: print the orders, their receipts and each node's state

        The order is given at the node you connect to, which must hold the report
        (the node you sent it from does). Everyone who received or read it is told:
        "report ID was withdrawn by its originator: inaccurate".

        examples:
          ilo withdraw 7401edde --ground inaccurate --note "wrong boat count, corrected report follows"
          ilo erase 01a203e3-9a9d-7569-96cb-d3307401edde --ground purpose-fulfilled
          ilo erasure 7401edde
        """

    static func run(_ verb: String, _ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        if verb == "erasure" { return try status(&arguments) }
        let lift = verb == "restrict" && arguments.flag("lift")
        let action: Order.Action
        switch verb {
        case "withdraw": action = .withdraw
        case "restrict": action = lift ? .liftRestriction : .restrict
        default: action = .erase
        }
        guard let id = arguments.positional() else { throw UsageError("name the report: ilo \(verb) ID --ground GROUND") }
        guard let groundName = try arguments.option("ground") else { throw UsageError("say why: --ground \(grounds.replacingOccurrences(of: ", ", with: "|"))") }
        guard let ground = Order.Ground(rawValue: groundName) else { throw UsageError("--ground: \(groundName) is not a ground (\(grounds))") }
        let note = try arguments.option("note")
        if let note, note.count > 500 { throw UsageError("--note: \(note.count) characters; at most 500") }
        let json = arguments.flag("json")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()

        guard let signer = loadSigner(options) else { return Exit.failed }
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            let fullID = try resolve(id, client)
            // The report as this node holds it names its author and country; a restricted one is read by no one.
            let held: JSONValue
            do throws(ClientError) {
                held = try client.request(.get, ["id": .string(fullID)]).body["report"] ?? .null
            } catch .refused(let refusal) where refusal.code == .notFound {
                // Restricted, erased here already, or not yours to read (a dpo reads no content): the order names
                // the report by id, and its author only when that is you.
                held = ["id": .string(fullID)]
            }
            let draft = Order.draft(action, about: held, ground: ground, note: note, now: Timestamp.nowMilliseconds())
            guard let signed = sign(draft, with: signer) else { return Exit.failed }
            let answer = try client.request(.publish, ["report": signed.document])
            let orderID = answer.body["id"]?.stringValue ?? signed.id.description
            // Your own copy on this computer goes too.
            let forgotten = action.removes && (try? Outbox(for: options, create: false))?.flatMap { try? $0.forget(fullID) } == true
            if json {
                print(JSONValue.object(["order": .string(orderID), "about": .string(fullID), "action": .string(action.rawValue)]).encodedString())
            } else {
                let hops = (answer.body["next_hops"]?.arrayValue ?? []).compactMap { $0["node"]?.stringValue }
                print("order \(orderID): \(action.rawValue) report \(fullID) (\(ground.rawValue))")
                print(hops.isEmpty ? "carried out at \(answer.body["node"]?.stringValue ?? "the node")" : "carried out at \(answer.body["node"]?.stringValue ?? "the node"); passed on to \(hops.joined(separator: ", "))")
                if forgotten { print("erased from this computer's outbox too") }
                print("follow it: ilo erasure \(fullID)")
            }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }

    static let correctHelp = """
        usage: ilo correct ID --file FIXED.json [envelope flags as for ilo send] [--json]

        Replaces report ID, which you sent, with the report in FIXED.json (a whole
        report or its body, completed and signed like ilo send does; its field
        `corrects` names ID). The correction follows ID's own path through the
        network and goes to exactly the identities that received or read ID at
        each node — not to new addressees or subscribers — and ID is erased there:
        mailboxes, search and digests hold the latest version only, and the
        statistics ledger counts it once. Each reader is told "Corrected by its
        originator: inaccurate (report ID)"; each node answers with a signed
        receipt (ilo erasure ID lists them). Only ID's author, or an authority
        identity of the author's deploying authority, may correct it.

        examples:
          ilo correct 7401edde --file fixed.json
          ilo correct 01a203e3-9a9d-7569-96cb-d3307401edde --file fixed.json --headline "Departures from Zuwara rising (corrected count)"
        """

    /// `ilo correct ID --file FILE`: `ilo send --corrects ID --file FILE`, with ID resolved first.
    static func correct(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(correctHelp + "\n\n" + connectionHelp)
            return Exit.ok
        }
        guard let id = arguments.positional() else { throw UsageError("name the report to correct: ilo correct ID --file FIXED.json") }
        var fullID = id
        if ReportID(id) == nil {
            var probe = arguments
            let options = try ClientProfile.resolve(&probe)
            do throws(ClientError) {
                let client = try connect(options)
                defer { client.close() }
                fullID = try resolve(id, client)
            } catch {
                return exitFor(error)
            }
        }
        arguments.insert(["--corrects", fullID])
        return try SendCommand.run(&arguments, validateOnly: false)
    }

    /// A short id resolved among the caller's mailbox and own reports (GET `resolve`).
    static func resolve(_ id: String, _ client: ClientConnection) throws(ClientError) -> String {
        if ReportID(id) != nil { return id }
        return try client.request(.get, ["id": .string(id), "resolve": true]).body["id"]?.stringValue ?? id
    }

    static func status(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        guard let id = arguments.positional() else { throw UsageError("name the report: ilo erasure ID") }
        let json = arguments.flag("json")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            let fullID: String
            do throws(ClientError) {
                fullID = try resolve(id, client)
            } catch .refused(let refusal) where refusal.code == .notFound {
                printError("\(id): give the report's full id (an erased report is in no mailbox to find its short id in)")
                return Exit.failed
            }
            let answer = try client.request(.orders, ["about": .string(fullID)])
            guard let text = render(answer.body, options: options, json: json) else {
                printError("no order about report \(fullID) that you may follow at \(answer.body["node"]?.stringValue ?? "this node"); orders are followed at the node where they were given")
                return Exit.failed
            }
            print(text, terminator: "")
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }

    /// The orders of an ORDER-LIST answer, node by node (nil: there are none).
    static func render(_ body: JSONValue, options: ClientOptions, json: Bool) -> String? {
        let orders = body["orders"]?.arrayValue ?? []
        guard !orders.isEmpty else { return nil }
        var links: [String: (state: String, since: String?)] = [:]
        for link in body["links"]?.arrayValue ?? [] {
            if let node = link["node"]?.stringValue { links[node] = (link["link"]?.stringValue ?? "down", link["since"]?.stringValue) }
        }
        let verdict = SignatureVerdict(options: options)
        var out = ""
        var listed: [JSONValue] = []
        for entry in orders {
            let order = entry["order"] ?? .null
            let path = (entry["path"]?.arrayValue ?? []).compactMap(\.stringValue)
            let status = OrderStatus(order: order, path: path, notices: entry["receipts"]?.arrayValue ?? [], links: links)
            let body = order["body"] ?? .null
            if json {
                listed.append([
                    "order": order, "summary": .string(status.summary), "complete": .bool(status.complete),
                    "nodes": .array(status.lines.map { line in
                        switch line.state {
                        case .answered(let event, let at, let receipt):
                            return ["node": .string(line.node), "state": .string(event), "at": .string(at), "signature": verdict.json(receipt),
                                    "content_hash": receipt["body"]?["content_hash"] ?? .null,
                                    "controller": receipt["body"]?["controller"] ?? .null, "controller_law": receipt["body"]?["controller_law"] ?? .null]
                        case .unreachable(let since, let why): return ["node": .string(line.node), "state": "unreachable", "since": .string(since), "why": .string(why)]
                        case .pending: return ["node": .string(line.node), "state": "pending"]
                        }
                    }),
                ])
                continue
            }
            out += "order \(order["id"]?.stringValue ?? "?"): \(body["action"]?.stringValue ?? "?") (\(body["ground"]?.stringValue ?? "?")) by \(order["origin"]?["officer"]?.stringValue ?? "?"), \(order["created"]?.stringValue ?? "")\n"
            if let note = body["note"]?.stringValue { out += "  note: \(note)\n" }
            let width = max(24, status.lines.map(\.node.count).max() ?? 0)
            for line in status.lines {
                let name = line.node.padding(toLength: width, withPad: " ", startingAt: 0)
                switch line.state {
                case .answered(let event, let at, let receipt):
                    let signature: String
                    switch verdict.signer(of: receipt) {
                    case .success(let signer) where signer.id == line.node: signature = "signature verified"
                    case .success(let signer): signature = "NOT VERIFIED: signed by \(signer.id)"
                    case .failure(let failure): signature = "NOT VERIFIED: \(failure)"
                    }
                    let hash = receipt["body"]?["content_hash"]?.stringValue.map { "; content \(String($0.prefix(12)))…" } ?? ""
                    let said = event == "not-held" ? "did not hold it" : event
                    out += "  \(name)  \(said) at \(at) (\(signature)\(hash))\n"
                    let controller: JSONValue = ["name": receipt["body"]?["controller"] ?? .null, "law": receipt["body"]?["controller_law"] ?? .null]
                    if let described = DataProtectionLaw.describe(controller: controller) { out += "  \(String(repeating: " ", count: width))  controller: \(described)\n" }
                case .unreachable(let since, let why):
                    out += "  \(name)  unreachable since \(since) (\(why))\n"
                case .pending:
                    out += "  \(name)  pending\n"
                }
            }
            out += "  \(status.summary)\n"
        }
        if json { return JSONValue.object(["report": body["report"] ?? .null, "node": body["node"] ?? .null, "orders": .array(listed)]).prettyString() + "\n" }
        return out
    }
}
