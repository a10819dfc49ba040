import Foundation
import Glibc
import Testing
@testable import ILONet

/// Subscriptions, deliveries and digests against real ilod processes.
@Suite(.serialized) struct SubscriptionTests {
    /// ilo as `identity` against `daemon`, with its own state directory (seen ids).
    func ilo(_ daemon: Daemon, _ identity: String, _ arguments: [String], stdin: String? = nil) -> (status: Int32, output: String, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = daemon.directory + "/state-\(identity)"
        return run(TestEnvironment.ilo, arguments + daemon.iloArguments(identity), stdin: stdin, environment: environment)
    }

    func jsonLines(_ text: String) -> [JSONValue] {
        text.split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
    }

    func publish(_ daemon: Daemon, _ reports: [JSONValue], as identity: String = "officer-de") throws {
        let client = try daemon.client(identity)
        for report in reports { _ = try client.request(.publish, ["report": report]) }
    }

    @Test func wildcardSubscriptionsReceiveExactlyTheMatchingReports() throws {
        let daemon = try Daemon()
        try daemon.start()
        #expect(ilo(daemon, "authority-fr-user", ["subscribe", "smuggling/+/sea"]).status == 0)
        #expect(ilo(daemon, "admin", ["subscribe", "border/#"]).status == 0)
        #expect(ilo(daemon, "authority-de-user", ["subscribe", "+/TN/#"]).status == 0)
        let sea = sampleReport(["body.means_of_transport": ["boat"]])
        let land = sampleReport(["body.means_of_transport": ["truck"]])
        let borderLY = sampleReport(kind: "border")
        let borderTN = sampleReport(["country": "TN"], kind: "border")
        let returnTN = sampleReport(["country": "TN"], kind: "return")
        try publish(daemon, [sea, land, borderLY, borderTN, returnTN])
        func inbox(_ identity: String) throws -> Set<String> {
            Set(try JSONValue(parsing: ilo(daemon, identity, ["inbox", "--json"]).stdout).arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
        }
        func ids(_ reports: JSONValue...) -> Set<String> { Set(reports.compactMap { $0["id"]?.stringValue }) }
        #expect(try inbox("authority-fr-user") == ids(sea))
        // An administrator may subscribe, but reads no report content (docs/ACCESS.md §1).
        #expect(try inbox("admin").isEmpty)
        #expect(try inbox("authority-de-user") == ids(borderTN, returnTN))
        let list = ilo(daemon, "admin", ["subscriptions"]).stdout
        #expect(list.contains("border/#"))
        #expect(ilo(daemon, "admin", ["unsubscribe", "border/#"]).status == 0)
        try publish(daemon, [sampleReport(kind: "border")])
        #expect(try inbox("admin").isEmpty)
    }

    @Test func anOfflineSubscriberGetsItsBacklogOnceMostUrgentFirstAcrossDisconnects() throws {
        let daemon = try Daemon()
        try daemon.start()
        #expect(ilo(daemon, "authority-fr-user", ["subscribe", "#"]).status == 0)
        var reports: [JSONValue] = []
        for n in 0..<30 {
            let priority = n % 6 == 0 ? "flash" : n % 6 == 1 ? "immediate" : "routine"
            reports.append(sampleReport(["headline": "backlog \(n)", "priority": .string(priority)]))
        }
        try publish(daemon, reports)

        // A reader that takes three and confirms one, then drops the connection.
        let raw = try daemon.client("authority-fr-user")
        try raw.send(Message(.watch, requestID: 1).frame)
        var delivered: [String] = []
        while delivered.count < 3 {
            let message = try Message(frame: raw.receiveFrame())
            if message.type == .deliver { delivered.append(message.body["report"]!["id"]!.stringValue!) }
        }
        try raw.request(.confirm, ["ids": [.string(delivered[0])]])
        withExtendedLifetime(raw) {}

        // ilo reads the rest in three goes: two stopped watches and an inbox.
        let first = jsonLines(ilo(daemon, "authority-fr-user", ["watch", "--json", "--count", "8"]).stdout)
        let second = jsonLines(ilo(daemon, "authority-fr-user", ["watch", "--json", "--count", "7"]).stdout)
        let rest = try JSONValue(parsing: ilo(daemon, "authority-fr-user", ["inbox", "--json"]).stdout).arrayValue ?? []
        let shown = (first + second + rest).compactMap { $0["id"]?.stringValue }
        #expect(first.count == 8 && second.count == 7)
        #expect(shown.count == 29, "shown \(shown.count)")
        #expect(Set(shown).count == shown.count, "a report was shown twice")
        #expect(Set(shown + [delivered[0]]) == Set(reports.compactMap { $0["id"]?.stringValue }))
        // Most urgent first, across the three reads.
        let ranks = (first + second + rest).compactMap { $0["priority"]?.stringValue }.compactMap { Priority(rawValue: $0)?.rank }
        #expect(ranks == ranks.sorted(), "\(ranks)")
        #expect(ilo(daemon, "authority-fr-user", ["inbox"]).stdout.contains("no new reports"))
    }

    /// A confirmation makes room in the window at once, and the stream reads on
    /// a connection of its own beside the writer: a read that begins before the
    /// confirmation's update has committed must not send the report again. A
    /// flash report is read by the stream's "more urgent than where it got to"
    /// query, which would find it still pending.
    @Test func aConfirmedReportIsNotSentAgainWhileItsConfirmationCommits() throws {
        let daemon = try Daemon()
        try daemon.start()
        #expect(ilo(daemon, "authority-fr-user", ["subscribe", "#"]).status == 0)
        try publish(daemon, [sampleReport(["headline": "routine first"])])
        let stream = try daemon.client("authority-fr-user")
        try stream.send(Message(.watch, requestID: 1).frame)
        var received: [String: Int] = [:]
        var confirmID: UInt32 = 100
        /// Reads the stream until `id` arrives, confirming every delivery at once.
        func read(until id: String?) throws {
            while true {
                let message = try Message(frame: stream.receiveFrame())
                guard message.type == .deliver, let got = message.body["report"]?["id"]?.stringValue else { continue }
                received[got, default: 0] += 1
                confirmID += 1
                try stream.send(Message(.confirm, requestID: confirmID, ["ids": [.string(got)]]).frame)
                if id == nil || got == id { return }
            }
        }
        try read(until: nil)
        let publisher = try daemon.client("officer-de")
        for n in 0..<40 {
            let report = sampleReport(["headline": "flash \(n)", "priority": "flash"])
            _ = try publisher.request(.publish, ["report": report])
            try read(until: report["id"]!.stringValue!)
        }
        // A second copy would come before a report published after all of them.
        let last = sampleReport(["headline": "routine last"])
        _ = try publisher.request(.publish, ["report": last])
        try read(until: last["id"]!.stringValue!)
        #expect(received.count == 42)
        #expect(received.values.allSatisfy { $0 == 1 }, "sent more than once: \(received.filter { $0.value > 1 }.count) reports")
    }

    @Test func aStalledSubscriberIsCutOffWhileAnotherKeepsReceivingAndNothingIsLost() throws {
        let daemon = try Daemon(extraConfig: "limits.subscriber-window-bytes 4096\nlimits.subscriber-stall 1s")
        try daemon.start()
        #expect(ilo(daemon, "authority-fr-user", ["subscribe", "#"]).status == 0)
        #expect(ilo(daemon, "authority-de-user", ["subscribe", "#"]).status == 0)
        // France's contact point watches and then reads nothing at all.
        let stalled = try daemon.client("authority-fr-user")
        _ = try stalled.request(.watch)
        // Germany's NCP watches with ilo, reading as it goes.
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: TestEnvironment.ilo)
        watcher.arguments = ["watch", "--json", "--count", "20"] + daemon.iloArguments("authority-de-user")
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = daemon.directory + "/state-ncp"
        watcher.environment = environment
        let output = Pipe()
        watcher.standardOutput = output
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
        var ids: [String] = []
        for n in 0..<20 {
            let report = sampleReport(["headline": "stream \(n)", "body.modus_operandi": .string(String(repeating: "x", count: 500))])
            ids.append(report["id"]!.stringValue!)
            try publish(daemon, [report])
        }
        let watched = jsonLines(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        watcher.waitUntilExit()
        #expect(watched.count == 20)
        #expect(waitFor(10) { daemon.log.contains("slow subscriber disconnected; its reports stay queued") && daemon.log.contains("identity=ncp.fr.bernard") })
        // Nothing was lost for the stalled one.
        let inbox = try JSONValue(parsing: ilo(daemon, "authority-fr-user", ["inbox", "--json"]).stdout).arrayValue ?? []
        #expect(Set(inbox.compactMap { $0["id"]?.stringValue }) == Set(ids))
        withExtendedLifetime(stalled) {}
    }

    @Test func aDailyDigestCountsWhatArrivedWithTheClockMovedForward() throws {
        let daemon = try Daemon()
        let clock = daemon.directory + "/clock"
        let now = Timestamp.nowMilliseconds()
        try Timestamp.format(milliseconds: now).write(toFile: clock, atomically: true, encoding: .utf8)
        daemon.environment["ILONET_CLOCK_FILE"] = clock
        try daemon.start()
        #expect(daemon.log.contains("this node goes by the time in a file"))
        let subscribed = ilo(daemon, "authority-fr-user", ["subscribe", "#", "--digest", "daily"])
        #expect(subscribed.status == 0, "\(subscribed.output)")

        let flash = sampleReport(["headline": "Flash from Zuwara", "priority": "flash"])
        let routine = sampleReport(["headline": "Routine from Zuwara"])
        let restricted = sampleReport(["headline": "For Rossi only", "handling": "H2", "addressees": ["officer.it.rossi"]])
        let border = sampleReport(["country": "TN", "headline": "Ras Ajdir"], kind: "border")
        let personal = sampleReport(
            ["headline": "Passenger list", "personal_data": "return-passenger-list", "erase_by": .string(String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 30 * 86_400_000).prefix(10))),
             "addressees": ["authority:DE-BPOL"],
             "body.passenger_list": [["name": "Secret Name", "nationality": "NG"]]], kind: "return")
        try publish(daemon, [flash, routine, restricted, border, personal])

