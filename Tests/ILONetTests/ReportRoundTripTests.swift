import Foundation
import Testing
@testable import ILONet
@testable import ILOClient

/// Reports through the real ilo and ilod: what an officer sends is what a reader
/// gets, and what breaks a rule is refused by the node even without the CLI.
@Suite(.serialized) struct ReportRoundTripTests {
    /// True when every member of `sent` appears unchanged in `shown` (which may
    /// have more: the node fills in origin, defaults and topic).
    func contains(_ shown: JSONValue, _ sent: JSONValue) -> Bool {
        guard case .object(let sentFields) = sent else { return shown == sent }
        return sentFields.allSatisfy { key, value in shown[key].map { contains($0, value) } ?? false }
    }

    /// `example` with `created` moved to now and `expires` and `erase_by` moved with it.
    func movedToNow(_ example: JSONValue) -> JSONValue {
        guard case .object(var fields) = example, let created = fields["created"]?.stringValue.flatMap(Timestamp.parse) else { return example }
        let now = Timestamp.nowMilliseconds() / 1000 * 1000
        let shift = now - created
        fields["created"] = .string(Timestamp.format(milliseconds: now))
        if let expires = fields["expires"]?.stringValue.flatMap(Timestamp.parse) {
            fields["expires"] = .string(Timestamp.format(milliseconds: expires + shift))
        }
        if let eraseBy = fields["erase_by"]?.stringValue.flatMap({ Timestamp.parse($0 + "T00:00:00Z") }) {
            let days = (shift + 86_399_999) / 86_400_000
            fields["erase_by"] = .string(String(Timestamp.format(milliseconds: eraseBy + days * 86_400_000).prefix(10)))
        }
        return .object(fields)
    }

