import Foundation
import ILONet

enum ShowCommand {
    static let help = """
        usage: ilo show ID [--json]

        Prints one report readably — envelope, evaluation, handling, body — with the
        list of its follow-ups, and whose signature it carries: ilo checks it here,
        against your CA (--ca), so a report altered on its way shows as not verified.
        --json prints {"report": ..., "follow_ups": [...], "signature": {...}}.

        example:
          ilo show 01a203e3-9a9d-7569-96cb-d3307401edde
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        let options = try ClientProfile.resolve(&arguments)
        guard let id = arguments.positional() else { throw UsageError("name the report: ilo show ID") }
        try arguments.finish()
        do throws(ClientError) {
            let client = try ClientConnection(options)
            let answer = try client.request(.get, ["id": .string(id)])
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

    /// {"verified": true, "signer": ...} or {"verified": false, "reason": ...}.
    static func signatureVerdict(_ report: JSONValue, options: ClientOptions) -> JSONValue {
        guard report["signature"] != nil else { return ["verified": false, "reason": "the report is not signed"] }
        let trust: TLSContext
        do {
            trust = try TLSContext(.makeClientConfiguration(certificate: options.certificatePath, privateKey: options.privateKeyPath, trustRoots: options.caPath))
        } catch {
            return ["verified": false, "reason": .string("cannot load \(options.caPath): \(error)")]
        }
        switch SignatureCheck().check(document: report, trust: trust) {
        case .success(let signer):
            return ["verified": true, "signer": .string(signer.id), "authority": .string(signer.authority), "state": .string(signer.memberState)]
        case .failure(let failure):
            return ["verified": false, "reason": .string(failure.description)]
        }
    }
}
