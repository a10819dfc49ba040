import Foundation
import Testing
@testable import ILONet

/// H2 consent (docs/REPORTS.md §3.3, §5.6): a recipient cannot pass an H2 report
/// on; it asks the author, the author grants, and the network delivers the report
/// to the named third party; every step is in the audit trail.
@Suite(.serialized) struct ConsentTests {
    func ilo(_ node: Daemon, _ identity: String, _ arguments: [String]) -> (status: Int32, output: String, stdout: String, stderr: String) {
        run(TestEnvironment.ilo, arguments + node.iloArguments(identity))
    }

    func audit(_ node: Daemon, _ id: String) -> [String] {
        node.query("SELECT event FROM audit WHERE report_id = '\(id)' AND event LIKE 'consent-%' ORDER BY seq").split(separator: "\n").map(String.init)
    }

    @Test func aRecipientAsksTheAuthorGrantsAndTheThirdPartyReceivesItAcrossTheNetwork() throws {
        let network = try TestNetwork()
        try network.board.register("board-fr")
        try network.authority.register("authority-de-user")
        try network.post.register("officer-de")

        // Müller's H2 report, for one board member only.
        let sent = network.send(sampleReport(["handling": "H2", "addressees": ["board.fr.martin"], "headline": "Sabratha boats, for the board only"]))
        #expect(sent.status == 0, "\(sent.stderr)")
        let id = sent.id
        func held(_ node: Daemon) -> Bool { node.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 1 }
        #expect(waitFor(15) { held(network.board) })
        #expect(!held(network.authority), "an H2 report not addressed to Germany's authority is not copied there")

        // The board member reads it; Germany's contact point may not, and the board member cannot pass it on.
        #expect(ilo(network.board, "board-fr", ["show", id]).status == 0)
        #expect(ilo(network.board, "authority-de-user", ["show", id]).status == 1)
        let passOn = ilo(network.board, "board-fr", ["consent", "grant", id, "--to", "authority:DE-BPOL"])
        #expect(passOn.status == 1 && passOn.stderr.contains("only the report's author, officer.de.mueller, may grant or refuse consent"), "\(passOn.output)")

        // The board member asks; the request reaches the author at his post.
        let asked = ilo(network.board, "board-fr", ["consent", "request", id, "--to", "authority:DE-BPOL", "--reason", "German investigation into the same network"])
        #expect(asked.status == 0, "\(asked.output)")
        #expect(waitFor(15) { network.post.count("SELECT count(*) FROM reports WHERE kind = 'consent'") == 1 })
        let authorInbox = ilo(network.post, "officer-de", ["inbox", "--wide"]).stdout
        #expect(authorInbox.contains("Consent requested: pass report \(id) to authority:DE-BPOL"), "\(authorInbox)")

        // The author grants; the grant follows the report's route, and the regional hub's
        // copy rule for Germany now sends the report to Germany's authority node.
        let granted = ilo(network.post, "officer-de", ["consent", "grant", id, "--to", "authority:DE-BPOL", "--requested-by", "board.fr.martin"])
        #expect(granted.status == 0, "\(granted.output)")
        #expect(waitFor(15) { held(network.authority) && network.authority.count("SELECT count(*) FROM reports WHERE kind = 'consent'") == 1 })
        #expect(waitFor(10) { ilo(network.authority, "authority-de-user", ["show", id]).status == 0 })
        let inbox = ilo(network.authority, "authority-de-user", ["inbox", "--wide"]).stdout
        #expect(inbox.contains("Sabratha boats, for the board only"), "\(inbox)")
        #expect(inbox.contains("Consent granted: report \(id) may go to authority:DE-BPOL"))
        // At the board hub too, Germany's contact point now reads it; nobody else does.
        #expect(ilo(network.board, "authority-de-user", ["show", id]).status == 0)
        #expect(network.regional.log.contains("report sent on after consent"))

        // Each step, at each node it passed.
        #expect(waitFor(10) { audit(network.board, id) == ["consent-request", "consent-grant"] }, "\(audit(network.board, id))")
        #expect(audit(network.regional, id) == ["consent-request", "consent-grant"])
        #expect(audit(network.post, id) == ["consent-request", "consent-grant"])
        #expect(audit(network.authority, id) == ["consent-grant"])
        let records = network.regional.query("SELECT actor || ' > ' || counterpart FROM audit WHERE report_id = '\(id)' AND event LIKE 'consent-%' ORDER BY seq")
        #expect(records == "board.fr.martin > authority:DE-BPOL\nofficer.de.mueller > authority:DE-BPOL", "\(records)")
    }

