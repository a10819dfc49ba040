import Foundation
import Testing
@testable import ILONet
import ILOClient

/// Exports for people's own tools (issue 31, docs/REPORTS.md §11): reports as
/// RFC 4180 CSV with the disclosure decision per row and a read audit record per
/// row, border events with the information items of 2021/581 Annex 2, and the
/// deployment register imported from a list.
@Suite(.serialized) struct ExportTests {
    @Test func csvFieldsRoundTripAndBadQuotingNamesItsLine() throws {
        let fields = ["plain", "with, comma", "with \"quote\"", "two\r\nlines", "", "ü"]
        let text = CSV.row(["a", "b", "c", "d", "e", "f"]) + CSV.row(fields)
        let parsed = try CSV.parse(text)
        #expect(parsed.count == 2 && parsed[1].fields == fields && parsed[1].line == 2, "\(parsed)")
        #expect(try CSV.parse("x,y\nlast,row").last?.line == 2, "LF line ends, no final line end")
        #expect(try CSV.parse("\u{FEFF}id\r\n1\r\n").first?.fields == ["id"], "a byte-order mark is skipped")
        #expect(throws: CSV.ParseError.self) { try CSV.parse("a,b\n\"open,c\n") }
        do {
            _ = try CSV.parse("a,b\nok,fine\nbad\"quote,x\n")
            Issue.record("a quote inside an unquoted field is refused")
        } catch {
            #expect(error.line == 3 && error.message.contains("double the quote"), "\(error)")
        }
    }

