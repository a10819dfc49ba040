import Foundation
import Glibc
import Testing
@testable import ILONet

/// The example network as real ilod processes: custody, copies, outages,
/// crashes, priorities, expiry and full queues.
@Suite(.serialized) struct StoreAndForwardTests {
    func held(_ node: Daemon, _ id: String) -> Int { node.count("SELECT count(*) FROM reports WHERE id = '\(id)'") }

    @Test func reportFromAPostReachesRegionalBoardAndAuthorityExactlyOnce() throws {
        let network = try TestNetwork()
        let german = network.send(sampleReport(["headline": "From a German officer"]))
        let italian = network.send(sampleReport(["headline": "From an Italian officer"]), as: "officer-it")
        #expect(german.status == 0 && italian.status == 0, "\(german.stderr) \(italian.stderr)")
        #expect(waitFor(15) { held(network.board, german.id) == 1 && held(network.authority, german.id) == 1 && held(network.board, italian.id) == 1 })
        // Exactly once at every node; the copy rule sends only German officers' reports to Germany.
        for node in [network.post, network.regional, network.board] {
            #expect(held(node, german.id) == 1 && held(node, italian.id) == 1)
        }
        #expect(held(network.authority, german.id) == 1)
        #expect(held(network.authority, italian.id) == 0)
        // Every queue is empty: each hop deleted its copy after the next one acknowledged.
        #expect(waitFor(5) { network.all.allSatisfy { $0.count("SELECT count(*) FROM outbound") == 0 } })
        // The path travels with the report.
        #expect(network.board.query("SELECT path FROM reports WHERE id = '\(german.id)'")
            == #"["post-tripoli.ilonet.example","regional-na.ilonet.example","board.ilonet.example"]"#)
        // Nobody received anything twice.
        for node in network.all { #expect(!node.log.contains("already held"), "\(node.configPath)") }
    }

    @Test func reportsQueueAtThePostWhileTheUplinkIsDownAndAllArriveAfter() throws {
        let network = try TestNetwork(startRegional: false)
        var ids: [String] = []
        for n in 0..<20 {
            let sent = network.send(sampleReport(["headline": "During the outage \(n)"]))
            #expect(sent.status == 0)
            #expect(sent.stderr.contains("queued at post-tripoli.ilonet.example, waiting for regional-na.ilonet.example"), "\(sent.stderr)")
            ids.append(sent.id)
        }
        #expect(network.post.count("SELECT count(*) FROM outbound") == 20)
        try network.regional.start()
        #expect(waitFor(20) { network.board.count("SELECT count(*) FROM reports") == 20 })
        for id in ids { #expect(held(network.board, id) == 1 && held(network.authority, id) == 1) }
        #expect(waitFor(5) { network.post.count("SELECT count(*) FROM outbound") == 0 })
    }

    @Test func killingARelayMidTransferLosesAndDuplicatesNothing() throws {
        let network = try TestNetwork(startRegional: false)
        let client = try network.post.client("officer-de")
        var ids = Set<String>()
        for n in 0..<1000 {
            let report = sampleReport(["headline": "Backlog \(n)"])
            _ = try client.request(.publish, ["report": report])
            ids.insert(report["id"]!.stringValue!)
        }
        try network.regional.start()
        // SIGKILL the relay while it is taking the backlog from the post and passing it on.
        #expect(waitFor(30) { network.regional.count("SELECT count(*) FROM reports") >= 100 })
        network.regional.kill()
        let atKill = network.regional.count("SELECT count(*) FROM reports")
        #expect(atKill < 1000, "the transfer finished before the kill; nothing was tested")
        #expect(network.regional.query("PRAGMA integrity_check") == "ok")
        try network.regional.start()
        #expect(waitFor(90) { network.board.count("SELECT count(*) FROM reports") == 1000 && network.authority.count("SELECT count(*) FROM reports") == 1000 })
        for node in [network.regional, network.board, network.authority] {
            #expect(node.count("SELECT count(*) FROM reports") == 1000)
            #expect(node.count("SELECT count(DISTINCT id) FROM reports") == 1000)
            let stored = Set(node.query("SELECT id FROM reports").split(separator: "\n").map(String.init))
            #expect(stored == ids)
        }
        #expect(waitFor(10) { network.post.count("SELECT count(*) FROM outbound") == 0 && network.regional.count("SELECT count(*) FROM outbound") == 0 })
    }

    @Test func aBacklogDrainsMostUrgentFirst() throws {
        let network = try TestNetwork(startRegional: false)
        let client = try network.post.client("officer-de")
        for n in 0..<60 { _ = try client.request(.publish, ["report": sampleReport(["headline": "routine \(n)"])]) }
        for n in 0..<5 { _ = try client.request(.publish, ["report": sampleReport(["headline": "priority \(n)", "priority": "priority"])]) }
        for n in 0..<5 { _ = try client.request(.publish, ["report": sampleReport(["headline": "flash \(n)", "priority": "flash"])]) }
        try network.regional.start()
        #expect(waitFor(20) { network.regional.count("SELECT count(*) FROM reports") == 70 })
        // In arrival order at the regional hub: all flash, then priority, then routine.
        let order = network.regional.query("SELECT priority FROM reports ORDER BY seq").split(separator: "\n").compactMap { Int($0) }
        #expect(order == order.sorted(), "arrival order by priority rank: \(order)")
        #expect(order.prefix(5).allSatisfy { $0 == 0 })
    }

    @Test func anExpiredReportIsDeadLetteredAndItsOriginNotified() throws {
        let network = try TestNetwork(startRegional: false)
        let expires = Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 1500)
        let sent = network.send(sampleReport(["headline": "Short-lived", "expires": .string(expires)]))
        #expect(sent.status == 0)
        #expect(waitFor(10) { network.post.count("SELECT count(*) FROM dead_letters") == 1 })
        #expect(network.post.query("SELECT reason FROM dead_letters") == "expired")
        // The report itself is kept whole; only its queue entry moved.
        #expect(network.post.count("SELECT count(*) FROM outbound") == 0)
        #expect(held(network.post, sent.id) == 1)
        // The officer finds a notice saying what expired and where: with the report in
        // `ilo sent`, and as an inbox item only when asked for (--notices).
        #expect(!run(TestEnvironment.ilo, ["inbox", "--json", "--peek"] + network.post.iloArguments("officer-de")).stdout.contains("\"notice\""))
        let inbox = run(TestEnvironment.ilo, ["inbox", "--json", "--notices", "--peek"] + network.post.iloArguments("officer-de"))
        let sentView = run(TestEnvironment.ilo, ["sent", sent.id] + network.post.iloArguments("officer-de"))
        #expect(sentView.stdout.contains("now      expired before it was delivered"), "\(sentView.output)")
        #expect(sentView.stdout.contains("expired at post-tripoli.ilonet.example waiting for regional-na.ilonet.example (signed notice)"))
        let notices = (try JSONValue(parsing: inbox.stdout).arrayValue ?? []).filter { $0["kind"] == "notice" }
        #expect(notices.count == 1, "\(inbox.output)")
        #expect(notices.first?["body"]?["about"]?.stringValue == sent.id)
        #expect(notices.first?["body"]?["event"] == "expired")
        #expect(notices.first?["body"]?["node"] == "post-tripoli.ilonet.example")
        #expect(notices.first?["body"]?["next_hop"] == "regional-na.ilonet.example")
        // Nobody else sees it.
        let other = run(TestEnvironment.ilo, ["inbox", "--json"] + network.post.iloArguments("officer-it"))
        #expect(!(other.stdout.contains("notice")))
    }

    @Test func aNoticeTravelsBackToThePostOfTheOrigin() throws {
        let network = try TestNetwork()
        // The authority node is away: a report copied to it expires at the regional hub.
        network.authority.stop()
        let expires = Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 1500)
        let sent = network.send(sampleReport(["headline": "Copy will expire", "expires": .string(expires)]))
        #expect(waitFor(10) { network.regional.count("SELECT count(*) FROM dead_letters") == 1 })
        // The notice comes down the same links to the post, where the officer reads it.
        #expect(waitFor(10) { network.post.count("SELECT count(*) FROM reports WHERE kind = 'notice' AND recipient = 'officer.de.mueller'") == 1 })
        let inbox = run(TestEnvironment.ilo, ["inbox", "--json", "--notices"] + network.post.iloArguments("officer-de"))
        let notice = (try JSONValue(parsing: inbox.stdout).arrayValue ?? []).first { $0["kind"] == "notice" }
        #expect(notice?["body"]?["about"]?.stringValue == sent.id)
        #expect(notice?["body"]?["node"] == "regional-na.ilonet.example")
        #expect(notice?["body"]?["next_hop"] == "authority-de.ilonet.example")
    }

