import Foundation
import Testing
@testable import ILONet

/// Who gets in: real ilod processes, real TLS on 127.0.0.1.
@Suite(.serialized) struct TransportSecurityTests {
    @Test func validOfficerIsAcceptedAndIdentityComesFromTheCertificate() throws {
        let daemon = try Daemon()
        try daemon.start()
        let client = try daemon.client("officer-de")
        let identity = client.welcome.body["identity"]
        #expect(identity?["id"] == "officer.de.mueller")
        #expect(identity?["role"] == "officer")
        #expect(identity?["authority"] == "DE-BPOL")
        #expect(identity?["state"] == "DE")
        #expect(identity?["posts"] == ["LY"])
        // The client verified the node's certificate too, and knows who it is.
        #expect(client.nodeIdentity.id == "hub.ilonet.example")
        #expect(client.nodeIdentity.role == .node)
    }

    @Test func clientWithoutCertificateIsRejected() throws {
        let daemon = try Daemon()
        try daemon.start()
        let result = run("/usr/bin/openssl", ["s_client", "-ign_eof", "-connect", "127.0.0.1:\(daemon.port)", "-CAfile", daemon.pki.ca], stdin: "")
        #expect(result.output.contains("certificate required"), "\(result.output)")
        #expect(waitFor { daemon.log.contains("peer did not return a certificate") }, "\(daemon.log)")
        // And the daemon keeps serving others.
        _ = try daemon.client("officer-it").request(.ping)
    }

    @Test func tls12IsRefusedByDefault() throws {
        let daemon = try Daemon()
        try daemon.start()
        let result = run(
            "/usr/bin/openssl",
            ["s_client", "-connect", "127.0.0.1:\(daemon.port)", "-tls1_2", "-CAfile", daemon.pki.ca,
             "-cert", daemon.pki.path("officer-de.crt"), "-key", daemon.pki.path("officer-de.key")], stdin: "")
        #expect(result.status != 0)
        #expect(result.output.contains("protocol version"), "\(result.output)")
    }

    @Test func tls12IsAcceptedWhenTheConfigAsksForIt() throws {
        let daemon = try Daemon(extraConfig: "tls.min-version 1.2")
        try daemon.start()
        let result = run(
            "/usr/bin/openssl",
            ["s_client", "-connect", "127.0.0.1:\(daemon.port)", "-tls1_2", "-CAfile", daemon.pki.ca,
             "-cert", daemon.pki.path("officer-de.crt"), "-key", daemon.pki.path("officer-de.key")], stdin: "")
        #expect(result.output.contains("ECDHE-ECDSA-AES128-GCM-SHA256") || result.output.contains("ECDHE-ECDSA-CHACHA20-POLY1305"), "\(result.output)")
    }

    @Test func certificateFromAnotherCAIsRejected() throws {
        let daemon = try Daemon()
        try daemon.start()
        // A well-formed officer certificate, but issued by a CA the network does not trust.
        var options = TestEnvironment.otherPKI.clientOptions("officer-de", port: daemon.port)
        options = ClientOptions(
            node: options.node, certificatePath: options.certificatePath, privateKeyPath: options.privateKeyPath,
            caPath: daemon.pki.ca)
        #expect(throws: ClientError.self) { try ClientConnection(options).request(.ping) }
        #expect(waitFor { daemon.log.contains("peer certificate: unable to get local issuer certificate") }, "\(daemon.log)")
    }

    @Test func nodeWhoseCertificateNamesAnotherHostIsRejected() throws {
        let daemon = try Daemon()
        try daemon.start()
        // The hub's certificate names hub.ilonet.example, localhost and 127.0.0.1 only.
        do {
            _ = try daemon.client("officer-de", serverName: "board.ilonet.example")
            Issue.record("connected to a node whose certificate names another host")
        } catch let error as ClientError {
            guard case .tls(let tls) = error else {
                Issue.record("expected a TLS failure, got \(error)")
                return
            }
            #expect(tls.description.contains("certificate verify failed"), "\(tls)")
            #expect(tls.description.contains("hostname mismatch"), "\(tls)")
        }
        // The names it does carry verify.
        _ = try daemon.client("officer-de", serverName: "hub.ilonet.example")
        _ = try daemon.client("officer-de", serverName: "localhost")
    }

    @Test func clientRefusesANodeCertifiedByAnotherCA() throws {
        // A node with a certificate from the other CA: our client must not talk to it.
        let daemon = try Daemon(pki: TestEnvironment.otherPKI)
        try daemon.start()
        let options = TestEnvironment.pki.clientOptions("officer-de", port: daemon.port)
        #expect(throws: ClientError.self) { try ClientConnection(options) }
    }

    @Test func certificateWithUnknownRoleIsRefusedAfterTheHandshake() throws {
        let pki = TestEnvironment.pki
        pki.issue("spy", subject: "/C=XX/O=Nobody/OU=spy/CN=spy.example", extensions: "extendedKeyUsage=clientAuth")
        let daemon = try Daemon()
        try daemon.start()
        #expect(throws: ClientError.self) { try ClientConnection(pki.clientOptions("spy", port: daemon.port)) }
        #expect(waitFor { daemon.log.contains("unknown role") }, "\(daemon.log)")
    }

    /// TLS 1.3 session resumption (issue 30, docs/PROTOCOL.md §1): ilo keeps the
    /// node's ticket and the next connection resumes; a ticket outlives neither a
    /// reload nor a restart, and a revoked certificate never resumes its way in.
    @Test func ticketsResumeSessionsButNeverPastARevocation() throws {
        let pki = TestPKI.make(name: "resumption-pki")
        pki.issue("officer-res", subject: "/C=DE/O=DE-BPOL/OU=officer/CN=officer.de.res", extensions: "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:LY")
        let daemon = try Daemon(pki: pki)
        try daemon.start()
        let state = daemon.directory + "/state-res"
        func ping() -> (status: Int32, output: String, stdout: String, stderr: String) {
            run(TestEnvironment.ilo, ["ping"] + daemon.iloArguments("officer-res"), environment: ProcessInfo.processInfo.environment.merging(["XDG_STATE_HOME": state]) { $1 })
        }
        func resumed() -> Int { daemon.log.components(separatedBy: "identity=officer.de.res").filter { $0.hasPrefix(" role=officer tls=TLSv1.3 resumed=yes") }.count }
        #expect(ping().status == 0)
        #expect(resumed() == 0, "the first connection is a full handshake")
        let tickets = try FileManager.default.contentsOfDirectory(atPath: state + "/ilo").filter { $0.hasPrefix("session-") }
        #expect(tickets.count == 1)
        let mode = (try FileManager.default.attributesOfItem(atPath: state + "/ilo/" + tickets[0])[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600, "the ticket is readable by its owner only")
        #expect(ping().status == 0)
        #expect(waitFor(5) { resumed() == 1 }, "the second resumes: \(daemon.log.suffix(800))")
        // Revoked and reloaded: the ticket's key is gone with the old context, and the certificate is refused.
        pki.revoke("officer-res")
        kill(daemon.pid, SIGHUP)
        #expect(waitFor(5) { daemon.log.contains("reload") })
        Thread.sleep(forTimeInterval: 0.5)
        let refused = ping()
        #expect(refused.status == 1 && refused.stderr.contains("revoked"), "\(refused.output)")
        #expect(resumed() == 1, "no resumption past the revocation")
    }
}

/// Polls `condition` for up to `seconds`.
func waitFor(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}
