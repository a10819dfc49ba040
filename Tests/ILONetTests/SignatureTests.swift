import Foundation
import Glibc
import Testing
@testable import ILONet

/// Authors' signatures end to end (docs/REPORTS.md §8, docs/RELIABILITY.md §9).
@Suite(.serialized) struct SignatureTests {
    /// `document` completed as `identity` and signed with the key of `signer` in `pki`.
    func signed(_ document: JSONValue, as identity: String = "officer-de", by signer: String? = nil, pki: TestPKI = TestEnvironment.pki) throws -> Report {
        let origin = Origin(try PeerIdentity(certificateFile: TestEnvironment.pki.path("\(identity).crt")))
        let report = try Report.validate(document, sender: origin)
        let key = signer ?? identity
        let credentials = try TLSCredentials(certificate: pki.path("\(key).crt"), privateKey: pki.path("\(key).key"), checkKeyPermissions: false)
        return try credentials.sign(report)
    }

    @Test func theNodeRefusesUnsignedForgedAndAlteredReports() throws {
        let daemon = try Daemon(signatures: "required")
        try daemon.start()
        let client = try daemon.client("officer-de")
        // A good one.
        let good = try signed(sampleReport())
        #expect(try client.request(.publish, ["report": good.document]).type == .accepted)
        // Unsigned.
        let unsigned = refusalOf { try client.request(.publish, ["report": sampleReport()]) }
        #expect(unsigned?.code == .badSignature)
        #expect(unsigned?.message.contains("not signed") == true)
        // Signed with someone else's key, in the officer's name.
        let forged = refusalOf { try client.request(.publish, ["report": try signed(sampleReport(), by: "officer-it").document]) }
        #expect(forged?.message.contains("the signer is not the report's origin: signed by officer.it.") == true, "\(forged?.message ?? "")")
        // Signed with a key from another CA.
        let foreign = refusalOf {
            try client.request(.publish, ["report": try signed(sampleReport(), pki: TestEnvironment.otherPKI).document])
        }
        #expect(foreign?.message.hasPrefix("the signer's certificate does not verify") == true, "\(foreign?.message ?? "")")
        // Altered after signing.
        guard case .object(var fields) = try signed(sampleReport()).document else { return }
        fields["headline"] = "Changed after signing"
        let altered = refusalOf { try client.request(.publish, ["report": .object(fields)]) }
        #expect(altered?.message.contains("does not match the report's content") == true)
        #expect(daemon.count("SELECT count(*) FROM reports") == 1)
        #expect(daemon.log.contains("report refused: signature"))
    }

    @Test func aReportSignedByIloIsVerifiedAtEveryHopAndShownAsVerified() throws {
        let network = try TestNetwork(signatures: "required")
        try network.board.register("board-fr", subscribing: "#")
        let sent = network.send(sampleReport(["headline": "Signed at the post"]))
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(waitFor(15) { network.board.count("SELECT count(*) FROM reports WHERE id = '\(sent.id)'") == 1 })
        let shown = run(TestEnvironment.ilo, ["show", sent.id] + network.board.iloArguments("board-fr"))
        #expect(shown.stdout.contains("signed by    officer.de.mueller (DE-BPOL, DE), signature verified"), "\(shown.output)")
        let json = run(TestEnvironment.ilo, ["show", sent.id, "--json"] + network.board.iloArguments("board-fr"))
        let signature = try JSONValue(parsing: json.stdout)["signature"]
        #expect(signature?["verified"] == .bool(true))
        #expect(signature?["signer"] == "officer.de.mueller")
    }