    @Test func aFullQueueRefusesNewReportsAndKeepsTheQueuedOnes() throws {
        let network = try TestNetwork(postConfig: "queue.max-per-hop 3", startRegional: false)
        for n in 0..<3 { #expect(network.send(sampleReport(["headline": "fits \(n)"])).status == 0) }
        let refused = network.send(sampleReport(["headline": "one too many"]))
        #expect(refused.status == 4, "\(refused.stderr)")
        #expect(refused.stderr.contains("queue-full") && refused.stderr.contains("queued on this computer"))
        #expect(refused.stderr.contains("the queue for regional-na.ilonet.example is full"))
        #expect(network.post.count("SELECT count(*) FROM outbound") == 3)
        #expect(network.post.count("SELECT count(*) FROM reports") == 3)
        #expect(network.post.log.contains("report refused: queue full"))
        // When the link returns the queue drains and there is room again.
        try network.regional.start()
        #expect(waitFor(15) { network.board.count("SELECT count(*) FROM reports") == 3 })
        #expect(waitFor(5) { network.send(sampleReport(["headline": "room again"])).status == 0 })
    }

    @Test func queueControlForAdministrators() throws {
        let network = try TestNetwork(startRegional: false)
        let first = network.send(sampleReport(["headline": "to hold"]))
        let second = network.send(sampleReport(["headline": "to delete"]))
        func ilo(_ arguments: [String], as identity: String = "admin") -> (status: Int32, output: String, stdout: String, stderr: String) {
            run(TestEnvironment.ilo, ["queue"] + arguments + network.post.iloArguments(identity))
        }
        let listing = ilo([])
        #expect(listing.status == 0, "\(listing.output)")
        #expect(listing.stdout.contains(first.id))
        // Between retries the link is down, during one it is connecting.
        #expect(listing.stdout.contains("regional-na.ilonet.example  down since") || listing.stdout.contains("regional-na.ilonet.example  connecting since"), "\(listing.stdout)")
        let json = try JSONValue(parsing: ilo(["--json"]).stdout)
        #expect(json["queue"]?.arrayValue?.count == 2)
        #expect(json["links"]?["regional-na.ilonet.example"]?["state"] != "up")

        #expect(ilo(["hold", first.id]).status == 0)
        #expect(network.post.query("SELECT state FROM outbound o JOIN reports r ON r.seq = o.report_seq WHERE r.id = '\(first.id)'") == "held")
        #expect(ilo(["delete", second.id]).status == 0)
        #expect(network.post.count("SELECT count(*) FROM outbound") == 1)
        #expect(network.post.query("SELECT actor || ' ' || action || ' ' || report_id FROM queue_audit WHERE action = 'delete'")
            == "admin.hub delete \(second.id)")
        // Officers may not touch the queue.
        let refused = ilo(["flush"], as: "officer-de")
        #expect(refused.status == 1 && refused.stderr.contains("forbidden"))

        // Held reports stay while the link is back; released, they go.
        try network.regional.start()
        #expect(ilo(["flush"]).status == 0)
        Thread.sleep(forTimeInterval: 1)
        #expect(held(network.regional, first.id) == 0)
        #expect(ilo(["release", first.id]).status == 0)
        #expect(waitFor(10) { held(network.board, first.id) == 1 })
        #expect(held(network.board, second.id) == 0)
    }

