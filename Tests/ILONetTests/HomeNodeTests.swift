import Foundation
import Testing
@testable import ILONet

/// One network for its people (issue 28, docs/ROUTING.md §8): each identity
/// reads at its home node whatever it subscribed to or was sent elsewhere;
/// subscriptions become interest the nodes announce; H2, H3 and personal data go
/// only where a named or consented reader reads. Real nodes, real TLS.
@Suite(.serialized) struct HomeNodeTests {
    func ilo(_ node: Daemon, _ identity: String, _ arguments: [String]) -> (status: Int32, output: String, stdout: String, stderr: String) {
        run(TestEnvironment.ilo, arguments + node.iloArguments(identity))
    }

    func held(_ node: Daemon, _ id: String) -> Bool { node.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 1 }

    /// Whether `node` holds `at`'s announcement with `filter` in it (or, `filter` nil, any).
    func knowsInterest(_ node: Daemon, of at: String, _ filter: String?) -> Bool {
        let filters = node.query("SELECT filters FROM interest WHERE node = '\(at)'")
        guard !filters.isEmpty else { return false }
        return filter.map { filters.contains("\"\($0)\"") } ?? true
    }

    /// The example network's register, written at the post in Tripoli: Müller reads there,
    /// Rossi and (for these tests) Italy's contact point at Tunis, Schmidt at Germany's node.
    func register(_ network: TestNetwork) {
        _ = RegisterTests.italianAuthority
        let day = RegisterTests.day
        let entries: [(String, [String])] = [
            ("authority-de-user", ["deploy", "officer.de.mueller", "--post", "LY:Tripoli", "--from", day(-30), "--reads-at", "post-tripoli.ilonet.example"]),
            ("authority-de-user", ["deploy", "ncp.de.schmidt", "--role", "authority", "--from", day(-30), "--reads-at", "authority-de.ilonet.example"]),
            ("authority-it-user", ["deploy", "officer.it.rossi", "--post", "LY:Tripoli,TN:Tunis", "--from", day(-30), "--reads-at", "post-tunis.ilonet.example"]),
            ("authority-it-user", ["deploy", "ncp.it.bianchi", "--role", "authority", "--from", day(-30), "--reads-at", "post-tunis.ilonet.example"]),
        ]
        for (writer, arguments) in entries {
            let deployed = ilo(network.post, writer, arguments)
            #expect(deployed.status == 0, "\(deployed.output)")
        }
        for node in network.all {
            #expect(waitFor(20) { node.count("SELECT count(*) FROM register") == 4 }, "the register reaches \(node.configPath)")
        }
    }