        // The day ends.
        let today = now - now % 86_400_000
        try Timestamp.format(milliseconds: today + 86_400_000 + 30_000).write(toFile: clock, atomically: true, encoding: .utf8)
        #expect(waitFor(10) { daemon.log.contains("digest delivered") })
        let shown = ilo(daemon, "authority-fr-user", ["digest", "show", "--format", "json"])
        #expect(shown.status == 0, "\(shown.output)")
        let digest = try JSONValue(parsing: shown.stdout)
        // The H2 report for Rossi is not counted for France's contact point (not an addressee), nor the case report.
        #expect(digest["counts"]?["total"] == 3)
        #expect(digest["counts"]?["by_kind"] == ["smuggling": 2, "border": 1])
        #expect(digest["counts"]?["by_country"] == ["LY": 2, "TN": 1])
        #expect(digest["counts"]?["by_priority"] == ["flash": 1, "routine": 2])
        #expect(digest["previous"]?["total"] == 0 && digest["change"] == 3)
        #expect(digest["withheld"] == 0)
        #expect(digest["nothing_new"] == false)
        let listed = digest["reports"]?.arrayValue?.compactMap { $0["headline"]?.stringValue } ?? []
        #expect(listed.first == "Flash from Zuwara")
        #expect(Set(listed) == ["Flash from Zuwara", "Routine from Zuwara", "Ras Ajdir"])
        // Neither the H2 report nor the case report shows anything of itself.
        #expect(!shown.stdout.contains("For Rossi only") && !shown.stdout.contains(restricted["id"]!.stringValue!))
        #expect(!shown.stdout.contains("Passenger list") && !shown.stdout.contains(personal["id"]!.stringValue!))
        #expect(ilo(daemon, "authority-fr-user", ["digest", "show", "--format", "markdown"]).stdout.hasPrefix("# Daily digest for #"))

