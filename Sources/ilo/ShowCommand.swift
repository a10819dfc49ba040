import Foundation
import ILONet
import ILOClient

enum ShowCommand {
    static let help = """
        usage: ilo show ID [--reason TEXT] [--json]

        ID is a report id, or its last 8 digits as ilo inbox lists them (found
        among your mailbox and your own reports). Prints one report readably — envelope, evaluation, handling, body — with the
        list of its follow-ups, and whose signature it carries: ilo checks it here,
        against your CA (--ca), so a report altered on its way shows as not verified.
        --json prints {"report": ..., "follow_ups": [...], "signature": {...}}.

        A report with personal data (someone else's) is read with a reason: --reason
        says why you read it (4 to 500 characters, no names or document numbers),
        and the node keeps it in its audit trail with your read (Directive (EU)
        2016/680 Art. 25). Without one, the node refuses and says so. Your inbox
        and ilo watch give such a report sealed: its envelope without the body.

        examples:
          ilo show 01a203e3-9a9d-7569-96cb-d3307401edde
          ilo show 7401edde
          ilo show 7401edde --reason "return case of flight LH 1234: identification with the embassy"
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        let reason = try arguments.option("reason")
        let options = try ClientProfile.resolve(&arguments)
        guard let id = arguments.positional() else { throw UsageError("name the report: ilo show ID") }
        try arguments.finish()
        do throws(ClientError) {
            let client = try connect(options, followHome: true)
            let answer: Message
            do throws(ClientError) {
                var request: [String: JSONValue] = ["id": .string(id)]
                if let reason { request["reason"] = .string(reason) }
                answer = try client.request(.get, .object(request))
            } catch .refused(let refusal) where refusal.code == .notFound && ReportID(id) != nil {
                // Withdrawn, restricted or erased by an order you may follow: say where it stands (docs/REPORTS.md §5.9).
                let orders = try? client.request(.orders, ["about": .string(id)])
                client.close()
                guard let orders, let text = OrderCommand.render(orders.body, options: options, json: false) else { throw .refused(refusal) }
                printError("report \(id) is not disclosed to you now: an order about it was given")
                print(text, terminator: "")
                return Exit.failed
            }
            client.close()
            let report = answer.body["report"] ?? .null
            let followUps = answer.body["follow_ups"]?.arrayValue ?? []
            let signature = signatureVerdict(report, options: options)
            if json {
                print(JSONValue.object(["report": report, "follow_ups": .array(followUps), "signature": signature]).prettyString())
            } else {
                print(ReportRendering.text(report, followUps: followUps, signature: signature), terminator: "")
            }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }

    static func signatureVerdict(_ report: JSONValue, options: ClientOptions) -> JSONValue {
        SignatureVerdict(options: options).json(report)
    }
}
