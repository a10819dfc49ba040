import Foundation
import Glibc
import ILONet
import Testing

/// Who gets in (docs/RELIABILITY.md, "refusal matrix"): every certificate that is
/// not current, not from the network's CA, revoked, or of a role the rules do not
/// admit is refused; a valid one is accepted. The cases that need nothing new
/// (no certificate, another CA, TLS 1.2, unknown role) are in TransportSecurityTests.
@Suite(.serialized) struct RefusalMatrixTests {
    static let officer = "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:LY"

    /// Connects as `identity` and pings; nil when that worked, else the error.
    func attempt(_ daemon: Daemon, _ identity: String) -> ClientError? {
        do throws(ClientError) {
            var options = daemon.pki.clientOptions(identity, port: daemon.port)
            options.checkOwnCertificate = false  // the node's refusal is what is tested
            let client = try ClientConnection(options)
            _ = try client.request(.ping)
            client.close()
            return nil
        } catch {
            return error
        }
    }

    @Test func expiredAndNotYetValidCertificatesAreRefused() throws {
        let pki = TestEnvironment.pki
        pki.issue(
            "officer-expired", subject: "/C=DE/O=DE-BPOL/OU=officer/CN=officer.de.expired", extensions: Self.officer,
            notBefore: "20200101000000Z", notAfter: "20210101000000Z")
        pki.issue(
            "officer-future", subject: "/C=DE/O=DE-BPOL/OU=officer/CN=officer.de.future", extensions: Self.officer,
            notBefore: "20980101000000Z", notAfter: "20990101000000Z")
        let daemon = try Daemon()
        try daemon.start()
        #expect(attempt(daemon, "officer-expired") != nil)
        #expect(waitFor { daemon.log.contains("peer certificate: certificate has expired") }, "\(daemon.log)")
        #expect(attempt(daemon, "officer-future") != nil)
        #expect(waitFor { daemon.log.contains("peer certificate: certificate is not yet valid") }, "\(daemon.log)")
        #expect(attempt(daemon, "officer-de") == nil)
    }