    @Test func aRefusalWithdrawsAGrantAndConsentIsOnlyForH2() throws {
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("board-fr", "authority-de-user", "officer-it")
        let author = try daemon.client("officer-de")
        let report = sampleReport(["handling": "H2", "addressees": ["board.fr.martin"]])
        let id = report["id"]!.stringValue!
        #expect(try author.request(.publish, ["report": report]).type == .accepted)
        // A request from someone who cannot read the report is told nothing about it.
        let stranger = ilo(daemon, "officer-it", ["consent", "request", id, "--to", "officer.it.rossi"])
        #expect(stranger.status == 1 && stranger.stderr.contains("not-found"), "\(stranger.output)")

        #expect(ilo(daemon, "officer-de", ["consent", "grant", id, "--to", "ncp.de.schmidt"]).status == 0)
        #expect(ilo(daemon, "authority-de-user", ["show", id]).status == 0)
        #expect(ilo(daemon, "officer-de", ["consent", "refuse", id, "--to", "ncp.de.schmidt", "--reason", "Source protection"]).status == 0)
        #expect(ilo(daemon, "authority-de-user", ["show", id]).status == 1, "a refusal withdraws the grant")
        #expect(audit(daemon, id) == ["consent-grant", "consent-refuse"])

        // H1: no consent to ask for; the node says why.
        let open = sampleReport(["handling": "H1"])
        #expect(try author.request(.publish, ["report": open]).type == .accepted)
        let h1 = ilo(daemon, "authority-fr-user", ["consent", "request", open["id"]!.stringValue!, "--to", "ncp.de.schmidt"])
        #expect(h1.status == 1 && h1.stderr.contains("consent applies only to H2"), "\(h1.output)")
    }

    @Test func aConsentMustBeSignedAndWordedAsItsKind() throws {
        let daemon = try Daemon()
        try daemon.start()
        let author = try daemon.client("officer-de")
        let report = sampleReport(["handling": "H2", "addressees": ["board.fr.martin"]])
        #expect(try author.request(.publish, ["report": report]).type == .accepted)
        // Unsigned (the test daemon accepts unsigned reports, but never an unsigned consent).
        let draft = Consent.draft(.granted, about: report, to: ["ncp.de.schmidt"], requestedBy: nil, reason: nil, now: Timestamp.nowMilliseconds())
        #expect(throws: ClientError.self) { try author.request(.publish, ["report": draft]) }
        do throws(ClientError) {
            try author.request(.publish, ["report": draft])
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.code == .badSignature && refusal.message.contains("not signed"), "\(refusal)")
        }
        // A headline of its own is refused.
        guard case .object(var fields) = draft else { return }
        fields["headline"] = "Please forward everything to me"
        do throws(ClientError) {
            try author.request(.publish, ["report": .object(fields)])
            Issue.record("a consent with its own wording was accepted")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.code == .invalidReport || refusal.code == .badSignature, "\(refusal)")
        }
    }

    /// Issue 27, item 3: a request goes to the author (or the author's authority)
    /// only, and its reason is screened like any free text.
    @Test func aConsentRequestGoesOnlyToTheAuthorAndItsReasonIsScreened() throws {
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("officer-it", "authority-de-user")
        let author = try daemon.client("officer-de")
        let report = sampleReport(["handling": "H2", "addressees": ["board.fr.martin"]])
        #expect(try author.request(.publish, ["report": report]).type == .accepted)
        let board = try daemon.client("board-fr")
        let credentials = try TLSCredentials(certificate: daemon.pki.path("board-fr.crt"), privateKey: daemon.pki.path("board-fr.key"), checkKeyPermissions: false)
        let origin = Origin(try PeerIdentity(certificateFile: daemon.pki.path("board-fr.crt")))
        /// A request signed by the board member, with `addressees` and `reason` as given (the client's own checks bypassed).
        func request(addressees: [String], reason: String) throws -> ProtocolError? {
            guard case .object(var fields) = Consent.draft(
                .requested, about: report, to: ["officer.it.rossi"], requestedBy: nil, reason: reason, now: Timestamp.nowMilliseconds())
            else { return nil }
            fields["addressees"] = .array(addressees.map { .string($0) })
            let signed = try credentials.sign(try Report.validate(.object(fields), sender: origin, screening: false))
            do throws(ClientError) {
                try board.request(.publish, ["report": signed.document])
                return nil
            } catch {
                guard case .refused(let refusal) = error else { throw error }
                return refusal
            }
        }
        let elsewhere = try request(addressees: ["officer.it.rossi"], reason: "For your colleague")
        #expect(elsewhere?.code == .forbidden && elsewhere?.field == "addressees" && elsewhere?.message.contains("goes to the report's author (officer.de.mueller) or their authority") == true, "\(String(describing: elsewhere))")
        let personal = try request(addressees: ["officer.de.mueller"], reason: "Passport A12345678, born 12.03.1990, phone +218 91 234 5678")
        #expect(personal?.code == .invalidReport && personal?.field == "body.reason", "\(String(describing: personal))")
        #expect(try request(addressees: ["authority:DE-BPOL"], reason: "German investigation into the same network") == nil)
        #expect(try request(addressees: ["officer.de.mueller"], reason: "German investigation into the same network") == nil)
        #expect(daemon.count("SELECT count(*) FROM deliveries d JOIN reports r ON r.seq = d.report_seq WHERE r.kind = 'consent' AND d.identity = 'officer.it.rossi'") == 0)
    }
}

