import Foundation
import Testing

/// The README's demo runs end to end (with this build's binaries) and shows
/// delivery, queueing across an outage, a digest and receipts. It runs in a
/// sandbox: its own var/ and ports, so a user's example network is left alone.
@Suite(.serialized) struct DemoTests {
    @Test func theDemoRunsEndToEnd() throws {
        let sandbox = try Sandbox(name: "demo")
        let demo = sandbox.bash("scripts/demo.sh")
        #expect(demo.status == 0, "\(demo.output)")
        let out = demo.stdout
        // The register: who is in Libya, with the joint deployment.
        let directory = out.components(separatedBy: "== 1.").last?.components(separatedBy: "== 2.").first ?? ""
        #expect(directory.contains("officer.de.mueller") && directory.contains("officer.it.rossi") && directory.contains("AT (BMI-BPOL-2026/14)"), "\(directory)")
        // Delivery: Italy's contact point's inbox at the platform hub lists all three, flash first.
        let inbox = out.components(separatedBy: "== 4.").last?.components(separatedBy: "== 5.").first ?? ""
        let board = inbox.components(separatedBy: "Müller's Libya report").first ?? ""
        let rows = board.split(separator: "\n").filter { $0.contains(" H1  ") }
        #expect(rows.count == 3 && rows.allSatisfy { $0.count <= 80 }, "\(inbox)")
        #expect(rows.first?.contains("FLASH") == true)
        // Rossi reads Müller's Libya report at his home post, and is sent there from another.
        let rossi = inbox.components(separatedBy: "Müller's Libya report").last ?? ""
        #expect(rossi.contains("Departures from Zuwara"), "\(rossi)")
        #expect(rossi.contains("note: you read at post-tunis.ilonet.example"), "\(rossi)")
        #expect(out.contains("web inbox lists") && out.contains("under \"Read\""), "\(out)")
        #expect(out.contains("signed by    officer.it.rossi (IT-PS, IT), signature verified"))
        // Queueing across the outage, then delivery after it.
        #expect(demo.stderr.contains("queued at post-tripoli.ilonet.example, waiting for regional-na.ilonet.example"), "\(demo.stderr)")
        #expect(out.contains("regional-na.ilonet.example         0 / 0 / 1 / 0"))
        let after = out.components(separatedBy: "== 7.").last?.components(separatedBy: "== 8.").first ?? ""
        #expect(after.contains("Sabratha network moves launches"), "\(after)")
        // The digest and the receipts.
        #expect(out.contains("4 reports (+4 against the period before)."))
        #expect(out.contains("    delivered at ") && out.contains("board.ilonet.example"), "\(out)")
        #expect(out.contains("event: delivered"))
        // H2 consent: asked at the board, granted at the post, read at Germany's node, audited.
        // The officer's own link: queued on his computer while the post was down, then delivered once.
        let outage = out.components(separatedBy: "== 10.").last?.components(separatedBy: "== 11.").first ?? ""
        #expect(outage.contains("(queued on this computer)") && demo.stderr.contains("outbox: 1 sent"), "\(outage)\n\(demo.stderr)")
        #expect(outage.contains("Ras Ajdir reopened at 09:00, queues building"))
        let consent = out.components(separatedBy: "== 11.").last?.components(separatedBy: "== 12.").first ?? ""
        #expect(consent.contains("not-found") && consent.contains("Consent requested: pass report"), "\(consent)")
        #expect(consent.contains("handling     H2: not to be disseminated without the permission of the provider"), "\(consent)")
        #expect(consent.contains("consent-request  board.fr.martin -> authority:DE-BPOL") && consent.contains("consent-grant  officer.de.mueller -> authority:DE-BPOL"))
        // The web view: the board member's search finds the report; no certificate, no page; it ends with the URL.
        // A report sent by mistake, withdrawn everywhere with signed receipts; its reader is told.
        let withdrawal = out.components(separatedBy: "== 12.").last?.components(separatedBy: "== 13.").first ?? ""
        #expect(withdrawal.contains("withdrawn at 5 of 5 nodes that held it") && withdrawal.contains("signature verified"), "\(withdrawal)")
        #expect(withdrawal.contains("Withdrawn by its originator: inaccurate"), "\(withdrawal)")
        // The steering board (issue 31): an event shared with it, trends; what was not shared stays closed.
        let steering = out.components(separatedBy: "== 13.").last?.components(separatedBy: "== 14.").first ?? ""
        #expect(steering.contains("impact       very-high (owner)") && steering.contains("Large group at Ras Ajdir"), "\(steering)")
        #expect(steering.contains("not-found"), "the board does not read what was not shared with it: \(steering)")
        #expect(steering.contains("border") && steering.contains("smuggling"), "trends by kind: \(steering)")
        let web = out.components(separatedBy: "== 14.").last ?? ""
        #expect(web.contains("the event page for") && web.contains("the TLS handshake is refused"), "\(web)")
        #expect(web.contains("The board member's web view: https://127.0.0.1:\(sandbox.port(7604))/"), "\(web)")
        // It cleaned up: no node of the example network is left running.
        for node in ["board", "authority-de", "regional-na", "post-tripoli", "post-tunis"] {
            #expect(!FileManager.default.fileExists(atPath: sandbox.path + "/var/network/\(node)/pid"), "\(node) still has a pid file")
        }
    }
}
