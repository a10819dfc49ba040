import Foundation
import ILONet

enum SendCommand {
    static let help = """
        usage: ilo send --kind KIND --country CC [--priority P] [--headline TEXT] [--file FILE]

        Sends one report and prints its id. The body (a JSON object) comes from --file,
        or from standard input when it is not a terminal. The report is checked here
        first, and again by the node.

          --kind       smuggling | return | border
          --country    subject country, ISO 3166-1 alpha-2 (e.g. LY)
          --priority   flash | immediate | priority | routine (default routine)
          --headline   a short line shown in inboxes
          --file       the body as JSON ("-" for standard input)
          --json       print {"id": ..., "duplicate": ...} instead of the id

        example:
          echo '{"route": {"origin": ["NE"], "destination": ["IT"]}}' \\
            | ilo send --kind smuggling --country LY --headline "New route via Agadez"
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        guard let kind = try arguments.option("kind") else { throw UsageError("--kind is required") }
        guard let country = try arguments.option("country") else { throw UsageError("--country is required") }
        let priority = try arguments.option("priority")
        let headline = try arguments.option("headline")
        let file = try arguments.option("file")
        let json = arguments.flag("json")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()

        let bodyData: Data?
        if let file, file != "-" {
            bodyData = FileManager.default.contents(atPath: file)
            if bodyData == nil { throw UsageError("cannot read \(file)") }
        } else if file == "-" || isatty(0) == 0 {
            bodyData = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            throw UsageError("give the body with --file FILE or on standard input")
        }
        let body: JSONValue
        do {
            body = try JSONValue(parsing: [UInt8](bodyData!))
        } catch {
            printError("body: \(error)")
            return Exit.failed
        }
        var document: [String: JSONValue] = [
            "id": .string(ReportID.generate().description),
            "kind": .string(kind),
            "country": .string(country),
            "created": .string(Timestamp.format(milliseconds: Timestamp.nowMilliseconds())),
            "body": body,
        ]
        if let priority { document["priority"] = .string(priority) }
        if let headline { document["headline"] = .string(headline) }
        // Check before sending; the node checks again and fills in the origin.
        do throws(ReportValidationError) {
            _ = try Report.validate(.object(document), sender: Origin(officer: "-", authority: "-", state: "-"))
        } catch {
            printError("report not sent: \(error)")
            return Exit.failed
        }
        do throws(ClientError) {
            let client = try ClientConnection(options)
            let answer = try client.request(.publish, ["report": .object(document)])
            client.close()
            let id = answer.body["id"]?.stringValue ?? "?"
            if json {
                print(JSONValue.object(["id": .string(id), "duplicate": answer.body["duplicate"] ?? .bool(false)]).encodedString())
            } else {
                print(id)
            }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }
}
