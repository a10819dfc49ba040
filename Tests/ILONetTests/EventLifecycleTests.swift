import Foundation
import Testing
@testable import ILONet

/// Events as duty desks work them (issue 31, docs/REPORTS.md §5.10;
/// Implementing Regulation (EU) 2021/581 Art. 9, 16, 17): a first report, its
/// follow-ups, the owner's assessment, closure and reopening, across real nodes
/// of the example network (post → regional hub → board hub, Germany's node).
@Suite(.serialized) struct EventLifecycleTests {
    func ilo(_ node: Daemon, _ identity: String, _ arguments: [String]) -> (status: Int32, output: String, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = node.directory + "/state-\(identity)"
        return run(TestEnvironment.ilo, arguments + node.iloArguments(identity), environment: environment)
    }

    /// Sends `report` from the post in Tripoli as `identity`; returns ilo's result.
    func send(_ network: TestNetwork, _ identity: String, _ report: JSONValue) -> (status: Int32, output: String, stdout: String, stderr: String) {
        let file = network.post.directory + "/event-\(UUID().uuidString.prefix(8)).json"
        try? report.encodedString().write(toFile: file, atomically: true, encoding: .utf8)
        return ilo(network.post, identity, ["send", "--file", file])
    }

    /// A border report about Libya that happened at `time` and was written at `created`.
    func border(_ headline: String, time: String, created: String, impact: String, _ more: [String: JSONValue] = [:]) -> JSONValue {
        var changes: [String: JSONValue] = [
            "country": "LY", "headline": .string(headline), "created": .string(created), "body.time": .string(time), "body.impact": .string(impact),
            "level": "operational",
        ]
        for (key, value) in more { changes[key] = value }
        return sampleReport(changes, kind: "border")
    }

