import Foundation
import Glibc
import ILONet
import Testing

/// An authenticated identity trying to crash, stall or exhaust a node (issue 14,
/// docs/RELIABILITY.md §10): each finding is a test, and the node keeps serving.
@Suite(.serialized) struct HostileClientTests {
    func refusal(_ body: () throws(ClientError) -> Message) -> ProtocolError? {
        do throws(ClientError) {
            _ = try body()
            return nil
        } catch {
            if case .refused(let refusal) = error { return refusal }
            return nil
        }
    }

    /// Finding 1: one DIGEST-PREVIEW made ilod exit on SIGILL.
    @Test func aPreviewSpanOfAnySizeNeitherCrashesTheNodeNorWritesABadTime() throws {
        let daemon = try Daemon()
        try daemon.start()
        let officer = try daemon.client("officer-de")
        for since in ["99999999999999d", "1e300d", "1944-10-12T08:10:28Z", "-5d"] {
            let refused = refusal { () throws(ClientError) in try officer.request(.digestPreview, ["filter": "border/LY/#", "since": .string(since)]) }
            #expect(refused?.code == .badMessage && refused?.field == "since", "\(since): \(String(describing: refused))")
        }
        // The longest span allowed reaches back before 1970: it starts at 1970.
        let preview = try officer.request(.digestPreview, ["filter": "border/LY/#", "since": "36500d"])
        #expect(preview.body["digest"]?["from"]?.stringValue == "1970-01-01T00:00:00Z")
        #expect(try officer.request(.ping).type == .pong)
        #expect(daemon.isRunning)
    }

    /// Finding 10: configuration traps, and a CLI that says what is wrong with its certificate.
    @Test func configurationWithCRLFLineEndingsIsReadLineByLine() throws {
        let file = ConfigFile.parse("node.name  hub.example\r\nlisten  127.0.0.1:7443\r\n# comment\r\nthreads 2\r\n", path: "hub.conf")
        #expect(file.syntaxErrors.isEmpty)
        #expect(file.entries.map(\.key) == ["node.name", "listen", "threads"])
        #expect(file.entries.map(\.line) == [1, 2, 4])
        let rules = try AccessRules.parse("allow connect role=officer\r\ndeny publish role=officer\r\n", path: "a.rules")
        #expect(rules.rules.count == 2)
    }

    @Test func anAccessRulesFileThatAdmitsNobodyIsRefusedAtCheckAndOnReload() throws {
        let daemon = try Daemon(extraConfig: "access rules-under-test")
        let rulesPath = daemon.directory + "/rules-under-test"
        try "allow connect role=officer,board,authority,admin,node,dpo\nallow subscribe role=* topic=#\n".write(toFile: rulesPath, atomically: true, encoding: .utf8)
        try daemon.start()
        for (text, why) in [("", "empty"), ("# nothing yet\n", "comments only"), ("deny connect\nallow connect role=officer\n", "deny first")] {
            try text.write(toFile: rulesPath, atomically: true, encoding: .utf8)
            let check = run(TestEnvironment.ilod, ["--check-config", "--config", daemon.configPath])
            #expect(check.status != 0 && check.stderr.contains("rules-under-test: these rules admit nobody"), "\(why): \(check.output)")
        }
        // On reload the node keeps the rules it had, and says why.
        kill(daemon.pid, SIGHUP)
        #expect(waitFor { daemon.log.contains("these rules admit nobody") }, "\(daemon.log)")
        #expect(try daemon.client("officer-de").request(.ping).type == .pong)
    }

    @Test func theCommandLineSaysItsCertificateIsRevokedOrExpired() throws {
        let pki = TestPKI.make(name: "cli-certificate-pki")
        let officer = "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:LY"
        pki.issue(
            "officer-old", subject: "/C=DE/O=DE-BPOL/OU=officer/CN=officer.de.old", extensions: officer,
            notBefore: "20200101000000Z", notAfter: "20210101000000Z")
        pki.issue("officer-gone", subject: "/C=DE/O=DE-BPOL/OU=officer/CN=officer.de.gone", extensions: officer)
        pki.revoke("officer-gone")
        let daemon = try Daemon(pki: pki)
        try daemon.start()
        // Exit 1, not 3: trying again later would not help.
        let report = sampleReport().encodedString()
        for command in [["ping"], ["send"]] {
            let revoked = run(TestEnvironment.ilo, command + daemon.iloArguments("officer-gone"), stdin: report)
            #expect(revoked.status == 1 && revoked.stderr.contains("refused your certificate: it has been revoked"), "\(revoked.output)")
            let expired = run(TestEnvironment.ilo, command + daemon.iloArguments("officer-old"), stdin: report)
            #expect(expired.status == 1 && expired.stderr.contains("expired on 2021-01-01; ask your deploying authority"), "\(expired.output)")
        }
    }
}