        // A day with nothing still gets its digest.
        try Timestamp.format(milliseconds: today + 2 * 86_400_000 + 30_000).write(toFile: clock, atomically: true, encoding: .utf8)
        #expect(waitFor(10) { daemon.log.components(separatedBy: "digest delivered").count == 3 })
        let quiet = try JSONValue(parsing: ilo(daemon, "authority-fr-user", ["digest", "show", "--format", "json"]).stdout)
        #expect(quiet["nothing_new"] == true && quiet["previous"]?["total"] == 3 && quiet["change"] == -3)
        #expect(ilo(daemon, "authority-fr-user", ["digest", "show"]).stdout.contains("Nothing new in this period"))
        // Both digests are in the inbox, like reports.
        let inbox = ilo(daemon, "authority-fr-user", ["inbox", "--wide"]).stdout
        #expect(inbox.contains("Daily digest # until") && inbox.contains("nothing new"))
        // A preview built on demand counts the same.
        let preview = try JSONValue(parsing: ilo(daemon, "authority-fr-user", ["digest", "preview", "#", "--since", "72h", "--format", "json"]).stdout)
        #expect(preview["counts"]?["total"] == 3)
    }
}

/// The example network with its access rules: who may subscribe, and where H2
/// and case reports go.
@Suite(.serialized) struct AccessEnforcementTests {
    /// A contact point of another authority, subscribed to everything: a reader who is no addressee.
    static let authorityNL: Void = TestEnvironment.pki.issue(
        "authority-nl", subject: "/C=NL/O=NL-IND/OU=authority/CN=ncp.nl.devries", extensions: "extendedKeyUsage=clientAuth")

    func network() throws -> TestNetwork {
        let rules = TestEnvironment.repository.appendingPathComponent("config/network/access.rules").path
        return try TestNetwork(allConfig: "access \(rules)")
    }