    @Test func anExportHasOnlyWhatTheCallerMayReadNoPersonalDataAndIsTheSameOnARerun() throws {
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("officer-it", "officer-de", "authority-de-user", "board-fr")
        let author = try daemon.client("officer-de")
        let day = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() - 86_400_000).prefix(10))
        let eraseBy = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 30 * 86_400_000).prefix(10))
        func border(_ headline: String, _ changes: [String: JSONValue] = [:]) -> JSONValue {
            var all: [String: JSONValue] = [
                "headline": .string(headline), "created": .string("\(day)T06:00:00Z"), "body.time": .string("\(day)T02:15:00Z"),
                "body.situation_type": "irregular-crossing", "level": "operational",
            ]
            for (key, value) in changes { all[key] = value }
            return sampleReport(all, kind: "border")
        }
        let open = border("Group crossed at Ras Ajdir, \"at night\"", ["body.authorities_response": "Crossing closed, group held."])
        let later = border("Second group", ["created": .string("\(day)T07:00:00Z")])
        let egypt = border("Sallum crossing", ["country": "EG"])
        let restricted = border("For Germany only", ["handling": "H2", "addressees": ["officer.it.rossi", "authority:DE-BPOL"]])
        let personal = border("Facilitators identified", [
            "personal_data": "smuggling-trafficking", "erase_by": .string(eraseBy), "addressees": ["officer.it.rossi", "authority:DE-BPOL"],
            "body.persons_identified": [["name": "EXPORT-MARKER Person", "nationality": "LY"]],
        ])
        for report in [open, later, egypt, restricted, personal] {
            let answer = try author.request(.publish, ["report": report])
            #expect(answer.type == .accepted, "\(answer.body)")
        }
        let arguments = ["export", "reports", "--kind", "border", "--from", day, "--to", day, "--free-text"] + daemon.iloArguments("officer-it")
        let first = run(TestEnvironment.ilo, arguments)
        #expect(first.status == 0, "\(first.output)")
        let rows = try CSV.parse(first.stdout)
        let header = rows.first?.fields ?? []
        #expect(header.starts(with: ["id", "event", "follow_up_of", "related", "kind", "country", "created"]), "\(header)")
        #expect(!header.contains { $0.contains("persons_identified") || $0.contains("officer") }, "no personal-data column, no author identity: \(header)")
        // Rossi reads LY and TN (his posts): the two open LY reports, in creation order; not Egypt; the H2 he may read is counted, not
        // exported; the case report he may not read (no read-personal rule for officers) is neither.
        let ids = rows.dropFirst().map { $0.fields[0] }
        #expect(ids == [open["id"]!.stringValue!, later["id"]!.stringValue!], "\(first.stdout)")
        #expect(first.stderr.contains("not exported (you may read them, but they never leave the network this way): 1 report handled H2 or H3\n"), "\(first.stderr)")
        // Germany's contact point may read the case report: counted, never exported.
        let schmidt = run(TestEnvironment.ilo, ["export", "reports", "--kind", "border", "--from", day, "--to", day] + daemon.iloArguments("authority-de-user"))
        #expect(schmidt.stderr.contains("1 report with personal data, 1 report handled H2 or H3") && !schmidt.stdout.contains("EXPORT-MARKER"), "\(schmidt.output)")
        #expect(CSV.row([""]) == "\r\n" && schmidt.stdout.contains(egypt["id"]!.stringValue!), "an authority reads every topic")
        // RFC 4180: the headline's comma and quotes are quoted; CRLF line ends.
        #expect(first.stdout.contains(",\"Group crossed at Ras Ajdir, \"\"at night\"\"\","), "\(first.stdout)")
        #expect(first.stdout.hasSuffix("\r\n") && !first.stdout.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        // Each row given is a read in the audit trail; the same bytes on a rerun.
        #expect(daemon.count("SELECT count(*) FROM audit WHERE event = 'read' AND detail = 'export' AND actor = 'officer.it.rossi'") == 2)
        #expect(run(TestEnvironment.ilo, arguments).stdout == first.stdout)
        // Without --free-text: no headline, no text field.
        let coded = run(TestEnvironment.ilo, ["export", "reports", "--kind", "border", "--from", day, "--to", day] + daemon.iloArguments("officer-it"))
        #expect(!coded.stdout.contains("headline") && !coded.stdout.contains("Crossing closed") && coded.stdout.contains("irregular-crossing"), "\(coded.stdout)")
        // An administrator reads no content.
        #expect(run(TestEnvironment.ilo, arguments.prefix(8) + daemon.iloArguments("admin")).stderr.contains("forbidden"))

        // Border events, Annex 2 items numbered as in the annex: the header is the fixture.
        let events = run(TestEnvironment.ilo, ["export", "events", "--from", day, "--to", day] + daemon.iloArguments("officer-it"))
        #expect(events.status == 0, "\(events.output)")
        let fixture = try String(contentsOfFile: TestEnvironment.repository.path + "/Tests/ILONetTests/Fixtures/annex2-events-header.csv", encoding: .utf8)
        let eventRows = try CSV.parse(events.stdout)
        #expect(CSV.row(eventRows.first?.fields ?? []) == fixture, "\(events.stdout)")
        #expect(eventRows.count == 3 && eventRows[1].fields[0] == open["id"]!.stringValue!, "\(events.stdout)")
        #expect(eventRows[1].fields[5] == "actual" && eventRows[1].fields[7] == "\(day)T02:15:00Z; Ras Ajdir", "\(eventRows[1].fields)")
    }

    @Test func anAuthorityImportsItsOwnPeopleFromAListAndNobodyElses() throws {
        let daemon = try Daemon()
        try daemon.start()
        let list = daemon.directory + "/deployments.csv"
        try """
            identity,role,post,from,until,function,display_name,reads_at,authority
            officer.de.mueller,officer,LY:Tripoli,2026-09-01,2027-08-31,"immigration liaison officer, Tripoli",,post-tripoli.ilonet.example,DE-BPOL
            officer.it.rossi,officer,LY:Tripoli,2026-09-01,,,,post-tunis.ilonet.example,IT-PS
            """.write(toFile: list, atomically: true, encoding: .utf8)
        let refused = run(TestEnvironment.ilo, ["deploy", "import", "--file", list] + daemon.iloArguments("authority-de-user"))
        #expect(refused.status == 2 && refused.stderr.contains("\(list):3: authority IT-PS is not yours (DE-BPOL)") && refused.stderr.contains("nothing was sent"), "\(refused.output)")
        #expect(daemon.count("SELECT count(*) FROM register") == 0)

        try """
            identity,role,post,from,until,function,display_name,reads_at
            officer.de.mueller,officer,LY:Tripoli,2026-09-01,2027-08-31,"immigration liaison officer, Tripoli",,post-tripoli.ilonet.example
            ncp.de.schmidt,authority,,2026-09-01,,national contact point,,authority-de.ilonet.example
            """.write(toFile: list, atomically: true, encoding: .utf8)
        let imported = run(TestEnvironment.ilo, ["deploy", "import", "--file", list] + daemon.iloArguments("authority-de-user"))
        #expect(imported.status == 0 && imported.stdout.contains("\(list):2: ") && imported.stdout.contains("\(list):3: "), "\(imported.output)")
        #expect(daemon.count("SELECT count(*) FROM register WHERE authority = 'DE-BPOL'") == 2)
        #expect(daemon.count("SELECT count(*) FROM register WHERE identity = 'officer.de.mueller' AND body LIKE '%immigration liaison officer, Tripoli%'") == 1)
    }
}