    @Test func aSubscriptionAtTheHomeNodeDrawsReportsPublishedAtAnotherPostUntilItIsWithdrawn() throws {
        let network = try TestNetwork(withTunis: true)
        let tunis = try #require(network.tunis)
        register(network)
        // Rossi connects at home: his posts (LY, TN) become subscriptions there, announced as interest.
        #expect(ilo(tunis, "officer-it", ["whoami"]).status == 0)
        #expect(waitFor(15) { knowsInterest(network.post, of: "post-tunis.ilonet.example", "+/LY/#") }, "the post in Tripoli learns Tunis's interest")

        let sent = network.send(sampleReport(["headline": "Rubber boats leave Zuwara at night"]))
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(waitFor(15) { held(tunis, sent.id) }, "the report reaches Rossi's home node")
        let inbox = ilo(tunis, "officer-it", ["inbox"])
        #expect(inbox.status == 0 && inbox.stdout.contains("Rubber boats leave Zuwara"), "\(inbox.output)")
        #expect(inbox.stdout.contains(String(sent.id.filter(\.isHexDigit).suffix(8))), "the row ends with the short id")
        #expect(network.post.count("SELECT count(*) FROM deliveries WHERE identity = 'officer.it.rossi'") == 0, "nothing waits for Rossi at Tripoli")

        // At another node, Rossi's ilo goes home, with a note.
        let away = ilo(network.post, "officer-it", ["inbox", "--all"])
        #expect(away.status == 0 && away.stderr.contains("you read at post-tunis.ilonet.example") && away.stdout.contains("Rubber boats leave Zuwara"), "\(away.output)")

        // Italy's contact point subscribes at Tunis to Algerian border reports, then withdraws.
        #expect(ilo(tunis, "authority-it-user", ["subscribe", "border/DZ/#"]).status == 0)
        #expect(waitFor(15) { knowsInterest(network.post, of: "post-tunis.ilonet.example", "border/DZ/#") })
        let first = network.send(sampleReport(kind: "border", country: "DZ", headline: "Crossing at In Guezzam"))
        #expect(first.status == 0, "\(first.stderr)")
        #expect(waitFor(15) { held(tunis, first.id) })
        #expect(ilo(tunis, "authority-it-user", ["inbox"]).stdout.contains("Crossing at In Guezzam"))
        #expect(ilo(tunis, "authority-it-user", ["unsubscribe", "border/DZ/#"]).status == 0)
        #expect(waitFor(15) {
            knowsInterest(network.post, of: "post-tunis.ilonet.example", nil) && !knowsInterest(network.post, of: "post-tunis.ilonet.example", "border/DZ/#")
                && !knowsInterest(network.regional, of: "post-tunis.ilonet.example", "border/DZ/#")
        })
        let second = network.send(sampleReport(kind: "border", country: "DZ", headline: "Second crossing at In Guezzam"))
        #expect(second.status == 0)
        #expect(waitFor(15) { held(network.board, second.id) }, "the report takes its regular route")
        Thread.sleep(forTimeInterval: 1)
        #expect(!held(tunis, second.id), "without interest, Tunis does not receive it")
    }

    @Test func restrictedReportsGoOnlyWhereANamedOrConsentedReaderReadsAndReachAHomeNodeThatWasDown() throws {
        let network = try TestNetwork(withTunis: true)
        let tunis = try #require(network.tunis)
        register(network)
        #expect(ilo(tunis, "officer-it", ["whoami"]).status == 0)
        #expect(ilo(tunis, "authority-it-user", ["whoami"]).status == 0)
        #expect(waitFor(15) { knowsInterest(network.regional, of: "post-tunis.ilonet.example", "+/LY/#") })

        // H2 for Germany's contact point; H3 and personal data for him too: none goes to Tunis,
        // though Rossi subscribed to Libya there.
        let h2 = network.send(sampleReport(["handling": "H2", "addressees": ["ncp.de.schmidt"], "headline": "Sabratha boats, for Germany"]))
        let h3 = network.send(sampleReport(["handling": "H3", "addressees": ["ncp.de.schmidt"], "headline": "Source protected", "conditions": "For the German investigation only"]))
        let eraseBy = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 86_400_000 * 3).prefix(10))
        let personal = network.send(sampleReport(
            ["personal_data": "return-identification", "erase_by": .string(eraseBy), "addressees": ["ncp.de.schmidt"], "headline": "Identification in Tripoli"],
            kind: "return"))
        #expect(h2.status == 0 && h3.status == 0 && personal.status == 0, "\(h2.stderr) \(h3.stderr) \(personal.stderr)")
        #expect(waitFor(15) { held(network.authority, h2.id) && held(network.authority, h3.id) && held(network.board, h2.id) && held(network.authority, personal.id) })
        let open = network.send(sampleReport(["headline": "Open report after the H2 one"]))
        #expect(waitFor(15) { held(tunis, open.id) }, "links work: an open report reaches Tunis")
        #expect(!held(tunis, h2.id) && !held(tunis, h3.id) && !held(tunis, personal.id), "no H2, H3 or personal-data report at a home node without a named reader")
        #expect(ilo(tunis, "officer-it", ["show", h2.id]).stderr.contains("not-found"))

        // Tunis goes down; Müller consents to Italy's authority. Tunis comes back and receives both.
        tunis.stop()
        let granted = ilo(network.post, "officer-de", ["consent", "grant", h2.id, "--to", "authority:IT-PS"])
        #expect(granted.status == 0, "\(granted.output)")
        #expect(waitFor(10) { network.regional.count("SELECT count(*) FROM outbound o JOIN reports r ON r.seq = o.report_seq WHERE o.next_hop = 'post-tunis.ilonet.example' AND r.id = '\(h2.id)'") == 1 },
                "the regional hub queues the report for Tunis")
        try tunis.start()
        #expect(waitFor(20) { held(tunis, h2.id) })
        #expect(waitFor(15) { ilo(tunis, "officer-it", ["show", h2.id]).status == 0 }, "every IT-PS identity reads it at home once consented")
        let inbox = ilo(tunis, "authority-it-user", ["inbox"]).stdout
        #expect(inbox.contains("Sabratha boats, for Germany"), "\(inbox)")
        #expect(!held(tunis, h3.id) && !held(tunis, personal.id))
    }

    @Test func unreadReportsMoveWithTheirReaderToTheNewHomeAndReadOnesStay() throws {
        let network = try TestNetwork(withTunis: true)
        let tunis = try #require(network.tunis)
        register(network)
        // Italy's contact point reads at Tunis: three reports for Italy, one of them read there.
        var ids: [String] = []
        for headline in ["For Italy one", "For Italy two", "For Italy three"] {
            let sent = network.send(sampleReport(["addressees": ["authority:IT-PS"], "headline": .string(headline)]))
            #expect(sent.status == 0, "\(sent.stderr)")
            ids.append(sent.id)
        }
        #expect(waitFor(15) { ids.allSatisfy { held(tunis, $0) } })
        #expect(ilo(tunis, "authority-it-user", ["read", ids[0]]).stdout.contains("1 of 1 marked read"))
        // Italy moves its contact point's mailbox to Germany's node (a new register entry).
        let moved = ilo(network.post, "authority-it-user", [
            "deploy", "ncp.it.bianchi", "--role", "authority", "--from", RegisterTests.day(-30), "--reads-at", "authority-de.ilonet.example",
        ])
        #expect(moved.status == 0, "\(moved.output)")
        func unread(_ node: Daemon) -> Int {
            node.count("SELECT count(*) FROM deliveries WHERE identity = 'ncp.it.bianchi' AND read_ms IS NULL")
        }
        #expect(waitFor(20) { unread(network.authority) == 2 }, "the two unread reports reach the new home")
        #expect(unread(tunis) == 0 && tunis.count("SELECT count(*) FROM deliveries WHERE identity = 'ncp.it.bianchi'") == 1, "the read one stays")
        let inbox = ilo(network.authority, "authority-it-user", ["inbox"])
        #expect(inbox.stdout.contains("For Italy two") && inbox.stdout.contains("For Italy three") && !inbox.stdout.contains("For Italy one"), "\(inbox.output)")
        #expect(ilo(network.authority, "authority-it-user", ["inbox"]).stdout.contains("no new reports"), "nothing is shown twice")
        #expect(tunis.log.contains("mailbox moved"))
    }

    @Test func aNodeAnnouncesInterestForItsOwnReadersOnlyAndNeverAsAReport() throws {
        let tunis = Origin(officer: "post-tunis.ilonet.example", authority: "ILONet Example Network", state: "EU")
        let announcement = try #require(Interest.draft(
            node: tunis, filters: ["+/LY/#", "smuggling/#"], address: "127.0.0.1:7612", sequence: 7, now: Timestamp.nowMilliseconds(), lifetime: 86_400))
        #expect(announcement.headline == "Interest of post-tunis.ilonet.example: 2 topic filters" && announcement.topic == "interest/several/post-tunis.ilonet.example")
        let itself = PeerIdentity(id: "post-tunis.ilonet.example", role: .node, authority: "ILONet Example Network", memberState: "EU")
        #expect(Interest.problem(announcement, author: itself) == nil)
        let another = PeerIdentity(id: "post-tripoli.ilonet.example", role: .node, authority: "ILONet Example Network", memberState: "EU")
        #expect(Interest.problem(announcement, author: another)?.contains("announces interest for its own readers only") == true)
        let person = PeerIdentity(id: "officer.it.rossi", role: .officer, authority: "IT-PS", memberState: "IT")
        #expect(Interest.problem(announcement, author: person)?.contains("announced by nodes") == true)
        // The way towards a node: itself when a peer, else the peer its announcement came from.
        let map = InterestMap([
            .init(node: "post-tunis.ilonet.example", filters: ["+/LY/#"], via: "regional-na.ilonet.example", address: nil, sequence: 7, expiresMilliseconds: .max)
        ])
        #expect(map.nodes(interestedIn: "smuggling/LY/sea") == ["post-tunis.ilonet.example"] && map.nodes(interestedIn: "smuggling/TN/sea").isEmpty)
        #expect(map.hop(towards: "post-tunis.ilonet.example", peers: ["regional-na.ilonet.example"], path: [], me: "post-tripoli.ilonet.example") == "regional-na.ilonet.example")
        #expect(map.hop(towards: "post-tunis.ilonet.example", peers: ["regional-na.ilonet.example"], path: ["regional-na.ilonet.example"], me: "x") == nil)
        // A person cannot publish one.
        let daemon = try Daemon()
        try daemon.start()
        var document = announcement.document
        if case .object(var fields) = document { fields["origin"] = nil; fields["signature"] = nil; document = .object(fields) }
        let officer = try daemon.client("officer-de")
        do throws(ClientError) {
            _ = try officer.request(.publish, ["report": document])
            Issue.record("a person published an interest announcement")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.code == .forbidden && refusal.message.contains("written by nodes"), "\(refusal)")
        }
    }

    @Test func readStateIsSharedByEveryClientAndReadingDoesNotConsume() throws {
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("authority-fr-user", subscribing: "#")
        let author = try daemon.client("officer-de")
        var ids: [String] = []
        for headline in ["Boats at Zuwara", "Boats at Zuwara", "Convoy near Sebha"] {
            let report = sampleReport(["headline": .string(headline)])
            #expect(try author.request(.publish, ["report": report]).type == .accepted)
            ids.append(report["id"]!.stringValue!)
        }
        // The terminal reads: rows of 80 columns at most; the same headline shows author and time.
        let inbox = ilo(daemon, "authority-fr-user", ["inbox"])
        #expect(inbox.status == 0, "\(inbox.output)")
        let rows = inbox.stdout.split(separator: "\n")
        #expect(rows.count == 4 && rows.allSatisfy { $0.count <= 80 }, "\(inbox.stdout)")
        #expect(rows.filter { $0.contains("Boats at Zuwara (mueller, ") }.count == 2, "\(inbox.stdout)")
        #expect(ilo(daemon, "authority-fr-user", ["inbox"]).stdout.contains("no new reports"))
        // Read, not gone: the mailbox keeps them, and the web view's FETCH sees the same flags.
        let reader = try daemon.client("authority-fr-user")
        let all = try reader.request(.fetch, ["all": true, "limit": 10]).body["reports"]?.arrayValue ?? []
        #expect(all.count == 3 && all.allSatisfy { $0["read"] == .bool(true) })
        #expect(all.first?["report"]?["id"]?.stringValue == ids[2], "newest first")
        // One back to unread (by its short id), as the web view's button does: the terminal shows it again.
        let unread = ilo(daemon, "authority-fr-user", ["unread", String(ids[2].filter(\.isHexDigit).suffix(8))])
        #expect(unread.status == 0 && unread.stdout.contains("1 of 1 marked unread"), "\(unread.output)")
        #expect((try reader.request(.fetch, ["limit": 10]).body["reports"]?.arrayValue ?? []).count == 1)
        let again = ilo(daemon, "authority-fr-user", ["inbox", "--peek"])
        #expect(again.stdout.contains("Convoy near Sebha"), "\(again.output)")
        #expect(ilo(daemon, "authority-fr-user", ["show", String(ids[2].suffix(8))]).stdout.contains("Convoy near Sebha"))
        // MARK read by the protocol; a machine consumer's CONFIRM also counts as read.
        #expect(try reader.request(.mark, ["ids": [.string(ids[2])], "read": true]).body["changed"] == .integer(1))
        #expect((try reader.request(.fetch, ["limit": 10]).body["reports"]?.arrayValue ?? []).isEmpty)
        #expect(ilo(daemon, "authority-fr-user", ["inbox", "--all"]).stdout.contains("3 report(s), 0 unread"))
    }
}