    @Test func routeTestExplainsTheNodesDecision() throws {
        let network = try TestNetwork()
        let result = run(
            TestEnvironment.ilo, ["route", "test", "--country", "LY", "--kind", "smuggling", "--authority", "DE"] + network.regional.iloArguments("admin"))
        #expect(result.status == 0, "\(result.output)")
        #expect(result.stdout.contains("board.ilonet.example  by default rule at \(network.regionalRoutes):11"), "\(result.stdout)")
        #expect(result.stdout.contains("authority-de.ilonet.example  by copy rule at \(network.regionalRoutes):8: authority=DE"))
        let italian = run(TestEnvironment.ilo, ["route", "test", "--country", "LY", "--authority", "IT-PS", "--json"] + network.regional.iloArguments("admin"))
        let hops = try JSONValue(parsing: italian.stdout)["decisions"]?.arrayValue?.compactMap { $0["next_hop"]?.stringValue }
        #expect(hops == ["board.ilonet.example"])
        let officer = run(TestEnvironment.ilo, ["route", "test", "--country", "LY"] + network.regional.iloArguments("officer-de"))
        #expect(officer.status == 1 && officer.stderr.contains("forbidden"))
    }

    @Test func sighupReloadsTheTableAndKeepsTheOldOneWhenTheNewIsBroken() throws {
        let network = try TestNetwork()
        // Drop the copy rule: German reports no longer go to the authority node.
        try "default -> board.ilonet.example\n".write(toFile: network.regionalRoutes, atomically: true, encoding: .utf8)
        kill(network.regional.pid, SIGHUP)
        #expect(waitFor(5) { network.regional.log.contains("routing table reloaded") })
        let after = network.send(sampleReport(["headline": "after reload"]))
        #expect(waitFor(10) { held(network.board, after.id) == 1 })
        Thread.sleep(forTimeInterval: 0.5)
        #expect(held(network.authority, after.id) == 0)

        // A broken table is refused, line by line, and the node keeps routing with the old one.
        try "default -> board.ilonet.example\ncopy authorty=DE -> nowhere.example\n".write(toFile: network.regionalRoutes, atomically: true, encoding: .utf8)
        kill(network.regional.pid, SIGHUP)
        #expect(waitFor(5) { network.regional.log.contains("reload failed; nothing was changed") })
        #expect(network.regional.log.contains("\(network.regionalRoutes):2: unknown key \\\"authorty\\\""), "\(network.regional.log)")
        let still = network.send(sampleReport(["headline": "after the broken reload"]))
        #expect(waitFor(10) { held(network.board, still.id) == 1 })
        // No link was dropped by either reload.
        #expect(!network.post.log.contains("link to peer down"))
        #expect(network.regional.log.components(separatedBy: "msg=\"link up\" peer=board.ilonet.example").count == 2)
    }