    @Test func aReportAlteredInARelaysStoreIsQuarantinedAtTheNextHop() throws {
        let network = try TestNetwork(signatures: "required")
        network.board.stop()
        let sent = network.send(sampleReport(["headline": "Altered on the way"]))
        #expect(sent.status == 0, "\(sent.stderr)")
        // The regional hub holds it, queued for the board (which is down).
        let queued = "SELECT count(*) FROM outbound o JOIN reports r ON r.seq = o.report_seq WHERE r.id = '\(sent.id)' AND o.next_hop = 'board.ilonet.example'"
        #expect(waitFor(15) { network.regional.count(queued) == 1 }, "\(network.regional.query("SELECT * FROM outbound"))")
        // A hub that alters what it relays: one byte of the body, in its store.
        network.regional.kill()
        _ = network.regional.query(
            "UPDATE reports SET document = CAST(replace(CAST(document AS TEXT), 'Zuwara', 'Zuwarb') AS BLOB) WHERE id = '\(sent.id)'")
        #expect(network.regional.query("SELECT instr(CAST(document AS TEXT), 'Zuwarb') > 0 FROM reports WHERE id = '\(sent.id)'") == "1")
        try network.regional.start()
        try network.board.start()
        // The board refuses it and keeps it in quarantine; nobody there gets it.
        #expect(waitFor(20) { network.board.count("SELECT count(*) FROM quarantine WHERE report_id = '\(sent.id)'") == 1 })
        #expect(network.board.count("SELECT count(*) FROM reports WHERE id = '\(sent.id)'") == 0)
        #expect(network.board.query("SELECT from_peer || ' ' || reason FROM quarantine")
            == "regional-na.ilonet.example the signature does not match the report's content: it was altered after it was signed")
        #expect(network.board.count("SELECT count(*) FROM audit WHERE event = 'quarantine' AND report_id = '\(sent.id)'") == 1)
        // The relay dead-letters it: the refusal is permanent.
        #expect(waitFor(10) { network.regional.count("SELECT count(*) FROM dead_letters WHERE next_hop = 'board.ilonet.example'") == 1 })
        #expect(network.regional.query("SELECT reason FROM dead_letters WHERE next_hop = 'board.ilonet.example'").contains("bad-signature"))
    }

    @Test func receiptsFromEachDestinationReachTheAuthorSignedByTheDeliveringNode() throws {
        let network = try TestNetwork(allConfig: "reports.receipts yes", signatures: "required")
        let sent = network.send(sampleReport(["headline": "Please confirm arrival"]))
        #expect(sent.status == 0, "\(sent.stderr)")
        // A German officer's report goes to the board and, by the copy rule, to Germany's authority node.
        let receipts = "SELECT count(*) FROM reports WHERE kind = 'notice' AND topic = 'notice/LY/delivered'"
        #expect(waitFor(20) { network.post.count(receipts) == 2 }, "\(network.post.query("SELECT headline FROM reports"))")
        let inbox = run(TestEnvironment.ilo, ["inbox", "--json", "--notices", "--peek"] + network.post.iloArguments("officer-de"))
        let sentView = run(TestEnvironment.ilo, ["sent", "--json"] + network.post.iloArguments("officer-de"))
        let story = try JSONValue(parsing: sentView.stdout).arrayValue?.first { $0["id"]?.stringValue == sent.id }
        #expect(story?["state"] == "delivered at authority-de.ilonet.example, board.ilonet.example", "\(sentView.output)")
        let notices = try JSONValue(parsing: inbox.stdout).arrayValue?.filter { $0["body"]?["event"] == "delivered" } ?? []
        #expect(Set(notices.compactMap { $0["body"]?["node"]?.stringValue }) == ["board.ilonet.example", "authority-de.ilonet.example"])
        #expect(notices.allSatisfy { $0["body"]?["about"]?.stringValue == sent.id })
        for notice in notices {
            let shown = run(TestEnvironment.ilo, ["show", notice["id"]!.stringValue!, "--json"] + network.post.iloArguments("officer-de"))
            let signature = try JSONValue(parsing: shown.stdout)["signature"]
            #expect(signature?["verified"] == .bool(true), "\(shown.output)")
            #expect(signature?["signer"] == notice["body"]?["node"])
        }
        // The relay and the post write none; the author's own node keeps no receipt for itself.
        #expect(network.regional.log.contains("receipt written") == false)
        #expect(network.post.log.contains("receipt written") == false)
    }

    @Test func noticesWrittenByANodeAreSignedByIt() throws {
        let network = try TestNetwork(startRegional: false, signatures: "required")
        let expires = Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 1500)
        let sent = network.send(sampleReport(["headline": "Short-lived", "expires": .string(expires)]))
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(waitFor(10) { network.post.count("SELECT count(*) FROM reports WHERE kind = 'notice'") == 1 })
        let id = network.post.query("SELECT id FROM reports WHERE kind = 'notice'")
        let shown = run(TestEnvironment.ilo, ["show", id, "--json"] + network.post.iloArguments("officer-de"))
        let signature = try JSONValue(parsing: shown.stdout)["signature"]
        #expect(signature?["verified"] == .bool(true), "\(shown.output)")
        #expect(signature?["signer"] == "post-tripoli.ilonet.example")
    }

    /// `ilo bench load --signed` (issue 20): every report signed with the
    /// officer's key, each checked and accepted by a node that requires signatures.
    @Test func theLoadGeneratorsSignedReportsPassTheNodesCheck() throws {
        let daemon = try Daemon(signatures: "required")
        try daemon.start()
        let pki = TestEnvironment.pki
        let load = run(TestEnvironment.ilo, ["bench", "load", "--signed", "--publishers", "2", "--subscribers", "1", "--rate", "40",
            "--duration", "1", "--warmup", "0", "--json", "--subscriber-cert", pki.path("board-fr.crt"), "--subscriber-key", pki.path("board-fr.key")]
            + daemon.iloArguments("officer-de"))
        #expect(load.status == 0, "\(load.output)")
        let figures = try JSONValue(parsing: load.stdout)
        #expect(figures["signed"] == .bool(true))
        #expect(figures["errors"] == .integer(0), "\(load.output)")
        let acknowledged = Int(figures["acknowledged"]?.integerValue ?? 0)
        #expect(acknowledged >= 10, "\(load.output)")
        #expect(!daemon.log.contains("report refused"), "\(daemon.log)")
        // Every report stored is signed (the window's count leaves out those acknowledged after it).
        #expect(daemon.count("SELECT count(*) FROM reports WHERE CAST(document AS TEXT) LIKE '%\"signature\"%'") >= acknowledged)
        #expect(daemon.count("SELECT count(*) FROM reports WHERE CAST(document AS TEXT) NOT LIKE '%\"signature\"%'") == 0)
    }
}
