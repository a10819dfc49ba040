import Foundation
import ILONet
import ILOClient

/// `ilo dpo record|find`: the data-protection officer's tools (docs/ACCESS.md §9).
enum DpoCommand {
    static let help = """
        usage: ilo dpo record [--json]
               ilo dpo find --document-number NUMBER --reason TEXT [--json]
               ilo dpo find --name NAME --date-of-birth YYYY-MM-DD --reason TEXT [--json]

        For a data-protection officer (role dpo); neither shows report content.

          record  the node's record of processing activities (GDPR Art. 30,
                  Directive (EU) 2016/680 Art. 24), generated from what the node
                  enforces: the controller (node.controller), the categories of
                  personal data and their data subjects, who may receive them (the
                  read-personal rules), which nodes may hold them (hold-personal),
                  the retention ceilings, the deploying authorities in the register.
                  Also for admin and authority identities.
          find    a subject-access lookup (GDPR Art. 15, Directive (EU) 2016/680
                  Art. 14): the reports held at this node that name the person —
                  by document number, or by name with date of birth — each with its
                  category of personal data, its erase-by date and the nodes this
                  node knows hold it. The node compares keyed hashes of normalised
                  identifiers (upper case; a document number's letters and digits; a
                  name without diacritics), never the identifiers. Every lookup is in
                  the audit trail with its --reason (event subject-lookup).
          --json  print the node's answer as JSON

        examples:
          ilo dpo record
          ilo dpo find --document-number "P 1234567" --reason "data subject request 2026-114"
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        guard let verb = arguments.positional() else { throw UsageError("say what to do: ilo dpo record | ilo dpo find …") }
        let json = arguments.flag("json")
        switch verb {
        case "record":
            let options = try ClientProfile.resolve(&arguments)
            try arguments.finish()
            do throws(ClientError) {
                let client = try connect(options)
                defer { client.close() }
                let record = try client.request(.record).body["record"] ?? .null
                print(json ? record.prettyString() : ProcessingRecord.text(record), terminator: json ? "\n" : "")
                return Exit.ok
            } catch {
                return exitFor(error)
            }
        case "find":
            var request: [String: JSONValue] = [:]
            if let number = try arguments.option("document-number") { request["document_number"] = .string(number) }
            if let name = try arguments.option("name") { request["name"] = .string(name) }
            if let born = try arguments.option("date-of-birth") { request["date_of_birth"] = .string(born) }
            guard let reason = try arguments.option("reason") else { throw UsageError("say why you look the person up: --reason TEXT (it goes into the audit trail)") }
            request["reason"] = .string(reason)
            guard request["document_number"] != nil || request["name"] != nil else {
                throw UsageError("give --document-number NUMBER, or --name NAME with --date-of-birth YYYY-MM-DD")
            }
            let options = try ClientProfile.resolve(&arguments)
            try arguments.finish()
            do throws(ClientError) {
                let client = try connect(options)
                defer { client.close() }
                let answer = try client.request(.subjectFind, .object(request))
                if json {
                    print(answer.body.prettyString())
                    return Exit.ok
                }
                let reports = answer.body["reports"]?.arrayValue ?? []
                let node = answer.body["node"]?.stringValue ?? "the node"
                if reports.isEmpty { print("no report held at \(node) names that person (reports stored before the index existed are not in it)") }
                for report in reports {
                    let holders = (report["holders"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")
                    print("\(report["id"]?.stringValue ?? "?")  \(report["category"]?.stringValue ?? "?")  erase by \(report["erase_by"]?.stringValue ?? "-")  held at \(holders)")
                }
                return Exit.ok
            } catch {
                return exitFor(error)
            }
        default:
            throw UsageError("unknown dpo command \"\(verb)\" (record, find)")
        }
    }
}
