import Foundation
import Glibc
@testable import ILONet
import Testing

/// The audit trail (docs/RELIABILITY.md §6): what happened to a report at each
/// node, hash-chained so that altering or removing a record is detected.
@Suite(.serialized) struct AuditTrailTests {
    func ilo(_ daemon: Daemon, _ identity: String, _ arguments: [String]) -> (status: Int32, output: String, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = daemon.directory + "/state-\(identity)"
        return run(TestEnvironment.ilo, arguments + daemon.iloArguments(identity), environment: environment)
    }

    func audit(_ daemon: Daemon, _ arguments: [String]) -> (status: Int32, output: String, stdout: String, stderr: String) {
        run(TestEnvironment.ilo, ["audit"] + arguments + ["--store", daemon.storePath])
    }

    @Test func aReportsStoryAcrossTheNetworkIsRecordedAndTheChainVerifies() throws {
        let network = try TestNetwork()
        try network.board.register("authority-fr-user", subscribing: "smuggling/#")
        let sent = network.send(sampleReport(headline: "Audit me"))
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(waitFor(10) { network.board.count("SELECT count(*) FROM reports WHERE id = '\(sent.id)'") == 1 })

        // The board member reads the inbox (delivered, confirmed) and the report itself.
        #expect(ilo(network.board, "authority-fr-user", ["inbox"]).status == 0)
        #expect(ilo(network.board, "authority-fr-user", ["show", sent.id]).status == 0)

        // At the post: received from the officer, forwarded to the regional hub.
        #expect(waitFor(10) { audit(network.post, ["show", "--report", sent.id]).stdout.contains("forward") })
        let post = audit(network.post, ["show", "--report", sent.id, "--json"])
        let postEvents = try JSONValue(parsing: post.stdout).arrayValue ?? []
        #expect(postEvents.map { $0["event"]?.stringValue ?? "" } == ["receive", "forward"], "\(post.output)")
        #expect(postEvents.first?["actor"]?.stringValue == "officer.de.mueller")
        #expect(postEvents.last?["counterpart"]?.stringValue == "regional-na.ilonet.example")

        // At the board: received from the regional hub, delivered to and read by the member.
        let board = audit(network.board, ["show", "--report", sent.id])
        #expect(board.status == 0, "\(board.output)")
        let lines = board.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines[0].contains("receive") && lines[0].contains("regional-na.ilonet.example → board.ilonet.example"), "\(board.stdout)")
        #expect(lines.count == 3 && lines[1].contains("deliver") && lines[1].contains("→ ncp.fr.bernard"), "\(board.stdout)")
        #expect(lines.count == 3 && lines[2].contains("read") && lines[2].contains("ncp.fr.bernard"), "\(board.stdout)")
        // Never content.
        #expect(!board.stdout.contains("Audit me") && !post.stdout.contains("Audit me"))