/// Retention ceilings per Art. 10(3) category (issue 29, item 9): an `erase_by`
/// beyond the first node's ceiling is refused, naming it.
@Suite struct RetentionCeilingTests {
    @Test func anEraseByBeyondTheCeilingIsRefusedAtTheFirstNodeNamingIt() throws {
        let daemon = try Daemon(extraConfig: "reports.personal.max-retention.return-passenger-list 30d")
        try daemon.start()
        let officer = try daemon.client("officer-de")
        func report(_ days: Int64) -> JSONValue {
            sampleReport(
                ["personal_data": "return-passenger-list", "addressees": ["authority:DE-BPOL"],
                 "erase_by": .string(String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + days * 86_400_000).prefix(10))),
                 "body.passenger_list": [["name": "A Person", "nationality": "NG"]]], kind: "return")
        }
        #expect(try officer.request(.publish, ["report": report(20)]).type == .accepted)
        do throws(ClientError) {
            _ = try officer.request(.publish, ["report": report(45)])
            Issue.record("an erase_by beyond the ceiling was accepted")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.code == .invalidReport && refusal.field == "erase_by", "\(refusal)")
            #expect(refusal.message.contains("at most 30 days here (reports.personal.max-retention.return-passenger-list"), "\(refusal)")
        }
        // The built-in ceilings (ILONet's own policy, docs/REPORTS.md §2).
        let ceilings: [Purpose: Double] = [.returnIdentification: 365 * 86400, .returnPassengerList: 90 * 86400, .smugglingTrafficking: 365 * 86400]
        #expect(ReportDefaults().maximumRetention == ceilings)
    }

    /// Nodes hold personal data only where a rule says so: the built-in rules name none.
    @Test func theBuiltInRulesLetNoNodeHoldPersonalData() {
        let node = PeerIdentity(id: "regional-na.ilonet.example", role: .node, authority: "ILONet Example Network", memberState: "EU")
        let verdict = AccessRules.defaults.decide(.holdPersonal, for: node)
        #expect(!verdict.allowed && verdict.description.contains("default deny"), "\(verdict)")
        let report = try! Report.validate(
            sampleReport(
                ["personal_data": "return-identification", "addressees": ["ncp.de.schmidt"],
                 "erase_by": .string(String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 10 * 86_400_000).prefix(10))),
                 "body.persons": [["name": "A Person", "nationality": "NG"]]], kind: "return"),
            sender: Origin(officer: "officer.de.mueller", authority: "DE-BPOL", state: "DE"))
        let router = Router(nodeName: "post-tripoli.ilonet.example", table: try! RoutingTable.parse("default -> regional-na.ilonet.example", path: "t.routes"))
        #expect(router.nextHops(for: report, path: ["post-tripoli.ilonet.example"], access: .defaults).isEmpty)
    }
}
