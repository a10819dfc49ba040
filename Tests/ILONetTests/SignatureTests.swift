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

    /// Issue 27, item 19: docs/REPORTS.md §8.1's recipe, followed with the
    /// `openssl` command line instead of ILONet's code, gives a report a node
    /// takes; the page's worked example is the node's own completion byte for
    /// byte; a raw r‖s signature is refused.
    @Test func theDocumentedSigningRecipeIsAcceptedByANode() throws {
        let page = try String(contentsOfFile: TestEnvironment.repository.path + "/docs/REPORTS.md", encoding: .utf8)
        func block(after marker: String) throws -> String {
            let start = try #require(page.range(of: marker), "docs/REPORTS.md has no \(marker)")
            let rest = page[start.upperBound...]
            let open = try #require(rest.range(of: "```json\n"))
            let close = try #require(rest[open.upperBound...].range(of: "\n```"))
            return String(rest[open.upperBound..<close.lowerBound])
        }
        let sent = try block(after: "<!-- signing example: what the officer sends -->")
        let canonical = try block(after: "<!-- signing example: the completed report, canonical -->")
        // The node completes what the officer sends into exactly the documented bytes.
        let origin = Origin(officer: "officer.de.mueller", authority: "DE-BPOL", state: "DE")
        let report = try Report.validate(try JSONValue(parsing: sent), sender: origin, now: Timestamp.parse("2026-12-01T10:05:00Z")!)
        #expect(String(decoding: report.signedContent, as: UTF8.self) == canonical, "the node's completion:\n\(String(decoding: report.signedContent, as: UTF8.self))")

        // Signed with openssl as §8.1 says, by the officer of this test run's PKI.
        let contentFile = TestEnvironment.runDirectory + "/canonical-\(UUID().uuidString.prefix(6)).json"
        try canonical.write(toFile: contentFile, atomically: true, encoding: .utf8)
        let signature = run("/bin/sh", ["-c", "openssl dgst -sha256 -sign '\(TestEnvironment.pki.path("officer-de.key"))' '\(contentFile)' | base64 -w0"])
        let certificate = run("/bin/sh", ["-c", "openssl x509 -in '\(TestEnvironment.pki.path("officer-de.crt"))' -outform DER | base64 -w0"])
        try #require(signature.status == 0 && certificate.status == 0, "\(signature.output) \(certificate.output)")
        func document(value: String) throws -> JSONValue {
            guard case .object(var fields) = try JSONValue(parsing: canonical) else { return .null }
            fields["signature"] = ["alg": "sha256", "certificate": .string(certificate.stdout), "value": .string(value)]
            return .object(fields)
        }
        let daemon = try Daemon(signatures: "required")
        let clock = daemon.directory + "/clock"
        try "2026-12-01T10:05:00Z".write(toFile: clock, atomically: true, encoding: .utf8)
        daemon.environment["ILONET_CLOCK_FILE"] = clock
        try daemon.start()
        let client = try daemon.client("officer-de")
        // The same signature as 64 bytes r‖s instead of DER: refused.
        let der = [UInt8](try #require(Data(base64Encoded: signature.stdout)))
        func integer(at offset: Int) -> (bytes: [UInt8], next: Int) {
            let length = Int(der[offset + 1])
            let bytes = Array(der[(offset + 2)..<(offset + 2 + length)].drop { $0 == 0 })
            return (Array(repeating: 0, count: max(0, 32 - bytes.count)) + bytes, offset + 2 + length)
        }
        let r = integer(at: 2), s = integer(at: r.next)
        let raw = refusalOf { try client.request(.publish, ["report": try document(value: Data(r.bytes + s.bytes).base64EncodedString())]) }
        #expect(raw?.code == .badSignature, "\(String(describing: raw))")
        #expect(try client.request(.publish, ["report": try document(value: signature.stdout)]).type == .accepted)
    }

    @Test func aReportSignedByIloIsVerifiedAtEveryHopAndShownAsVerified() throws {
        let network = try TestNetwork(signatures: "required")
        try network.board.register("authority-fr-user", subscribing: "#")
        let sent = network.send(sampleReport(["headline": "Signed at the post"]))
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(waitFor(15) { network.board.count("SELECT count(*) FROM reports WHERE id = '\(sent.id)'") == 1 })
        let shown = run(TestEnvironment.ilo, ["show", sent.id] + network.board.iloArguments("authority-fr-user"))
        #expect(shown.stdout.contains("signed by    officer.de.mueller (DE-BPOL, DE), signature verified"), "\(shown.output)")
        let json = run(TestEnvironment.ilo, ["show", sent.id, "--json"] + network.board.iloArguments("authority-fr-user"))
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
            "--duration", "1", "--warmup", "0", "--json", "--subscriber-cert", pki.path("authority-fr-user.crt"), "--subscriber-key", pki.path("authority-fr-user.key")]
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