/// Participating states and the format version, over the wire.
@Suite(.serialized) struct ParticipatingStatesTests {
    static let swissOfficer: Void = TestEnvironment.pki.issue(
        "officer-ch", subject: "/C=CH/O=CH-SEM/OU=officer/CN=officer.ch.meier", extensions: "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:LY")
    static let outsider: Void = TestEnvironment.pki.issue(
        "officer-us", subject: "/C=US/O=US-DHS/OU=officer/CN=officer.us.smith", extensions: "extendedKeyUsage=clientAuth")
    static let swissAuthority: Void = TestEnvironment.pki.issue(
        "authority-ch", subject: "/C=CH/O=CH-SEM/OU=authority/CN=ncp.ch.keller", extensions: "extendedKeyUsage=clientAuth")

    @Test func aSwissOfficerReportsForNorwayAndAnOutsideStateIsRefused() throws {
        _ = Self.swissOfficer
        _ = Self.outsider
        _ = Self.swissAuthority
        let daemon = try Daemon(extraConfig: "access \(TestEnvironment.repository.path)/config/network/access.rules")
        try daemon.start()
        // Switzerland's authority registers its officer, who also represents Norway and Iceland.
        let today = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds()).prefix(10))
        let deployed = run(TestEnvironment.ilo, [
            "deploy", "officer.ch.meier", "--post", "LY:Tripoli", "--from", today, "--represents", "NO:SEM-POD-2026/1,IS:SEM-UTL-2026/2",
            "--reads-at", "hub.ilonet.example",
        ] + daemon.iloArguments("authority-ch"))
        #expect(deployed.status == 0, "\(deployed.output)")
        let swiss = try daemon.client("officer-ch")
        let report = sampleReport(["on_behalf_of": ["NO", "IS"], "headline": "Joint report of the Swiss and Norwegian officers"])
        #expect(try swiss.request(.publish, ["report": report]).type == .accepted)
        let stored = try swiss.request(.get, ["id": report["id"]!]).body["report"]!
        #expect(stored["origin"]?["state"] == "CH" && stored["on_behalf_of"] == ["NO", "IS"])
        // A certificate naming a state outside the network is refused at the handshake, saying why.
        #expect(throws: ClientError.self) { try daemon.client("officer-us").request(.ping) }
        #expect(waitFor(5) { daemon.log.contains("subject C: \\\"US\\\" is not a participating state") }, "\(daemon.log)")
    }

    @Test func aReportInAnUnknownFormatIsRefusedForGood() throws {
        let daemon = try Daemon()
        try daemon.start()
        let client = try daemon.client("officer-de")
        do throws(ClientError) {
            try client.request(.publish, ["report": sampleReport(["format": 3])])
            Issue.record("format 3 was accepted")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.code == .unsupportedFormat && refusal.field == "format" && refusal.message.contains("reads format 2"), "\(refusal)")
            #expect(!refusal.code.closesConnection)
        }
        #expect(try client.request(.publish, ["report": sampleReport()]).type == .accepted)
        #expect(daemon.count("SELECT count(*) FROM reports") == 1)
    }
}