    @Test func everyDocumentedExampleRoundTripsThroughSendAndShow() throws {
        let daemon = try Daemon()
        try daemon.start()
        // The smuggling example is on behalf of Austria and Norway: the register says so.
        let today = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds()).prefix(10))
        let deployed = run(TestEnvironment.ilo, [
            "deploy", "officer.de.mueller", "--post", "LY:Tripoli", "--from", today, "--represents", "AT:BMI-2026/14,NO:POD-2026/3",
            "--reads-at", "hub.ilonet.example",
        ] + daemon.iloArguments("authority-de-user"))
        #expect(deployed.status == 0, "\(deployed.output)")
        // With a register, addressees must be someone: the examples' board member has connected here.
        try daemon.register("board-fr")
        for (name, documented) in documentedExamples.sorted(by: { $0.key < $1.key }) {
            // The examples' times are fixed; sent today they would have expired.
            let example = movedToNow(documented)
            let file = daemon.directory + "/\(name).json"
            try example.prettyString().write(toFile: file, atomically: true, encoding: .utf8)
            let sent = run(TestEnvironment.ilo, ["send", "--file", file] + daemon.iloArguments("officer-de"))
            #expect(sent.status == 0, "\(name): \(sent.output)")
            #expect(sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == example["id"]?.stringValue)

            let shown = run(TestEnvironment.ilo, ["show", example["id"]!.stringValue!, "--json"] + daemon.iloArguments("officer-de"))
            #expect(shown.status == 0, "\(name): \(shown.output)")
            let report = try JSONValue(parsing: shown.stdout)["report"] ?? .null
            #expect(contains(report, example), "\(name) changed on the way:\nsent \(example.encodedString())\nshown \(report.encodedString())")
            #expect(report["origin"]?["officer"] == "officer.de.mueller")
            #expect(report["topic"]?.stringValue?.hasPrefix("\(example["kind"]!.stringValue!)/\(example["country"]!.stringValue!)/") == true)
            // The stored bytes are the canonical encoding of what is shown.
            let stored = run("/usr/bin/sqlite3", [daemon.storePath, "SELECT document FROM reports WHERE id = '\(example["id"]!.stringValue!)';"])
            #expect(stored.stdout.trimmingCharacters(in: .newlines) == report.encodedString())
        }
    }

    @Test func showListsFollowUpsAndShowsTheHandlingCodeProminently() throws {
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("officer-it")
        let client = try daemon.client("officer-de")
        let first = sampleReport(["headline": "Boats seen at Sabratha"])
        try client.request(.publish, ["report": first])
        let followUp = sampleReport(["headline": "Second wave from Sabratha", "follow_up_of": first["id"]!])
        try client.request(.publish, ["report": followUp])

        let shown = run(TestEnvironment.ilo, ["show", first["id"]!.stringValue!] + daemon.iloArguments("officer-it"))
        #expect(shown.status == 0, "\(shown.output)")
        #expect(shown.stdout.contains("Boats seen at Sabratha"))
        #expect(shown.stdout.contains("H1: not to be disclosed in judicial proceedings without the permission of the provider"))
        #expect(shown.stdout.contains("source       B: a source that has proved reliable in most instances"), "\(shown.stdout)")
        #expect(shown.stdout.contains("information  2: information known personally to the source but not known personally to the official passing it on"))
        #expect(shown.stdout.contains("level        strategic: for use at strategic level"))
        #expect(shown.stdout.contains("follow-ups"))
        #expect(shown.stdout.contains("\(followUp["id"]!.stringValue!)") && shown.stdout.contains("Second wave from Sabratha"))
        #expect(shown.stdout.contains("route.transit: LY"))
    }

    @Test func showOfAReportYouMayNotSeeIsNotFound() throws {
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("officer-it")
        // A report about Morocco: officer-it is posted to LY and TN only.
        let report = sampleReport(["country": "MA"])
        try daemon.client("officer-de").request(.publish, ["report": report])
        let shown = run(TestEnvironment.ilo, ["show", report["id"]!.stringValue!] + daemon.iloArguments("officer-it"))
        #expect(shown.status == 1)
        #expect(shown.stderr.contains("not-found"))
        let unknown = run(TestEnvironment.ilo, ["show", ReportID.generate().description] + daemon.iloArguments("board-fr"))
        #expect(unknown.status == 1)
    }

    @Test func inboxListsPriorityHandlingTimeAuthorityCountryHeadlineAndShortID() throws {
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("officer-it")
        let report = sampleReport(["headline": "Checkpoint moved south of the crossing after the clashes of the night", "priority": "flash", "handling": "H0"], kind: "border")
        try daemon.client("officer-de").request(.publish, ["report": report])
        let inbox = run(TestEnvironment.ilo, ["inbox"] + daemon.iloArguments("officer-it"))
        #expect(inbox.status == 0)
        let line = inbox.stdout.split(separator: "\n").first { $0.contains("Checkpoint moved south") } ?? ""
        let time = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds()).dropFirst(11).prefix(2))
        let short = String(report["id"]!.stringValue!.filter(\.isHexDigit).suffix(8))
        for column in ["•", "FLASH", "H0", time + ":", "DE-BPOL", "LY", "Checkpoint moved south of the…", short] {
            #expect(line.contains(column), "\(line) lacks \(column)")
        }
        #expect(line.count <= 80 && line.hasSuffix(short), "\(line)")
    }

    @Test func sendTakesTheBodyFromStdinAndTheEnvelopeFromFlags() throws {
        let daemon = try Daemon()
        try daemon.start()
        let sent = run(
            TestEnvironment.ilo,
            ["send", "--kind", "return", "--country", "NG", "--headline", "Charter planned", "--priority", "priority",
             "--handling", "H2", "--addressees", "board.fr.martin,authority:DE-BPOL", "--reliability", "B", "--accuracy", "2", "--level", "operational", "--json"]
                + daemon.iloArguments("officer-de"),
            stdin: sampleBodies["return"]!.encodedString())
        #expect(sent.status == 0, "\(sent.output)")
        let id = try JSONValue(parsing: sent.stdout)["id"]!.stringValue!
        let report = try daemon.client("officer-de").request(.get, ["id": .string(id)]).body["report"]!
        #expect(report["handling"] == "H2")
        #expect(report["addressees"] == ["board.fr.martin", "authority:DE-BPOL"])
        #expect(report["reliability"] == "B" && report["accuracy"] == 2)
    }

    @Test func validateReportsEveryProblemOffline() throws {
        let directory = TestEnvironment.runDirectory
        let file = directory + "/draft-\(UUID().uuidString.prefix(8)).json"
        try ReportTemplate.render(kind: .smuggling).write(toFile: file, atomically: true, encoding: .utf8)
        let unfilled = run(TestEnvironment.ilo, ["validate", file])
        #expect(unfilled.status == 1)
        #expect(unfilled.stderr.contains("body.modus_operandi: must not be empty"))
        #expect(unfilled.stderr.contains("headline: must not be empty"))

        try sampleReport().encodedString().write(toFile: file, atomically: true, encoding: .utf8)
        let valid = run(TestEnvironment.ilo, ["validate", file, "--json", "--cert", TestEnvironment.pki.path("officer-it.crt")])
        #expect(valid.status == 0, "\(valid.output)")
        // Completed as the node would, with the origin from the given certificate.
        #expect(try JSONValue(parsing: valid.stdout)["origin"]?["officer"] == "officer.it.rossi")
    }

    @Test func nodeRefusesRuleBreakersSentPastTheCLIAndKeepsServing() throws {
        let daemon = try Daemon()
        try daemon.start()
        let client = try daemon.client("officer-de")
        let personal = sampleReport(["body.passenger_list": [["name": "A Person", "nationality": "NG"]]], kind: "return")
        let refusal = refusalOf { try client.request(.publish, ["report": personal]) }
        #expect(refusal?.code == .invalidReport)
        #expect(refusal?.field == "body.passenger_list")
        #expect(refusal?.message.contains("set personal_data to its Art. 10(3) category") == true)

        let forged = sampleReport(["origin": ["officer": "officer.it.rossi", "authority": "IT-PS", "state": "IT"]])
        #expect(refusalOf { try client.request(.publish, ["report": forged]) }?.field == "origin")

        let unknown = sampleReport(["body.headcount": 40])
        #expect(refusalOf { try client.request(.publish, ["report": unknown]) }?.field == "body.headcount")

        let several = sampleReport(["country": "LIBYA", "accuracy": 7])
        let both = refusalOf { try client.request(.publish, ["report": several]) }
        #expect(both?.message.contains("country:") == true && both?.message.contains("accuracy:") == true)

        // Nothing of it was stored, and the same connection still works.
        #expect(try client.request(.publish, ["report": sampleReport()]).type == .accepted)
        let count = run("/usr/bin/sqlite3", [daemon.storePath, "SELECT count(*) FROM reports;"]).stdout
        #expect(count.trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }
}
