import Foundation
import ILONet

enum ShowCommand {
    static let help = """
        usage: ilo show ID [--json]

        Prints one report readably — envelope, evaluation, handling, body — with the
        list of its follow-ups. --json prints {"report": ..., "follow_ups": [...]}.

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
            if json {
                print(JSONValue.object(["report": report, "follow_ups": .array(followUps)]).prettyString())
            } else {
                print(ReportRendering.text(report, followUps: followUps), terminator: "")
            }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}