        for daemon in network.all {
            let verified = audit(daemon, ["verify"])
            #expect(verified.status == 0 && verified.stdout.contains("audit trail intact"), "\(verified.output)")
        }
    }

    /// Issue 27, item 20: docs/RELIABILITY.md §6 specifies the chain exactly;
    /// its worked example is what the node's code computes, byte for byte.
    @Test func theChainIsComputedAsTheDocsSay() throws {
        let page = try String(contentsOfFile: TestEnvironment.repository.path + "/docs/RELIABILITY.md", encoding: .utf8)
        let start = try #require(page.range(of: "<!-- audit chain example -->"))
        let lines = page[start.upperBound...].split(separator: "\n").drop { !$0.hasPrefix("```") }.dropFirst().prefix { !$0.hasPrefix("```") }
        func value(_ line: Substring, _ key: String, before next: String?) -> String? {
            guard let from = line.range(of: " \(key)=") ?? (line.hasPrefix("\(key)=") ? line.range(of: "\(key)=") : nil) else { return nil }
            let rest = line[from.upperBound...]
            let text = next.flatMap { rest.range(of: " \($0)=") }.map { String(rest[..<$0.lowerBound]) } ?? String(rest)
            return text == "-" ? nil : text
        }
        var previous = AuditRecord.genesis
        var checked = 0
        var pending: AuditRecord?
        for line in lines {
            if line.hasPrefix("record ") {
                let keys = ["seq", "at_ms", "event", "report", "actor", "counterpart", "detail"]
                var fields: [String: String] = [:]
                for (index, key) in keys.enumerated() { fields[key] = value(line, key, before: index + 1 < keys.count ? keys[index + 1] : nil) }
                pending = AuditRecord(
                    seq: Int64(fields["seq"] ?? "") ?? -1, at: Int64(fields["at_ms"] ?? "") ?? -1, event: fields["event"] ?? "", reportID: fields["report"],
                    actor: fields["actor"] ?? "", counterpart: fields["counterpart"], detail: fields["detail"], hash: [])
            } else if line.hasPrefix("bytes "), let record = pending {
                let documented = String(line.drop { $0 != ":" }.dropFirst().drop { $0 == " " })
                let computed = record.chainedBytes(previous: previous).dropFirst(previous.count)
                #expect(String(decoding: computed, as: UTF8.self) == documented, "record \(record.seq)")
            } else if line.hasPrefix("hash "), let record = pending {
                let documented = String(line.drop { $0 != ":" }.dropFirst().drop { $0 == " " })
                let hash = sha256(record.chainedBytes(previous: previous))
                #expect(hash.hexString == documented, "record \(record.seq)")
                previous = hash
                checked += 1
            }
        }
        #expect(checked == 2)
    }

    @Test func alteringOrRemovingARecordIsDetected() throws {
        let daemon = try Daemon()
        try daemon.start()
        let client = try daemon.client("officer-de")
        for i in 0..<5 { _ = try client.request(.publish, ["report": sampleReport(headline: "r\(i)")]) }
        client.close()
        let intact = audit(daemon, ["verify", "--json"])
        let result = try JSONValue(parsing: intact.stdout)
        #expect(intact.status == 0 && result["intact"] == .bool(true) && result["records"]?.integerValue == 5, "\(intact.output)")
        let head = try #require(result["head"]?["hash"]?.stringValue)

        // Someone edits who sent record 3.
        daemon.stop()
        _ = daemon.query("UPDATE audit SET actor = 'someone.else' WHERE seq = 3")
        let altered = audit(daemon, ["verify"])
        #expect(altered.status == 1 && altered.stdout.contains("BROKEN at record 3"), "\(altered.output)")
        _ = daemon.query("UPDATE audit SET actor = 'officer.de.mueller' WHERE seq = 3")
        #expect(audit(daemon, ["verify"]).status == 0)

        // Someone deletes record 2.
        _ = daemon.query("DELETE FROM audit WHERE seq = 2")
        let removed = audit(daemon, ["verify"])
        #expect(removed.status == 1 && removed.stdout.contains("record 2 is missing"), "\(removed.output)")

        // Records removed from the end leave a shorter, intact chain: the head
        // recorded before (and logged by the node at start-up) tells.
        _ = daemon.query("DELETE FROM audit WHERE seq >= 2")
        let truncated = try JSONValue(parsing: audit(daemon, ["verify", "--json"]).stdout)
        #expect(truncated["head"]?["hash"]?.stringValue != head)
        try daemon.start()
        #expect(daemon.log.contains("msg=\"audit trail head\" records=1"), "\(daemon.log)")
    }

    /// The data-protection officer reads the trail over the network (docs/ACCESS.md §1);
    /// nobody else does, and no record carries content.
    @Test func theDataProtectionOfficerReadsTheTrailOverTheNetworkAndNobodyElse() throws {
        let daemon = try Daemon()
        try daemon.start()
        let client = try daemon.client("officer-de")
        for i in 0..<3 { _ = try client.request(.publish, ["report": sampleReport(headline: "Secret headline \(i)")]) }
        client.close()

        let listed = ilo(daemon, "dpo", ["audit", "list", "--event", "receive", "--json"])
        #expect(listed.status == 0, "\(listed.output)")
        let records = try JSONValue(parsing: listed.stdout).arrayValue ?? []
        #expect(records.count == 3 && records.allSatisfy { $0["event"]?.stringValue == "receive" && $0["actor"]?.stringValue == "officer.de.mueller" })
        #expect(!listed.stdout.contains("Secret headline"))

        // Paging: one record after record 1.
        let paged = ilo(daemon, "dpo", ["audit", "list", "--after", "1", "--limit", "1"])
        #expect(paged.status == 0 && paged.stdout.contains("#2 ") && !paged.stdout.contains("#3 ") && paged.stderr.contains("--after 2"), "\(paged.output)")

        let verified = ilo(daemon, "dpo", ["audit", "verify"])
        #expect(verified.status == 0 && verified.stdout.contains("audit trail intact: 3 records"), "\(verified.output)")

        for identity in ["officer-de", "admin", "authority-fr-user"] {
            let refused = ilo(daemon, identity, ["audit", "list"])
            #expect(refused.status == 1 && refused.stderr.contains("reading the audit trail is for dpo"), "\(identity): \(refused.output)")
        }

        // Altered while the node runs: the officer's own check over the network finds it.
        _ = daemon.query("UPDATE audit SET actor = 'someone.else' WHERE seq = 2")
        let altered = ilo(daemon, "dpo", ["audit", "verify"])
        #expect(altered.status == 1 && altered.stdout.contains("BROKEN at record 2"), "\(altered.output)")
    }
}
