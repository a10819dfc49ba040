import Foundation
import ILONet

/// `ilo audit verify|show`: the node's audit trail, read from its store file on
/// the node's own host (read-only; works while the node runs, and when it does not).
enum AuditCommand {
    static let help = """
        usage: ilo audit verify (--store FILE | --config NODE.conf) [--json]
               ilo audit show --report ID (--store FILE | --config NODE.conf) [--json]

        Reads a node's audit trail from its store (run it on the node's host, as a
        user who may read the store; it opens the database read-only).

        verify  recomputes the hash chain from the first record. Prints the number
                of records and the head (last record's number and hash): keep the
                head somewhere else (the node also logs it at start-up) to detect
                records removed from the end. Exits 1 when the chain is broken,
                naming the first record that does not follow.
        show    a report's whole story at this node: received from whom, forwarded
                to whom, delivered to and read by whom, held, released, deleted,
                expired, erased — never its content.

        examples:
          ilo audit verify --config config/hub.conf
          ilo audit show --report 01JD5R6M6Q8W2ZKQ3W1Y9V4T7B --store var/hub/store.sqlite
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help)
            return Exit.ok
        }
        let action = arguments.positional()
        let json = arguments.flag("json")
        let reportID = try arguments.option("report")
        let storeOption = try arguments.option("store")
        let configOption = try arguments.option("config")
        try arguments.finish()
        if action == "show" && reportID == nil { throw UsageError("ilo audit show needs --report ID") }
        guard action == "verify" || action == "show" else { throw UsageError("expected: ilo audit verify | ilo audit show --report ID") }
        let path: String
        if let storeOption {
            path = storeOption
        } else if let configOption {
            do throws(ConfigErrors) { path = try NodeConfiguration.load(configOption).storePath } catch {
                printError(error.description)
                return Exit.failed
            }
        } else {
            throw UsageError("--store FILE or --config NODE.conf is required")
        }
        guard FileManager.default.fileExists(atPath: path) else {
            printError("no store at \(path)")
            return Exit.failed
        }
        do throws(SQLiteError) {
            let reader = AuditReader(database: try SQLiteDatabase(path: path, mode: .readOnly))
            switch action {
            case "verify":
                return report(try reader.verify(), json: json)
            case "show":
                let report = reportID ?? ""
                let records = try reader.records(report: report)
                if json {
                    print(JSONValue.array(records.map(\.json)).prettyString())
                } else if records.isEmpty {
                    printError("no audit record about \(report) in \(path)")
                    return Exit.failed
                } else {
                    for r in records { print(r.line) }
                }
                return records.isEmpty ? Exit.failed : Exit.ok
            default:
                return Exit.usage
            }
        } catch {
            printError("\(path): \(error)")
            return Exit.failed
        }
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
    var json: JSONValue {
        var object: [String: JSONValue] = [
            "seq": .integer(seq), "at": .string(Timestamp.format(milliseconds: at)), "event": .string(event), "actor": .string(actor),
        ]
        if let reportID { object["report"] = .string(reportID) }
        if let counterpart { object["counterpart"] = .string(counterpart) }
        if let detail { object["detail"] = .string(detail) }
        return .object(object)
    }

    /// e.g. `2026-11-22T10:00:00.000Z  receive  officer.de.mueller → hub.ilonet.example  kind=smuggling …`
    var line: String {
        let arrow = counterpart.map { " → \($0)" } ?? ""
        let event = self.event.padding(toLength: 11, withPad: " ", startingAt: 0)
        return "\(Timestamp.format(milliseconds: at))  #\(seq)  \(event) \(actor)\(arrow)\(detail.map { "  \($0)" } ?? "")"
    }
}
