import Foundation
import ILONet
import ILOClient

/// `ilo audit verify|show|list`: a node's audit trail, read from its store file
/// on the node's own host (read-only; works while the node runs, and when it
/// does not), or over the network by a data-protection officer (role dpo).
enum AuditCommand {
    static let help = """
        usage: ilo audit verify [WHERE] [--json]
               ilo audit show --report ID [WHERE] [--json]
               ilo audit show --report ID --tree [--json]      (dpo, over the network)
               ilo audit list [--event EVENT] [--after N] [--limit N] [WHERE] [--json]

        A node's audit trail: who did what to which report, and when — received,
        forwarded, delivered, read, held, released, deleted, expired, erased,
        quarantined — never report content.

        WHERE is either the node's store, read on its host as a user who may read
        it (opened read-only):
          --store FILE | --config NODE.conf
        or the node itself, over the network, as a data-protection officer (a
        certificate with OU=dpo; other roles are refused): the connection options
        below (--node, --cert, --key, --ca or a profile).

        verify  recomputes the hash chain from the first record. Prints the number
                of records and the head (last record's number and hash): keep the
                head somewhere else (the node also logs it at start-up) to detect
                records removed from the end. Exits 1 when the chain is broken,
                naming the first record that does not follow. Over the network the
                records are fetched page by page and checked here.
        show    a report's whole story at this node. --tree: at every node it went
                through, as far as this node's trail leads (the node it came
                from, the nodes it was forwarded to, the nodes an order about it
                went to), each reached at the address its peers know for it
                (peer lines with HOST:PORT, node.address announcements) with the
                same certificate; each node's whole chain is verified (all its
                records are fetched, page by page) and named with its head. A node
                that cannot be reached is named, with why.
        list    records in order after record N (default 0), at most --limit (default
                200); --event keeps one kind (erase: the erasure records).

        examples:
          ilo audit verify --config config/hub.conf
          ilo audit show --report 01JD5R6M6Q8W2ZKQ3W1Y9V4T7B --store var/hub/store.sqlite
          ilo audit list --event erase --node 127.0.0.1:7443 --cert certs-example/dpo.crt --key certs-example/dpo.key --ca certs-example/ca.crt
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let action = arguments.positional()
        let json = arguments.flag("json")
        let tree = arguments.flag("tree")
        let reportID = try arguments.option("report")
        let event = try arguments.option("event")
        let after = try arguments.option("after").map { (text: String) throws(UsageError) -> Int64 in
            guard let n = Int64(text), n >= 0 else { throw UsageError("--after takes a record number (0 or more), not \(text)") }
            return n
        }
        let limit = try arguments.option("limit").map { (text: String) throws(UsageError) -> Int in
            guard let n = Int(text), (1...1000).contains(n) else { throw UsageError("--limit takes a number from 1 to 1000, not \(text)") }
            return n
        }
        let storeOption = try arguments.option("store")
        let configOption = try arguments.option("config")
        guard ["verify", "show", "list"].contains(action ?? "") else {
            throw UsageError("expected: ilo audit verify | ilo audit show --report ID | ilo audit list")
        }
        if action == "show" && reportID == nil { throw UsageError("ilo audit show needs --report ID") }
        if let event, AuditEvent(rawValue: event) == nil {
            throw UsageError("--event is one of \(AuditEvent.allCases.map(\.rawValue).joined(separator: ", ")), not \(event)")
        }
        let query = Query(action: action ?? "", report: reportID, event: event, after: after ?? 0, limit: limit ?? 200)
        if tree && action != "show" { throw UsageError("--tree goes with ilo audit show --report ID") }
        if storeOption == nil && configOption == nil {
            let options = try ClientProfile.resolve(&arguments)
            try arguments.finish()
            return tree ? remoteTree(query, options: options, json: json) : remote(query, options: options, json: json)
        }
        if tree { throw UsageError("--tree reads the trails over the network, as a data-protection officer: give --node (or a profile), not --store or --config") }
        try arguments.finish()
        let path: String
        if let storeOption {
            path = storeOption
        } else {
            do throws(ConfigErrors) { path = try NodeConfiguration.load(configOption ?? "").storePath } catch {
                printError(error.description)
                return Exit.failed
            }
        }
        guard FileManager.default.fileExists(atPath: path) else {
            printError("no store at \(path)")
            return Exit.failed
        }
        do throws(SQLiteError) {
            let reader = AuditReader(database: try SQLiteDatabase(path: path, mode: .readOnly))
            if query.action == "verify" { return report(try reader.verify(), json: json) }
            let records = try reader.records(after: query.after, event: query.event, report: query.report, limit: query.action == "show" ? Int.max : query.limit)
            return show(records, query: query, where: path, json: json)
        } catch {
            printError("\(path): \(error)")
            return Exit.failed
        }
    }

    struct Query {
        let action: String
        let report: String?
        let event: String?
        let after: Int64
        let limit: Int

        var body: JSONValue {
            var fields: [String: JSONValue] = ["after": .integer(after), "limit": .integer(Int64(limit))]
            if let report { fields["report"] = .string(report) }
            if let event { fields["event"] = .string(event) }
            return .object(fields)
        }
    }

    /// Reads the trail from the node, a page (≤ 1000 records) at a time.
    private static func remote(_ query: Query, options: ClientOptions, json: Bool) -> Int32 {
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            func page(after: Int64, limit: Int) throws(ClientError) -> (records: [AuditRecord], more: Bool) {
                let page = Query(action: query.action, report: query.report, event: query.event, after: after, limit: limit)
                let answer = try client.request(.audit, page.body)
                let entries = answer.body["records"]?.arrayValue ?? []
                let records = entries.compactMap(AuditRecord.init(json:))
                guard records.count == entries.count else { throw ClientError.malformed("AUDIT-RECORDS entry without seq, event, actor or hash") }
                return (records, answer.body["more"]?.boolValue ?? false)
            }
            switch query.action {
            case "verify":
                var chain = AuditChainCheck()
                var after: Int64 = 0
                while true {
                    let (records, more) = try page(after: after, limit: 1000)
                    for record in records where !chain.add(record) { return report(chain.result, json: json) }
                    guard more, let last = records.last else { break }
                    after = last.seq
                }
                return report(chain.result, json: json)
            case "show":
                var all: [AuditRecord] = []
                var after: Int64 = 0
                while true {
                    let (records, more) = try page(after: after, limit: 1000)
                    all += records
                    guard more, let last = records.last else { break }
                    after = last.seq
                }
                return show(all, query: query, where: options.node.description, json: json)
            default:
                let (records, more) = try page(after: query.after, limit: query.limit)
                let code = show(records, query: query, where: options.node.description, json: json)
                if more, !json, let last = records.last { printError("more records follow: ilo audit list --after \(last.seq) …") }
                return code
            }
        } catch {
            return exitFor(error)
        }
    }

    /// The report's records at every node its trail leads to, each node's chain verified.
    private static func remoteTree(_ query: Query, options: ClientOptions, json: Bool) -> Int32 {
        guard let report = query.report else { return Exit.usage }
        var pending: [(name: String?, options: ClientOptions)] = [(nil, options)]
        var seen: Set<String> = []
        var addresses: [String: String] = [:]
        var listed: [JSONValue] = []
        var failed = false
        while !pending.isEmpty {
            let (name, nodeOptions) = pending.removeFirst()
            do throws(ClientError) {
                let client = try connect(nodeOptions)
                defer { client.close() }
                var records: [AuditRecord] = []
                var after: Int64 = 0
                var nodeName = name ?? nodeOptions.node.description
                while true {
                    let answer = try client.request(.audit, Query(action: "show", report: report, event: nil, after: after, limit: 1000).body)
                    nodeName = answer.body["node"]?.stringValue ?? nodeName
                    for (peer, address) in answer.body["nodes"]?.objectValue ?? [:] where addresses[peer] == nil { addresses[peer] = address.stringValue }
                    let page = (answer.body["records"]?.arrayValue ?? []).compactMap(AuditRecord.init(json:))
                    records += page
                    guard answer.body["more"]?.boolValue == true, let last = page.last else { break }
                    after = last.seq
                }
                seen.insert(nodeName)
                var chain = AuditChainCheck()
                after = 0
                while true {
                    let answer = try client.request(.audit, Query(action: "list", report: nil, event: nil, after: after, limit: 1000).body)
                    let page = (answer.body["records"]?.arrayValue ?? []).compactMap(AuditRecord.init(json:))
                    if page.contains(where: { !chain.add($0) }) { break }
                    guard answer.body["more"]?.boolValue == true, let last = page.last else { break }
                    after = last.seq
                }
                let verification = chain.result
                if verification.broken != nil { failed = true }
                let verdict = verification.broken.map { "chain BROKEN at record \($0.seq): \($0.reason)" }
                    ?? "chain of \(verification.records) records verified, head \(verification.head.map { "\($0.seq) \($0.hash.hexString.prefix(16))…" } ?? "-")"
                if json {
                    listed.append(["node": .string(nodeName), "chain": .string(verdict), "records": .array(records.map(\.json))])
                } else {
                    Swift.print("== \(nodeName): \(verdict)")
                    for record in records { Swift.print("  " + TerminalText.line(record.line)) }
                }
                // Where the trail leads: the nodes it came from and went to.
                var next: [String] = []
                for record in records {
                    if record.event == "forward", let to = record.counterpart { next.append(to) }
                    if record.event == "receive" { next.append(record.actor) }
                    if let detail = record.detail, let range = detail.range(of: "next-hops=") {
                        next += detail[range.upperBound...].prefix { $0 != " " }.split(separator: ",").map(String.init)
                    }
                }
                for node in next where !seen.contains(node) && !pending.contains(where: { $0.name == node }) {
                    guard let address = addresses[node] else { continue }  // a person, or a node no one here knows how to reach
                    guard let endpoint = Endpoint(address) else { continue }
                    var options = nodeOptions
                    options.node = endpoint
                    options.serverName = node
                    pending.append((node, options))
                }
            } catch {
                failed = true
                let label = name ?? nodeOptions.node.description
                if let name { seen.insert(name) }
                if json { listed.append(["node": .string(label), "unreachable": .string(error.description)]) } else { Swift.print("== \(label): not reached: \(error.description)") }
            }
        }
        if json { Swift.print(JSONValue.array(listed).prettyString()) }
        return failed ? Exit.failed : Exit.ok
    }

    private static func show(_ records: [AuditRecord], query: Query, where source: String, json: Bool) -> Int32 {
        if json {
            Swift.print(JSONValue.array(records.map(\.json)).prettyString())
        } else if records.isEmpty {
            printError(query.report.map { "no audit record about \($0) in \(source)" } ?? "no audit records in \(source) after record \(query.after)")
        } else {
            for r in records { Swift.print(TerminalText.line(r.line)) }
        }
        return records.isEmpty && query.action == "show" ? Exit.failed : Exit.ok
    }

    private static func report(_ result: AuditVerification, json: Bool) -> Int32 {
        if json {
            var object: [String: JSONValue] = ["records": .integer(Int64(result.records)), "intact": .bool(result.broken == nil)]
            if let head = result.head { object["head"] = ["seq": .integer(head.seq), "hash": .string(head.hash.hexString)] }
            if let broken = result.broken { object["broken"] = ["seq": .integer(broken.seq), "reason": .string(broken.reason)] }
            Swift.print(JSONValue.object(object).prettyString())
        } else if let broken = result.broken {
            Swift.print("audit trail BROKEN at record \(broken.seq): \(broken.reason)")
        } else {
            let head = result.head.map { "head \($0.seq) \($0.hash.hexString)" } ?? "empty"
            Swift.print("audit trail intact: \(result.records) records, \(head)")
        }
        return result.broken == nil ? Exit.ok : Exit.failed
    }
}

extension AuditRecord {
    /// e.g. `2026-11-22T10:00:00.000Z  receive  officer.de.mueller → hub.ilonet.example  kind=smuggling …`
    var line: String {
        let arrow = counterpart.map { " → \($0)" } ?? ""
        let event = self.event.padding(toLength: 11, withPad: " ", startingAt: 0)
        return "\(Timestamp.format(milliseconds: at))  #\(seq)  \(event) \(actor)\(arrow)\(detail.map { "  \($0)" } ?? "")"
    }
}