    @Test func anEventIsOpenedFollowedUpAssessedClosedAndReopenedByItsOwner() throws {
        let network = try TestNetwork(postConfig: "web.listen 127.0.0.1:0")
        HomeNodeTests().register(network)
        let day = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() - 86_400_000).prefix(10))

        // R1: Rossi's first report, three hours after the event; impact high.
        let first = send(network, "officer-it", border("Large group crossed at Ras Ajdir", time: "\(day)T02:15:00Z", created: "\(day)T05:15:00Z", impact: "high"))
        #expect(first.status == 0, "\(first.output)")
        let r1 = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let opened = ilo(network.post, "officer-it", ["event", "show", r1])
        #expect(opened.status == 0, "\(opened.output)")
        for line in ["status       open", "owner        IT-PS (first report by officer.it.rossi, IT)", "impact       high (first report)", "after 3h00m"] {
            #expect(opened.stdout.contains(line), "\(line): \(opened.output)")
        }
        #expect(!opened.stdout.contains("LATE"), "\(opened.output)")

        // R2: Müller's follow-up, H2 for Germany's authority only: Rossi may not read it.
        let second = send(
            network, "officer-de",
            border(
                "Ras Ajdir: group returned to Libyan side", time: "\(day)T02:15:00Z", created: "\(day)T09:00:00Z", impact: "medium",
                ["follow_up_of": .string(r1), "handling": "H2", "addressees": ["authority:DE-BPOL"],
                 "body.measures_taken": "Patrols doubled at the crossing point.", "body.measures_planned": "Joint patrol with the Tunisian side next week."]))
        #expect(second.status == 0, "\(second.output)")
        let r2 = second.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(network.post.query("SELECT event_id FROM reports WHERE id = '\(r2)'") == r1, "R2 joins R1's event")

        // A follow-up of a report the node does not hold is refused, naming the id and the node.
        let unknown = ReportID.generate().description
        let orphan = send(network, "officer-de", border("Orphan", time: "\(day)T02:15:00Z", created: "\(day)T10:00:00Z", impact: "low", ["follow_up_of": .string(unknown)]))
        #expect(orphan.status == 1 && orphan.stderr.contains(unknown) && orphan.stderr.contains("post-tripoli.ilonet.example"), "\(orphan.output)")

        // The owner's assessment: an authority of IT-PS may; Müller may not. R2 keeps its own impact.
        let refused = ilo(network.post, "officer-de", ["event", "assess", r1, "--impact", "low"])
        #expect(refused.status == 1 && refused.stderr.contains("forbidden"), "\(refused.output)")
        let assessed = ilo(network.post, "authority-it-user", ["event", "assess", r1, "--impact", "very-high", "--note", "a second group seen"])
        #expect(assessed.status == 0, "\(assessed.output)")
        let view = try #require(try? JSONValue(parsing: Array(ilo(network.post, "authority-de-user", ["event", "show", r1, "--json"]).stdout.utf8)))
        #expect(view["event"]?["impact"]?.stringValue == "very-high" && view["event"]?["impact_by"]?.stringValue == "owner", "\(view)")
        let reports = view["reports"]?.arrayValue ?? []
        #expect(reports.map { $0["id"]?.stringValue } == [r1, r2], "time order: \(reports)")
        #expect(reports.last?["impact"]?.stringValue == "medium", "R2 keeps its own impact")
        #expect(reports.last?["measures_planned"]?.stringValue == "Joint patrol with the Tunisian side next week.", "\(reports)")
        #expect(view["withheld"]?.integerValue == 0)
        // The assessment follows the event's reports: the regional hub applies it too.
        #expect(waitFor(15) { network.regional.query("SELECT assessed_impact FROM events WHERE id = '\(r1)'") == "very-high" }, "the regional hub applies it")

        // Rossi may not read R2: his page counts it.
        let rossi = ilo(network.post, "officer-it", ["event", "show", r1])
        #expect(rossi.stdout.contains("1 report you may not read") && !rossi.stdout.contains("Joint patrol"), "\(rossi.output)")

        // The same on the web view's event page (any report of the event names it).
        let line = network.post.log.split(separator: "\n").first { $0.contains("msg=\"web view served\"") } ?? ""
        let webPort = line.split(separator: " ").first { $0.hasPrefix("listen=") }.flatMap { Endpoint(String($0.dropFirst("listen=".count)))?.port } ?? 0
        func page(_ identity: String, _ path: String) -> String {
            run("/usr/bin/curl", ["-s", "--max-time", "10", "--cacert", TestEnvironment.pki.ca, "--cert", TestEnvironment.pki.path("\(identity).crt"),
                                  "--key", TestEnvironment.pki.path("\(identity).key"), "https://127.0.0.1:\(webPort)\(path)"]).stdout
        }
        let rossiPage = page("officer-it", "/event/\(r1)")
        #expect(rossiPage.contains("1 report you may not read.") && rossiPage.contains("very-high (owner)") && !rossiPage.contains("Joint patrol"), "\(rossiPage)")
        let schmidtPage = page("authority-de-user", "/event/\(r2)")
        #expect(schmidtPage.contains("<strong>Measures planned:</strong> Joint patrol with the Tunisian side next week.") && schmidtPage.contains("after 3h00m"), "\(schmidtPage)")
        #expect(page("authority-de-user", "/events?status=open").contains("/event/\(r1)"))

        // The steering board subscribes to nothing: it sees the event only once its owner shares it,
        // and then the shared H1 report, not Müller's H2 one (issue 31: the board governs, it does not read everything).
        let before = ilo(network.post, "board-fr", ["event", "show", r1])
        #expect(before.status == 1 && before.stderr.contains("not-found"), "\(before.output)")
        let shared = ilo(network.post, "authority-it-user", ["event", "share", r1, "--with", "board.fr.martin"])
        #expect(shared.status == 0 && shared.stdout.contains("shared with board.fr.martin"), "\(shared.output)")
        let boardView = ilo(network.post, "board-fr", ["event", "show", r1])
        #expect(boardView.status == 0 && boardView.stdout.contains("Large group crossed at Ras Ajdir") && boardView.stdout.contains("1 report you may not read"), "\(boardView.output)")
        #expect(ilo(network.post, "board-fr", ["show", r1]).status == 0, "a shared report reads in full")
        #expect(ilo(network.post, "officer-de", ["event", "share", r1, "--with", "board.fr.martin"]).stderr.contains("forbidden"), "only the owner shares")
        // The share follows the event's reports: the platform hub lets the board member read R1 there too.
        #expect(waitFor(15) { ilo(network.board, "board-fr", ["show", r1]).status == 0 }, "shared at the platform hub")

        // Closed: a follow-up is refused naming the reason, until the owner reopens it.
        let closed = ilo(network.post, "authority-it-user", ["event", "close", r1, "--reason", "did-not-occur"])
        #expect(closed.status == 0, "\(closed.output)")
        let late = send(network, "officer-de", border("Ras Ajdir: quiet", time: "\(day)T02:15:00Z", created: "\(day)T11:00:00Z", impact: "low", ["follow_up_of": .string(r2)]))
        #expect(late.status == 1 && late.stderr.contains("did-not-occur") && late.stderr.contains("closed"), "\(late.output)")
        let reopened = ilo(network.post, "officer-it", ["event", "reopen", r1])
        #expect(reopened.status == 0, "\(reopened.output)")
        let again = send(network, "officer-de", border("Ras Ajdir: quiet", time: "\(day)T02:15:00Z", created: "\(day)T11:30:00Z", impact: "low", ["follow_up_of": .string(r2)]))
        #expect(again.status == 0, "a follow-up of a follow-up joins the reopened event: \(again.output)")
        let r3 = again.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(network.post.query("SELECT event_id FROM reports WHERE id = '\(r3)'") == r1)
        let history = ilo(network.post, "authority-it-user", ["event", "show", r1])
        for line in ["assess-impact very-high by ncp.it.bianchi (IT-PS): a second group seen", "close did-not-occur by ncp.it.bianchi", "reopen by officer.it.rossi"] {
            #expect(history.stdout.contains(line), "\(line): \(history.output)")
        }
        #expect(network.post.count("SELECT closed FROM statistics_events WHERE kind = 'border' AND impact = 'very-high'") == 1)

        // A first report 27 hours after the event is late, and the ledger counts it.
        let lateFirst = send(network, "officer-it", border("Boat landed at Zuwara", time: "\(day)T00:00:00Z", created: "\(day)T03:00:00Z", impact: "high",
                                                          ["body.time": .string(Timestamp.format(milliseconds: Timestamp.parse("\(day)T03:00:00Z")! - 27 * 3_600_000))]))
        #expect(lateFirst.status == 0, "\(lateFirst.output)")
        let r4 = lateFirst.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let lateView = ilo(network.post, "officer-it", ["event", "show", r4])
        #expect(lateView.stdout.contains("after 27h00m LATE"), "\(lateView.output)")
        #expect(network.post.count("SELECT sum(late_first) FROM statistics_events") == 1)
        // The activity report and the trends show the ledger's event counts.
        // (Closed and reopened count on the day of the owner's action: today.)
        let today = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds()).prefix(10))
        let activity = ilo(network.post, "authority-it-user", ["report", "activity", "--from", day, "--to", today, "--by", "month,kind", "--format", "csv"])
        #expect(activity.stdout.contains("late-first-reports,\(day.prefix(7)),border,high,1\r\n"), "\(activity.output)")
        #expect(activity.stdout.contains("events-closed,\(today.prefix(7)),border,very-high,1\r\n"), "\(activity.output)")
        let trend = ilo(network.post, "authority-it-user", ["trend", "--from", day, "--to", day, "--events", "opened", "--by", "impact", "--format", "csv"])
        #expect(trend.stdout.contains("period,high,total\r\n") && trend.stdout.hasSuffix(",2,2\r\n"), "two events opened with impact high: \(trend.output)")
        let list = ilo(network.post, "officer-it", ["event", "list", "--open"])
        #expect(list.stdout.contains(r1) && list.stdout.contains(r4) && list.stdout.contains("LATE"), "\(list.output)")
    }
}