    @Test func quietLinksStayUpPastTheIdleTimeout() throws {
        let network = try TestNetwork(allConfig: "limits.idle-timeout 2s")
        Thread.sleep(forTimeInterval: 5)
        // Nothing to send for longer than the idle timeout, yet no link was closed.
        for node in network.all {
            #expect(!node.log.contains("idle for more than"), "\(node.log)")
            #expect(!node.log.contains("link to peer down"), "\(node.log)")
        }
        let sent = network.send(sampleReport(["headline": "after a quiet spell"]))
        #expect(waitFor(10) { network.board.count("SELECT count(*) FROM reports WHERE id = '\(sent.id)'") == 1 })
    }

    @Test func checkConfigRefusesABrokenRoutingTableWithFileAndLine() throws {
        let directory = TestEnvironment.runDirectory + "/routes-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let routes = directory + "/bad.routes"
        try """
            # comment
            route country=LIBYA -> board.ilonet.example
            copy authority=DE -> somewhere.example
            default -> board.ilonet.example
            default -> board.ilonet.example
            route kind=smuggling
            """.write(toFile: routes, atomically: true, encoding: .utf8)
        let daemon = try Daemon(extraConfig: "peer board.ilonet.example 127.0.0.1:9\nroutes \(routes)", certificate: "regional-na", role: "regional-hub")
        let result = run(TestEnvironment.ilod, ["--check-config", "--config", daemon.configPath])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(routes):2: unknown country code \"LIBYA\""), "\(result.stderr)")
        #expect(result.stderr.contains("\(routes):3: next hop \"somewhere.example\" is not a configured peer"))
        #expect(result.stderr.contains("\(routes):5: a second default rule (the first is on line 4)"))
        #expect(result.stderr.contains("\(routes):6: expected \"-> NEXT-HOP\" at the end of the rule"))
    }
}