    @Test func theLocalNetworkReadsItsPostsReportsAndNoOthers() throws {
        let network = try network()
        let post = network.post
        try post.register("officer-it")
        // Rossi (Italy) is posted to Libya and Tunisia: Müller's (Germany) reports about Libya reach him.
        #expect(run(TestEnvironment.ilo, ["subscribe", "smuggling/LY/#"] + post.iloArguments("officer-it")).status == 0)
        let refused = run(TestEnvironment.ilo, ["subscribe", "smuggling/MA/#"] + post.iloArguments("officer-it"))
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("forbidden") && refused.stderr.contains("no access rule allows it"), "\(refused.stderr)")
        #expect(post.log.contains("subscription refused"))
        let smuggling = network.send(sampleReport())
        let border = network.send(sampleReport(kind: "border"))
        let morocco = network.send(sampleReport(["country": "MA"]))
        let inbox = try JSONValue(parsing: run(TestEnvironment.ilo, ["inbox", "--json"] + post.iloArguments("officer-it")).stdout)
        let ids = Set(inbox.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
        #expect(ids == [smuggling.id, border.id], "smuggling \(smuggling.id) border \(border.id) Morocco \(morocco.id) got \(ids)")
    }

    @Test func h2AndCaseReportsReachOnlyWhomTheyMayIncludingThroughRoutingCopies() throws {
        _ = AccessEnforcementTests.authorityNL
        let network = try network()
        try network.board.register("authority-fr-user", "authority-nl", subscribing: "#")
        try network.authority.register("authority-de-user", subscribing: "#")
        try network.post.register("officer-it")

        // H2 for Germany's authority and France's contact point.
        let toGermany = network.send(sampleReport(["handling": "H2", "addressees": ["authority:DE-BPOL", "ncp.fr.bernard"], "headline": "H2 for DE"]))
        // H2 for the Italian officer only (a border report: the rules let him read those).
        let toRossi = network.send(sampleReport(["handling": "H2", "addressees": ["officer.it.rossi"], "headline": "H2 for Rossi"], kind: "border"))
        // The same about Morocco, where he is not posted: the rules withhold it from him.
        let withheld = network.send(sampleReport(["handling": "H2", "addressees": ["officer.it.rossi"], "headline": "H2 Morocco for Rossi", "country": "MA"]))
        // Case data: a passenger list.
        let personal = network.send(sampleReport(
            ["headline": "Passenger list", "personal_data": "return-passenger-list", "erase_by": .string(String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 30 * 86_400_000).prefix(10))),
             "addressees": ["authority:DE-BPOL"],
             "body.passenger_list": [["name": "A Person", "nationality": "NG"]]], kind: "return"))
        #expect(toGermany.status == 0 && toRossi.status == 0 && personal.status == 0, "\(personal.stderr)")

        func held(_ node: Daemon, _ id: String) -> Bool { node.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 1 }
        func delivered(_ node: Daemon, _ id: String) -> Set<String> {
            Set(node.query("SELECT d.identity FROM deliveries d JOIN reports r ON r.seq = d.report_seq WHERE r.id = '\(id)'")
                .split(separator: "\n").map(String.init))
        }
        #expect(waitFor(15) { held(network.board, toGermany.id) && held(network.authority, toGermany.id) && held(network.board, toRossi.id) })
        #expect(waitFor(15) { held(network.authority, personal.id) })
        Thread.sleep(forTimeInterval: 1)

        // H2 for Germany: its authority's node got the copy; only addressees receive it, wherever
        // they read (a named addressee gets a pending delivery at each node holding it).
        #expect(delivered(network.board, toGermany.id) == ["ncp.fr.bernard"])
        #expect(delivered(network.authority, toGermany.id) == ["ncp.de.schmidt", "ncp.fr.bernard"])
        #expect(!delivered(network.board, toGermany.id).contains("ncp.nl.devries"))
        // H2 for Rossi: no copy to Germany's node; at the board only the addressee's pending delivery; Rossi reads it at his post.
        #expect(!held(network.authority, toRossi.id))
        #expect(delivered(network.board, toRossi.id) == ["officer.it.rossi"])
        #expect(delivered(network.post, toRossi.id) == ["officer.it.rossi"])
        #expect(delivered(network.post, withheld.id).isEmpty)
        let inbox = run(TestEnvironment.ilo, ["inbox"] + network.post.iloArguments("officer-it")).stdout
        #expect(inbox.contains("H2 for Rossi") && !inbox.contains("H2 Morocco for Rossi"))
        // The Dutch contact point, subscribed to everything at the platform hub, received none of these.
        let boardInbox = run(TestEnvironment.ilo, ["inbox"] + network.board.iloArguments("authority-nl")).stdout
        #expect(boardInbox.contains("no new reports"), "\(boardInbox)")
        // Case data never reaches the board hub (not allowed to hold it); Germany's NCP may read it.
        #expect(!held(network.board, personal.id))
        #expect(network.regional.log.contains("report with personal data not sent to a node that may not hold it"))
        #expect(delivered(network.authority, personal.id) == ["ncp.de.schmidt"])
        #expect(delivered(network.post, personal.id).isEmpty)
    }
}
