import Foundation
import Testing
@testable import ILONet
@testable import ILOClient

/// The deployment register (issue 17): signed entries by deploying authorities,
/// flooded to every node; on_behalf_of and addressees checked against it.
@Suite(.serialized) struct RegisterTests {
    static let italianAuthority: Void = TestEnvironment.pki.issue(
        "authority-it-user", subject: "/C=IT/O=IT-PS/OU=authority/CN=ncp.it.bianchi", extensions: "extendedKeyUsage=clientAuth")
    static let austrianAuthority: Void = TestEnvironment.pki.issue(
        "authority-at-user", subject: "/C=AT/O=AT-BMI/OU=authority/CN=ncp.at.huber", extensions: "extendedKeyUsage=clientAuth")

    func ilo(_ node: Daemon, _ identity: String, _ arguments: [String]) -> (status: Int32, output: String, stdout: String, stderr: String) {
        run(TestEnvironment.ilo, arguments + node.iloArguments(identity))
    }

    static func day(_ offset: Int) -> String {
        String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + Int64(offset) * 86_400_000).prefix(10))
    }

    func deployMueller(_ node: Daemon, readsAt: String) -> (status: Int32, output: String, stdout: String, stderr: String) {
        ilo(node, "authority-de-user", [
            "deploy", "officer.de.mueller", "--post", "LY:Tripoli", "--from", Self.day(-30), "--until", Self.day(30),
            "--function", "immigration liaison officer", "--represents", "AT:BMI-BPOL-2026/14", "--reads-at", readsAt,
        ])
    }

    @Test func onlyAnAuthorityWritesItsOwnPeoplesEntries() throws {
        _ = Self.italianAuthority
        let daemon = try Daemon()
        try daemon.start()
        // Germany's contact point may not register an Italian officer, nor an officer anyone.
        let wrong = Deployment.draft(
            ["identity": "officer.it.rossi", "role": "officer", "state": "IT", "authority": "IT-PS", "from": .string(Self.day(0)), "reads_at": "hub.ilonet.example"],
            now: Timestamp.nowMilliseconds())
        let signer = try AuthorSigner.load(daemon.pki.clientOptions("authority-de-user", port: daemon.port))
        let signed = try signer.complete(wrong)
        let authority = try daemon.client("authority-de-user")
        do throws(ClientError) {
            try authority.request(.publish, ["report": signed.document])
            Issue.record("an entry for another authority's officer was accepted")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.code == .forbidden && refusal.message.contains("writes entries for DE-BPOL (DE) only, not for IT-PS (IT)"), "\(refusal)")
        }
        let byOfficer = ilo(daemon, "officer-de", ["deploy", "officer.de.mueller", "--from", Self.day(0), "--reads-at", "hub.ilonet.example"])
        #expect(byOfficer.status == 1 && byOfficer.stderr.contains("written by a deploying authority (role authority), not by a officer"), "\(byOfficer.output)")
        #expect(daemon.count("SELECT count(*) FROM register") == 0)
    }

    @Test func onBehalfOfOnlyForTheStatesTheRegisterSays() throws {
        let daemon = try Daemon()
        try daemon.start()
        let officer = try daemon.client("officer-de")
        // No entry yet: on_behalf_of is refused.
        func publish(_ states: [JSONValue]) -> ProtocolError? {
            do throws(ClientError) {
                try officer.request(.publish, ["report": sampleReport(["on_behalf_of": .array(states)])])
                return nil
            } catch {
                if case .refused(let refusal) = error { return refusal }
                return ProtocolError(.badMessage, "\(error)")
            }
        }
        #expect(publish(["AT"])?.message.contains("has no deployment in force") == true)
        let deployed = deployMueller(daemon, readsAt: "hub.ilonet.example")
        #expect(deployed.status == 0, "\(deployed.output)")
        #expect(publish(["AT"]) == nil, "on behalf of Austria, during the deployment")
        let france = publish(["AT", "FR"])
        #expect(france?.field == "on_behalf_of[1]" && france?.message.contains("officer.de.mueller does not represent FR (deployment register; on \(Self.day(0)) they represent AT)") == true, "\(String(describing: france))")
        // The deployment ends yesterday: no more reports on behalf of Austria.
        let ended = ilo(daemon, "authority-de-user", ["deploy", "end", "officer.de.mueller", "--on", Self.day(-1)])
        #expect(ended.status == 0 && ended.stdout.contains("Deployment ended: officer.de.mueller (DE-BPOL) on \(Self.day(-1))"), "\(ended.output)")
        #expect(publish(["AT"])?.message.contains("has no deployment in force on \(Self.day(0))") == true)
        #expect(publish([]) == nil, "a report on behalf of nobody else is not affected")
    }

    @Test func aMistypedAddresseeIsRefusedWithTheNearestName() throws {
        _ = Self.italianAuthority
        let daemon = try Daemon()
        try daemon.start()
        #expect(ilo(daemon, "authority-it-user", [
            "deploy", "officer.it.rossi", "--post", "LY:Tripoli,TN:Tunis", "--from", Self.day(-10), "--reads-at", "hub.ilonet.example",
        ]).status == 0)
        #expect(deployMueller(daemon, readsAt: "hub.ilonet.example").status == 0)
        let sent = run(
            TestEnvironment.ilo,
            ["send", "--kind", "smuggling", "--country", "LY", "--headline", "For Rossi", "--reliability", "B", "--accuracy", "2", "--level", "operational",
             "--handling", "H2", "--addressees", "officer.it.rosi"] + daemon.iloArguments("officer-de"),
            stdin: sampleBodies["smuggling"]!.encodedString())
        #expect(sent.status == 1, "\(sent.output)")
        #expect(sent.stderr.contains("addressees[0]: nobody called \"officer.it.rosi\" in the deployment register; did you mean officer.it.rossi?"), "\(sent.stderr)")
        do throws(ClientError) {
            try (try? daemon.client("officer-de"))?.request(.publish, ["report": sampleReport(["handling": "H2", "addressees": ["authority:IT-PSS"]])])
            Issue.record("an unknown authority was accepted as addressee")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.message.contains("no authority \"IT-PSS\" in the deployment register; did you mean authority:IT-PS?"), "\(refusal)")
        }
    }

    @Test func anEntryReachesANodeThatWasOfflineWhenItWasMade() throws {
        let network = try TestNetwork(startRegional: false)
        // Germany's contact point registers the officer at the post; the regional hub is down.
        let deployed = deployMueller(network.post, readsAt: "post-tripoli.ilonet.example")
        #expect(deployed.status == 0, "\(deployed.output)")
        #expect(network.post.count("SELECT count(*) FROM register") == 1)
        try network.regional.start()
        for node in [network.regional, network.board, network.authority] {
            #expect(waitFor(15) { node.count("SELECT count(*) FROM register WHERE identity = 'officer.de.mueller'") == 1 })
        }
        let directory = ilo(network.board, "board-fr", ["directory", "--country", "LY"])
        #expect(directory.status == 0, "\(directory.output)")
        #expect(directory.stdout.contains("officer.de.mueller") && directory.stdout.contains("Tripoli (LY)") && directory.stdout.contains("AT (BMI-BPOL-2026/14)"), "\(directory.stdout)")
    }

    @Test func theArticle8ListIsExportedAsTheFixture() throws {
        func entry(_ identity: String, _ body: JSONValue) -> RegisterEntry { RegisterEntry(body: body, entryID: "01a20000-0000-7000-8000-000000000000", created: 0)! }
        let entries = [
            entry("officer.de.mueller", [
                "identity": "officer.de.mueller", "role": "officer", "state": "DE", "authority": "DE-BPOL", "function": "immigration liaison officer",
                "posts": [["country": "LY", "place": "Tripoli"]], "from": "2026-09-01", "until": "2027-08-31",
                "represents": [["state": "AT", "arrangement": "BMI-BPOL-2026/14"]], "reads_at": "post-tripoli.ilonet.example",
            ]),
            entry("officer.it.rossi", [
                "identity": "officer.it.rossi", "role": "officer", "state": "IT", "authority": "IT-PS", "function": "ILO, return \"and\" readmission",
                "posts": [["country": "LY", "place": "Tripoli"], ["country": "TN", "place": "Tunis, Lac 2"]], "from": "2026-01-15",
                "reads_at": "post-tunis.ilonet.example",
            ]),
            entry("ncp.de.schmidt", [
                "identity": "ncp.de.schmidt", "role": "authority", "state": "DE", "authority": "DE-BPOL", "from": "2025-01-01", "reads_at": "authority-de.ilonet.example",
            ]),
        ]
        let selected = Directory.select(entries, on: "2026-12-01", country: nil, state: nil)
        let fixture = try String(contentsOfFile: TestEnvironment.repository.path + "/Tests/ILONetTests/Fixtures/directory-export.csv", encoding: .utf8)
        #expect(Directory.export(selected, format: "csv") == fixture)
        #expect(Directory.select(entries, on: "2026-12-01", country: "TN", state: nil).map(\.identity) == ["officer.it.rossi"])
        #expect(Directory.select(entries, on: "2026-12-01", country: nil, state: "AT").map(\.identity) == ["officer.de.mueller"])
        #expect(Directory.select(entries, on: "2027-09-01", country: "LY", state: nil).map(\.identity) == ["officer.it.rossi"])
        #expect(DidYouMean.suggestion(for: "officer.it.rosi", among: ["officer.it.rossi", "officer.de.mueller"]) == "officer.it.rossi")
        #expect(DidYouMean.suggestion(for: "officer.fr.dupont", among: ["officer.it.rossi"]) == nil)
    }

    @Test func theRegisterRoutesToWhereAnAuthorityReadsWithNoRuleForIt() throws {
        _ = Self.italianAuthority
        _ = Self.austrianAuthority
        let network = try TestNetwork()
        // Italy's contact point reads at the national node next to Germany's (no IT rule anywhere);
        // Austria's at the board hub; Rossi at a post this network does not have.
        #expect(ilo(network.post, "authority-it-user", ["deploy", "ncp.it.bianchi", "--role", "authority", "--from", Self.day(-10), "--reads-at", "authority-de.ilonet.example"]).status == 0)
        #expect(ilo(network.post, "authority-it-user", ["deploy", "officer.it.rossi", "--post", "TN:Tunis", "--from", Self.day(-10), "--reads-at", "post-tunis.ilonet.example"]).status == 0)
        #expect(ilo(network.post, "authority-at-user", ["deploy", "ncp.at.huber", "--role", "authority", "--from", Self.day(-10), "--reads-at", "board.ilonet.example"]).status == 0)
        #expect(deployMueller(network.post, readsAt: "post-tripoli.ilonet.example").status == 0)
        for node in network.all { #expect(waitFor(15) { node.count("SELECT count(*) FROM register") == 4 }, "\(node.directory)") }
        try network.authority.register("authority-it-user")
        try network.board.register("authority-at-user", "board-fr")
        try network.post.register("board-fr")  // known at the first node: a valid addressee there
        // The regional hub explains it.
        let explained = ilo(network.regional, "admin", ["route", "test", "--country", "LY", "--authority", "DE-BPOL", "--handling", "H2", "--addressees", "authority:IT-PS"])
        #expect(explained.stdout.contains("authority-de.ilonet.example") && explained.stdout.contains("authority:IT-PS reads at authority-de.ilonet.example"), "\(explained.output)")

        // H2 for Italy's authority: it reaches Italy's reader, by the register alone.
        let forItaly = network.send(sampleReport(["handling": "H2", "addressees": ["authority:IT-PS"], "headline": "For Italy's contact point"]))
        #expect(forItaly.status == 0, "\(forItaly.stderr)")
        #expect(waitFor(15) { network.authority.count("SELECT count(*) FROM reports WHERE id = '\(forItaly.id)'") == 1 })
        let inbox = ilo(network.authority, "authority-it-user", ["inbox"])
        #expect(inbox.stdout.contains("For Italy's contact point"), "\(inbox.output)")

        // On behalf of Austria: Austria's contact point at the board hub receives it.
        let forAustria = network.send(sampleReport(["on_behalf_of": ["AT"], "headline": "Joint report for Austria"]))
        #expect(forAustria.status == 0, "\(forAustria.stderr)")
        #expect(waitFor(15) { ilo(network.board, "authority-at-user", ["inbox", "--peek"]).stdout.contains("Joint report for Austria") })

        // H2 for Rossi, who reads at another post: no delivery waits for him where he never reads.
        let forRossi = network.send(sampleReport(["handling": "H2", "addressees": ["officer.it.rossi", "board.fr.martin"], "headline": "For Rossi"]))
        #expect(forRossi.status == 0, "\(forRossi.stderr)")
        #expect(waitFor(15) { network.board.count("SELECT count(*) FROM reports WHERE id = '\(forRossi.id)'") == 1 })
        for node in network.all {
            #expect(node.count("SELECT count(*) FROM deliveries d JOIN reports r ON r.seq = d.report_seq WHERE r.id = '\(forRossi.id)' AND d.identity = 'officer.it.rossi'") == 0)
        }
        #expect(network.board.count("SELECT count(*) FROM deliveries d JOIN reports r ON r.seq = d.report_seq WHERE r.id = '\(forRossi.id)' AND d.identity = 'board.fr.martin'") == 1)
    }

    // MARK: Issue 27: who writes an identity's entries, their order, one subject per identity

    static let newItalianOfficer: Void = TestEnvironment.pki.issue(
        "officer-it-verdi", subject: "/C=IT/O=IT-PS/OU=officer/CN=officer.it.verdi",
        extensions: "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:TN")
    /// A CA mis-issue: Rossi's CN with Germany's O.
    static let misissuedRossi: Void = TestEnvironment.pki.issue(
        "officer-it-misissued", subject: "/C=DE/O=DE-BPOL/OU=officer/CN=officer.it.rossi",
        extensions: "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:LY")

    /// A signed entry as `writer` would send it, numbered `sequence`, written `ahead` ms in the future.
    func signedEntry(_ daemon: Daemon, _ writer: String, _ body: JSONValue, ahead: Int64 = 0) throws -> JSONValue {
        let written = Timestamp.nowMilliseconds() + ahead
        let signer = try AuthorSigner.load(daemon.pki.clientOptions(writer, port: daemon.port))
        // Validated on the writer's (possibly wrong) clock, so that the node is the one to judge the date.
        let report = try Report.validate(Deployment.draft(body, now: written), sender: signer.origin, now: written)
        return try signer.credentials.sign(report).document
    }

    func refusal(_ body: () throws -> Message) -> ProtocolError? {
        do {
            _ = try body()
            return nil
        } catch {
            if case .refused(let refusal)? = error as? ClientError { return refusal }
            return ProtocolError(.badMessage, "\(error)")
        }
    }

    @Test func anAuthorityMayNotRewriteAnotherAuthoritysPeople() throws {
        _ = Self.italianAuthority
        _ = Self.newItalianOfficer
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("officer-it")  // Rossi's IT-PS certificate, seen here
        #expect(ilo(daemon, "authority-it-user", [
            "deploy", "officer.it.rossi", "--post", "LY:Tripoli", "--from", Self.day(-10), "--represents", "FR:IT-FR-2026/3", "--reads-at", "hub.ilonet.example",
        ]).status == 0)
        // Germany's contact point writes an entry for Rossi in Germany's own name: refused.
        let german = try signedEntry(daemon, "authority-de-user", [
            "identity": "officer.it.rossi", "role": "officer", "state": "DE", "authority": "DE-BPOL", "from": .string(Self.day(-1)),
            "represents": [["state": "AT", "arrangement": "x"]], "reads_at": "authority-de.ilonet.example", "sequence": 7,
        ])
        let schmidt = try daemon.client("authority-de-user")
        let refused = refusal { try schmidt.request(.publish, ["report": german]) }
        #expect(refused?.code == .forbidden && refused?.message.contains("officer.it.rossi belongs to IT-PS (IT), as its certificate, seen at hub.ilonet.example, says") == true, "\(String(describing: refused))")
        #expect(daemon.log.contains("msg=\"report refused\"") && daemon.log.contains("only IT-PS writes entries for it"))
        // Rossi still represents France, not Germany, and the directory lists him as Italian.
        let rossi = try daemon.client("officer-it")
        #expect(refusal { try rossi.request(.publish, ["report": sampleReport(["on_behalf_of": ["FR"]])]) } == nil)
        #expect(refusal { try rossi.request(.publish, ["report": sampleReport(["on_behalf_of": ["AT"]])]) }?.field == "on_behalf_of[0]")
        #expect(daemon.query("SELECT authority FROM register WHERE identity = 'officer.it.rossi'") == "IT-PS")

        // Nobody's certificate seen yet: the first entry binds Verdi to its writer's authority ...
        let first = try signedEntry(daemon, "authority-de-user", [
            "identity": "officer.it.verdi", "role": "officer", "state": "DE", "authority": "DE-BPOL", "from": .string(Self.day(-1)),
            "reads_at": "hub.ilonet.example", "sequence": 1,
        ])
        #expect(refusal { try schmidt.request(.publish, ["report": first]) } == nil)
        // ... so Italy's entry for him is now the conflict, refused and logged ...
        let italian = ilo(daemon, "authority-it-user", ["deploy", "officer.it.verdi", "--post", "TN:Tunis", "--from", Self.day(-1), "--reads-at", "hub.ilonet.example"])
        #expect(italian.status == 1 && italian.stderr.contains("officer.it.verdi belongs to DE-BPOL (DE), as its first register entry says"), "\(italian.output)")
        // ... until his own certificate says otherwise: Germany's entry leaves the register, Italy's is taken.
        try daemon.register("officer-it-verdi")
        #expect(daemon.count("SELECT count(*) FROM register WHERE identity = 'officer.it.verdi'") == 0)
        #expect(daemon.log.contains("identity bound by its certificate"))
        let again = ilo(daemon, "authority-it-user", ["deploy", "officer.it.verdi", "--post", "TN:Tunis", "--from", Self.day(-1), "--reads-at", "hub.ilonet.example"])
        #expect(again.status == 0, "\(again.output)")
        #expect(daemon.query("SELECT authority FROM register WHERE identity = 'officer.it.verdi'") == "IT-PS")
    }

    @Test func entriesAreOrderedByTheirWritersSequenceNotByTheirDate() throws {
        _ = Self.italianAuthority
        let daemon = try Daemon()
        try daemon.start()
        let bianchi = try daemon.client("authority-it-user")
        let body: JSONValue = [
            "identity": "officer.it.rossi", "role": "officer", "state": "IT", "authority": "IT-PS", "from": .string(Self.day(-1)),
            "reads_at": "post-tripoli.ilonet.example", "sequence": 1,
        ]
        // Dated beyond the allowed clock skew: refused.
        let future = try signedEntry(daemon, "authority-it-user", body, ahead: 11 * 60_000)
        let beyond = refusal { try bianchi.request(.publish, ["report": future]) }
        #expect(beyond?.field == "created" && beyond?.message.contains("lies in the future") == true, "\(String(describing: beyond))")
        // Dated nine minutes ahead (within the skew): taken, and the correction written now still wins.
        let early = try signedEntry(daemon, "authority-it-user", body, ahead: 9 * 60_000)
        #expect(refusal { try bianchi.request(.publish, ["report": early]) } == nil)
        let corrected = ilo(daemon, "authority-it-user", ["deploy", "officer.it.rossi", "--from", Self.day(-1), "--reads-at", "post-tunis.ilonet.example"])
        #expect(corrected.status == 0, "\(corrected.output)")
        #expect(daemon.query("SELECT json_extract(body, '$.reads_at') || ' ' || sequence FROM register WHERE identity = 'officer.it.rossi'") == "post-tunis.ilonet.example 2")
        // An entry numbered no higher than the one in force is refused where it is written.
        let late = try signedEntry(daemon, "authority-it-user", body)
        let stale = refusal { try bianchi.request(.publish, ["report": late]) }
        #expect(stale?.field == "body.sequence" && stale?.message.contains("does not follow the entry in force for officer.it.rossi (sequence 2") == true, "\(String(describing: stale))")
    }

    @Test func aCertificateWithAnotherSubjectForAKnownIdentityIsRefused() throws {
        _ = Self.misissuedRossi
        let daemon = try Daemon()
        try daemon.start()
        let rossi = try daemon.client("officer-it")
        let own = sampleReport(["headline": "Rossi's own report"])
        #expect(try rossi.request(.publish, ["report": own]).type == .accepted)
        // The mis-issued certificate (Rossi's CN, Germany's O) is refused at HELLO, and changes nothing.
        do {
            _ = try daemon.client("officer-it-misissued")
            Issue.record("a certificate with another subject for a known identity was admitted")
        } catch {
            #expect("\(error)".contains("one identity is one subject"), "\(error)")
        }
        #expect(daemon.log.contains("connection refused: identity clash"))
        #expect(daemon.query("SELECT authority || ' ' || state FROM subscribers WHERE identity = 'officer.it.rossi'") == "IT-PS IT")
        #expect(daemon.count("SELECT count(*) FROM subscriptions WHERE identity = 'officer.it.rossi' AND implicit = 1") > 0)
        // Rossi's own SENT still lists his report.
        let sent = try rossi.request(.sent, [:])
        #expect(sent.body["reports"]?.arrayValue?.count == 1)
    }

    @Test func onlyAddressableNamesAreSuggestedOrAccepted() throws {
        _ = Self.italianAuthority
        let daemon = try Daemon()
        try daemon.start()
        // An addressee that is neither an identity id nor authority:CODE, with an empty register.
        let officer = try daemon.client("officer-de")
        let odd = refusal { try officer.request(.publish, ["report": sampleReport(["handling": "H2", "addressees": ["board fr martin\n"]])]) }
        #expect(odd?.field == "addressees[0]" && odd?.message.contains("is neither an identity id") == true, "\(String(describing: odd))")
        #expect(ilo(daemon, "authority-it-user", ["deploy", "officer.it.rossi", "--from", Self.day(-1), "--reads-at", "hub.ilonet.example"]).status == 0)
        try daemon.register("admin", "dpo")
        for (name, hint) in [("admin.hu", false), ("admin.hub", false), ("dpo.board", false), ("officer.it.rosi", true)] {
            let refused = refusal { try officer.request(.publish, ["report": sampleReport(["handling": "H2", "addressees": .array([.string(name)])])]) }
            #expect(refused?.message.contains("nobody called \"\(name)\"") == true, "\(name): \(String(describing: refused))")
            #expect((refused?.message.contains("did you mean") == true) == hint, "\(name): \(String(describing: refused))")
            #expect(refused?.message.contains("admin.hub?") != true && refused?.message.contains("dpo.board?") != true)
        }
    }
}