    @Test func revokedCertificateIsRefusedAfterTheListIsReloaded() throws {
        let pki = TestPKI.make(name: "revocation-pki")
        let daemon = try Daemon(pki: pki)
        try daemon.start()
        #expect(attempt(daemon, "officer-it") == nil)
        pki.revoke("officer-it")
        // The running node still has the old list until SIGHUP.
        #expect(attempt(daemon, "officer-it") == nil)
        kill(daemon.pid, SIGHUP)
        #expect(waitFor { daemon.log.contains("revocation list reloaded") }, "\(daemon.log)")
        #expect(attempt(daemon, "officer-it") != nil)
        #expect(waitFor { daemon.log.contains("peer certificate: certificate revoked") }, "\(daemon.log)")
        #expect(attempt(daemon, "officer-de") == nil)
        // A broken list is refused on reload; the node keeps the one it had.
        try "not a CRL\n".write(toFile: pki.crl, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        #expect(waitFor { daemon.log.contains("reload failed; nothing was changed") }, "\(daemon.log)")
        #expect(attempt(daemon, "officer-it") != nil)
        #expect(attempt(daemon, "officer-de") == nil)
    }

    @Test func expiredRevocationListFailsClosedUnlessConfiguredToAccept() throws {
        let pki = TestPKI.make(name: "stale-crl-pki")
        let stale = run(
            "/usr/bin/openssl",
            ["ca", "-config", pki.path("ca.cnf"), "-gencrl", "-crl_lastupdate", "20200101000000Z", "-crl_nextupdate", "20200201000000Z",
             "-out", pki.crl])
        #expect(stale.status == 0, "\(stale.output)")

        let refusing = try Daemon(pki: pki)
        try refusing.start()
        #expect(refusing.log.contains("the certificate revocation list has expired; every client certificate is refused"))
        #expect(attempt(refusing, "officer-de") != nil)
        #expect(waitFor { refusing.log.contains("peer certificate: CRL has expired") }, "\(refusing.log)")
        refusing.stop()

        let accepting = try Daemon(pki: pki, extraConfig: "tls.crl-unavailable accept")
        try accepting.start()
        #expect(accepting.log.contains("certificates are accepted without it"))
        #expect(attempt(accepting, "officer-de") == nil, "\(accepting.log)")
    }

    @Test func missingRevocationListStopsStartUpUnlessConfiguredToAccept() throws {
        let pki = TestPKI.make(name: "missing-crl-pki")
        try FileManager.default.removeItem(atPath: pki.crl)
        let refusing = try Daemon(pki: pki)
        #expect(throws: DaemonError.self) { try refusing.start() }
        #expect(refusing.log.contains("tls.crl") && refusing.log.contains("cannot read"), "\(refusing.log)")

        let accepting = try Daemon(pki: pki, extraConfig: "tls.crl-unavailable accept")
        try accepting.start()
        #expect(accepting.log.contains("no certificate revocation list; certificates are accepted without it"))
        #expect(attempt(accepting, "officer-de") == nil)
    }

    @Test func validCertificateOfARoleTheRulesDoNotAdmitIsRefused() throws {
        let rules = TestEnvironment.runDirectory + "/connect-\(UUID().uuidString.prefix(6)).rules"
        try """
            allow connect  role=officer,board
            allow publish  role=officer  kind=smuggling
            """.write(toFile: rules, atomically: true, encoding: .utf8)
        let daemon = try Daemon(extraConfig: "access \(rules)")
        try daemon.start()
        guard case .refused(let error)? = attempt(daemon, "authority-de-user") else {
            Issue.record("an authority was admitted although no connect rule names its role")
            return
        }
        #expect(error.code == .forbidden && error.message.contains("default deny"), "\(error)")
        #expect(waitFor { daemon.log.contains("msg=\"connection refused\"") && daemon.log.contains("identity=ncp.de.schmidt") }, "\(daemon.log)")
        #expect(attempt(daemon, "officer-de") == nil)
        #expect(attempt(daemon, "board-fr") == nil)
    }

    @Test func privateKeyReadableByOthersIsRefused() throws {
        let pki = TestPKI.make(name: "loose-key-pki")
        chmod(pki.path("hub.key"), 0o644)
        let daemon = try Daemon(pki: pki)
        #expect(throws: DaemonError.self) { try daemon.start() }
        #expect(daemon.log.contains("mode 0644 lets others read or write it") && daemon.log.contains("chmod 600"), "\(daemon.log)")
        let check = run(TestEnvironment.ilod, ["--check-config", "--config", daemon.configPath])
        #expect(check.status == 1 && check.stderr.contains("tls.key: ") && check.stderr.contains("chmod 600"), "\(check.output)")
    }

    @Test(.enabled(if: geteuid() == 0, "needs root")) func rootDropsToTheConfiguredUserBeforeOpeningTheStore() throws {
        guard let nobody = getpwnam("nobody")?.pointee else { return }
        let daemon = try Daemon(extraConfig: "user nobody")
        // The store's directory must be reachable by that user (the test's own
        // directories are root's).
        let data = NSTemporaryDirectory() + "ilonet-drop-\(getpid())-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        chown(data, nobody.pw_uid, nobody.pw_gid)
        var config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        config = config.replacingOccurrences(of: "store            store.sqlite", with: "store            \(data)/store.sqlite")
        try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        try daemon.start()
        let status = try String(contentsOfFile: "/proc/\(daemon.pid)/status", encoding: .utf8)
        let uids = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(whereSeparator: \.isWhitespace).dropFirst() ?? []
        #expect(uids.count == 4 && uids.allSatisfy { $0 == "\(nobody.pw_uid)" }, "\(status)")
        #expect(attempt(daemon, "officer-de") == nil)
        var info = stat()
        #expect(stat("\(data)/store.sqlite", &info) == 0 && info.st_uid == nobody.pw_uid)
        #expect(daemon.log.contains("dropped root privileges"))

        let unknown = try Daemon(extraConfig: "user no-such-user-here")
        #expect(throws: DaemonError.self) { try unknown.start() }
        #expect(unknown.log.contains("cannot drop root privileges") && unknown.log.contains("no such user"), "\(unknown.log)")
    }
}
