import Foundation
import Glibc
import Testing
@testable import ILONet

/// What an operator lives with: systemd's readiness protocol, logs in JSON and
/// log files that SIGHUP reopens (docs/OPERATIONS.md).
@Suite(.serialized) struct OperationsTests {
    /// A datagram socket standing in for systemd's notify socket.
    final class NotifySocket {
        let path: String
        let fd: Int32

        init() throws {
            let directory = TestEnvironment.runDirectory
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            path = directory + "/notify-\(UUID().uuidString.prefix(8))"
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, byte) in path.utf8.enumerated() { raw[i] = byte }
            }
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { throw FlakyLinkError("bind \(path): errno \(errno)") }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        /// The next datagram, or nil after 10 s.
        func next() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(fd, &buffer, buffer.count, 0)
            return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : nil
        }

        deinit { close(fd) }
    }

    /// A reload is all or nothing, systemd and `ilo status` say when one was
    /// refused, and monitoring can ask `ilo status --check` (issue 18).
    /// One node per store and per address. A second ilod on a store another
    /// node serves, or on an address another process listens on (the node's
    /// SO_REUSEPORT sockets would otherwise share it), refuses to start and says
    /// what to do; after the first node is killed with SIGKILL its store opens again.
    @Test func aSecondNodeOnTheSameStoreOrAddressRefusesToStart() throws {
        let daemon = try Daemon()
        try daemon.start()
        defer { daemon.stop() }
        let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        func second(_ name: String, _ change: (String) -> String) throws -> (status: Int32, output: String) {
            let path = daemon.directory + "/" + name
            try change(config).write(toFile: path, atomically: true, encoding: .utf8)
            let result = run("/usr/bin/timeout", ["20", TestEnvironment.ilod, "--config", path])  // 124: it kept running
            return (result.status, result.output)
        }
        let sameStore = try second("same-store.conf") {  // port 0: an address of its own
            $0.replacingOccurrences(of: "127.0.0.1:\(daemon.port)", with: "127.0.0.1:0")
        }
        #expect(sameStore.status == 1, "\(sameStore.output)")
        #expect(sameStore.output.contains("another ilod (process \(daemon.pid)) is serving this store"), "\(sameStore.output)")
        #expect(sameStore.output.contains("stop it first"))

        let sameAddress = try second("same-address.conf") {
            $0.replacingOccurrences(of: "store.sqlite", with: "other.sqlite")
        }
        #expect(sameAddress.status == 1, "\(sameAddress.output)")
        #expect(sameAddress.output.contains("127.0.0.1:\(daemon.port) is in use by another process"), "\(sameAddress.output)")
        #expect(!FileManager.default.fileExists(atPath: daemon.directory + "/other.sqlite"))

        daemon.kill()
        try daemon.start()  // the kernel dropped the dead node's lock
        #expect(daemon.isRunning)
    }

    @Test func aRefusedReloadChangesNothingAndEveryoneIsTold() throws {
        let notify = try NotifySocket()
        let directory = TestEnvironment.runDirectory + "/reload-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let rules = directory + "/access.rules", routes = directory + "/routes"
        try "allow connect role=*\nallow subscribe role=* topic=#\n".write(toFile: rules, atomically: true, encoding: .utf8)
        try "default -> nowhere.example\n".write(toFile: routes, atomically: true, encoding: .utf8)
        let daemon = try Daemon(extraConfig: "access \(rules)\nroutes \(routes)\npeer nowhere.example")
        daemon.environment = ["NOTIFY_SOCKET": notify.path]
        try daemon.start()
        _ = notify.next()
        #expect(run(TestEnvironment.ilo, ["status", "--check"] + daemon.iloArguments("admin")).stdout.contains("links down: nowhere.example"))
        // New access rules that refuse the board, and a broken routing table, in one SIGHUP.
        try "allow connect role=officer,admin\n".write(toFile: rules, atomically: true, encoding: .utf8)
        try "default -> nowhere.example\ncopy kind=smugling -> nowhere.example\n".write(toFile: routes, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        _ = notify.next()  // RELOADING=1
        let status = notify.next() ?? ""
        #expect(status.contains("STATUS=serving hub.ilonet.example; reload failed, nothing changed: \(routes):2: unknown kind \"smugling\""), "\(status)")
        #expect(waitFor(5) { daemon.log.contains("reload failed; nothing was changed") })
        // The access rules of the same SIGHUP were not put in place: the board still gets in.
        #expect(throws: Never.self) { try daemon.client("board-fr").request(.ping) }
        let check = run(TestEnvironment.ilo, ["status", "--check"] + daemon.iloArguments("admin"))
        #expect(check.status == 1 && check.stdout.contains("attention: the last reload was refused, nothing changed: \(routes):2"), "\(check.output)")
        let shown = run(TestEnvironment.ilo, ["status"] + daemon.iloArguments("admin")).stdout
        #expect(shown.contains("last reload") && shown.contains("refused") && shown.contains("certificate  expires"), "\(shown)")
        // The metrics say it too, from the first scrape.
        let json = try JSONValue(parsing: run(TestEnvironment.ilo, ["status", "--json"] + daemon.iloArguments("admin")).stdout)
        #expect(json["health"]?["reload"]?["result"] == "refused")
        #expect((json["health"]?["certificate"]?["days_left"]?.integerValue ?? 0) > 0)
        #expect(json["health"]?["crl"]?["next_update"]?.stringValue != nil)
        // Fixed: the next reload is applied, and the node says so.
        try "default -> nowhere.example\n".write(toFile: routes, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        _ = notify.next()
        let fixed = notify.next() ?? ""
        #expect(fixed.contains("STATUS=serving hub.ilonet.example\nMAINPID="), "\(fixed)")
        #expect(waitFor(5) { daemon.log.components(separatedBy: "access rules reloaded").count == 2 })
        #expect(throws: ClientError.self) { try daemon.client("board-fr").request(.ping) }
    }

    /// certs-example/make-pki.sh as a small CA tool for an authority (issue 18).
    @Test func theCAToolIssuesRecordsListsRevokesAndRenews() throws {
        let pki = TestPKI.make(name: "ca-tool")
        let script = TestPKI.script
        let issued = run(script, [pki.directory, "issue", "officer-es", "/C=ES/O=ES-CGEF/OU=officer/CN=officer.es.garcia", "extendedKeyUsage=clientAuth", "10"])
        #expect(issued.status == 0 && issued.stdout.contains("issued officer-es: /C=ES/O=ES-CGEF/OU=officer/CN=officer.es.garcia, serial "), "\(issued.output)")
        var list = run(script, [pki.directory, "list"])
        #expect(list.status == 0, "\(list.output)")
        #expect(list.stdout.contains("CN=officer.es.garcia  <- expires in 9 days") || list.stdout.contains("CN=officer.es.garcia  <- expires in 10 days"), "\(list.stdout)")
        #expect(list.stdout.contains("valid") && list.stdout.contains("CN=officer.de.mueller"))
        let revoked = run(script, [pki.directory, "revoke", "officer-es"])
        #expect(revoked.status == 0 && revoked.stdout.contains("ca.crl is valid until ") && revoked.stdout.contains("renew-crl"), "\(revoked.output)")
        list = run(script, [pki.directory, "list"])
        #expect(list.stdout.split(separator: "\n").contains { $0.hasPrefix("revoked") && $0.contains("officer.es.garcia") }, "\(list.stdout)")
        #expect(run(script, [pki.directory, "revoke", "officer-es"]).status == 1, "revoking twice says so")
        let renewed = run(script, [pki.directory, "renew-crl", "60"])
        #expect(renewed.status == 0 && renewed.stdout.contains("renewed") && renewed.stdout.contains("valid until"), "\(renewed.output)")
        let next = try #require(TLSContext.revocationListNextUpdate(pki.crl))
        #expect(abs(next - Timestamp.nowMilliseconds() - 60 * 86_400_000) < 3_600_000, "next update in 60 days")
    }

    /// Issue 27, item 22: the CA tool's help, and a CA with no example identities unless asked.
    @Test func theCAToolSaysHowItIsUsedAndMakesABareCA() throws {
        let script = TestPKI.script
        let help = run(script, ["--help"])
        #expect(help.status == 0 && help.stdout.contains("make-pki.sh OUTDIR list") && help.stdout.contains("renew-crl") && help.stdout.contains("OUTDIR ca"), "\(help.output)")
        #expect(!help.output.contains("mkdir"), "\(help.output)")
        let directory = TestEnvironment.runDirectory + "/bare-ca-\(UUID().uuidString.prefix(6))"
        let nothing = run(script, [directory])
        #expect(nothing.status == 2 && nothing.stderr.contains("make-pki.sh \(directory) ca"), "\(nothing.output)")
        let made = run(script, [directory, "ca", "3650"])
        #expect(made.status == 0 && made.stdout.contains("no certificates yet"), "\(made.output)")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        #expect(!files.contains { $0.hasSuffix(".crt") && $0 != "ca.crt" }, "\(files)")
        let list = run(script, [directory, "list"])
        #expect(list.status == 0 && list.stdout.split(separator: "\n").filter { $0.hasPrefix("valid") }.isEmpty, "\(list.output)")
        #expect(run(script, [directory, "ca"]).status == 1, "a second CA over the first is refused")
    }

    @Test func systemdHearsReadyReloadingAndStopping() throws {
        let notify = try NotifySocket()
        let daemon = try Daemon()
        daemon.environment = ["NOTIFY_SOCKET": notify.path]
        try daemon.start()
        let ready = notify.next() ?? ""
        #expect(ready.hasPrefix("READY=1\n"), "\(ready)")
        #expect(ready.contains("MAINPID=\(daemon.pid)"))
        kill(daemon.pid, SIGHUP)
        #expect(notify.next()?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true)
        #expect(notify.next()?.hasPrefix("READY=1") == true)
        kill(daemon.pid, SIGTERM)
        #expect(notify.next() == "STOPPING=1")
        #expect(daemon.stop() == 0)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"), "needs systemd-analyze"))
    func theUnitFilePassesSystemdAnalyzeVerify() throws {
        // The unit names the installed paths; point them at this build and the example hub.
        let unit = try String(contentsOfFile: TestEnvironment.repository.path + "/config/ilod.service", encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/ilod", with: TestEnvironment.ilod)
            .replacingOccurrences(of: "/etc/ilonet/node.conf", with: TestEnvironment.repository.path + "/config/hub.conf")
        let directory = TestEnvironment.runDirectory + "/unit-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try unit.write(toFile: directory + "/ilod.service", atomically: true, encoding: .utf8)
        #expect(unit.contains("Type=notify") && unit.contains("NoNewPrivileges=yes") && unit.contains("ProtectSystem=strict"))
        let verified = run("/usr/bin/systemd-analyze", ["verify", directory + "/ilod.service"])
        // It only warns about unknown keys and bad values: any output is a finding.
        #expect(verified.status == 0 && verified.output.isEmpty, "\(verified.output)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"), "needs systemd-analyze"))
    func theOutboxUserUnitsPassSystemdAnalyzeVerify() throws {
        let directory = TestEnvironment.runDirectory + "/user-units-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in ["ilo-outbox.service", "ilo-outbox.timer"] {
            let unit = try String(contentsOfFile: TestEnvironment.repository.path + "/config/" + name, encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/ilo", with: TestEnvironment.ilo)
            try unit.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        let service = try String(contentsOfFile: directory + "/ilo-outbox.service", encoding: .utf8)
        #expect(service.contains("outbox flush --watch"))
        let verified = run("/usr/bin/systemd-analyze", ["verify", directory + "/ilo-outbox.service", directory + "/ilo-outbox.timer"])
        #expect(verified.status == 0 && verified.output.isEmpty, "\(verified.output)")
    }

    @Test func jsonLogsGoToAFileThatSIGHUPReopensAfterRotation() throws {
        let daemon = try Daemon(extraConfig: "log.format json\nlog.file ilod.log")
        try daemon.start()
        let report = sampleReport(["headline": "Not for the log"])
        _ = try daemon.client("officer-de").request(.publish, ["report": report])
        let id = report["id"]!.stringValue!
        #expect(waitFor(5) { daemon.log.contains(id) })
        // logrotate moves the file away, then signals.
        try FileManager.default.moveItem(atPath: daemon.logPath, toPath: daemon.logPath + ".1")
        kill(daemon.pid, SIGHUP)
        #expect(waitFor(5) { daemon.log.contains("SIGHUP received") })
        #expect(daemon.stop() == 0)
        let before = try String(contentsOfFile: daemon.logPath + ".1", encoding: .utf8)
        let after = daemon.log
        #expect(before.contains("node ready") && !before.contains("SIGHUP received"))
        #expect(after.contains("SIGHUP received") && after.contains("node stopped"))
        // One JSON object per line, ts, level and msg first; the report's id, never its content.
        for line in (before + after).split(separator: "\n") {
            let value = try JSONValue(parsing: String(line))
            #expect(value["ts"]?.stringValue != nil && value["level"]?.stringValue != nil && value["msg"]?.stringValue != nil, "\(line)")
            #expect(line.hasPrefix("{\"ts\":\""))
        }
        let stored = before.split(separator: "\n").first { $0.contains("\"msg\":\"report stored\"") }
        #expect(stored?.contains("\"report\":\"\(id)\"") == true)
        #expect(!(before + after).contains("Not for the log"))
    }

    @Test func statusShowsIdentityLinksQueuesReadersAndStore() throws {
        let network = try TestNetwork(startRegional: false)
        for n in 0..<3 { #expect(network.send(sampleReport(["headline": .string("Waiting \(n)")])).status == 0) }
        let answer = run(TestEnvironment.ilo, ["status", "--json"] + network.post.iloArguments("admin"))
        #expect(answer.status == 0, "\(answer.output)")
        let status = try JSONValue(parsing: answer.stdout)
        #expect(status["node"] == "post-tripoli.ilonet.example")
        #expect(status["role"] == "post")
        #expect(status["peers"]?["regional-na.ilonet.example"]?["state"] == "down")
        #expect(status["peers"]?["regional-na.ilonet.example"]?["last_error"]?.stringValue?.isEmpty == false)
        #expect(status["queues"]?["regional-na.ilonet.example"]?["routine"] == .integer(3))
        #expect(status["subscribers"]?["officer.de.mueller"] != nil)
        #expect((status["store"]?["reports"]?.integerValue ?? 0) >= 3)
        #expect((status["store"]?["database_bytes"]?.integerValue ?? 0) > 0)
        let text = run(TestEnvironment.ilo, ["status"] + network.post.iloArguments("admin")).stdout
        #expect(text.contains("regional-na.ilonet.example         DOWN since"), "\(text)")
        #expect(text.contains("0 / 0 / 0 / 3"), "\(text)")
        // Administrators only.
        let officer = run(TestEnvironment.ilo, ["status"] + network.post.iloArguments("officer-de"))
        #expect(officer.status == 1 && officer.stderr.contains("node status is for admin, operator roles"), "\(officer.output)")
    }

    /// `GET path` on 127.0.0.1:port; the whole response.
    func httpGet(_ port: UInt16, _ path: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw FlakyLinkError("connect to metrics: errno \(errno)") }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count <= 0 { break }
            response += buffer[0..<count]
        }
        return String(decoding: response, as: UTF8.self)
    }

    @Test func metricsInThePrometheusTextFormat() throws {
        let daemon = try Daemon(extraConfig: "metrics.listen 127.0.0.1:0")
        try daemon.start()
        let line = daemon.log.split(separator: "\n").first { $0.contains("msg=\"metrics served\"") } ?? ""
        let port = line.split(separator: " ").first { $0.hasPrefix("listen=") }.flatMap { Endpoint(String($0.dropFirst(7))) }?.port ?? 0
        #expect(port != 0, "\(daemon.log)")
        let client = try daemon.client("officer-de")
        for _ in 0..<2 { _ = try client.request(.publish, ["report": sampleReport()]) }
        _ = refusalOf { try client.request(.publish, ["report": sampleReport(["country": "XX"])]) }
        // A client from another CA fails the handshake.
        _ = try? ClientConnection(TestEnvironment.otherPKI.clientOptions("officer-de", port: daemon.port, ca: TestEnvironment.pki.ca))
        #expect(waitFor(5) { ((try? httpGet(port, "/metrics")) ?? "").contains("ilonet_tls_handshake_failures_total{side=\"server\"") })
        let response = try httpGet(port, "/metrics")
        #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(response.contains("Content-Type: text/plain; version=0.0.4"))
        let body = String(response[response.range(of: "\r\n\r\n")!.upperBound...])
        #expect(body.contains("ilonet_reports_received_total{kind=\"smuggling\",via=\"publish\"} 2\n"), "\(body)")
        #expect(body.contains("ilonet_requests_refused_total{code=\"invalid-report\"} 1\n"))
        #expect(body.contains("ilonet_connections 1\n") || body.contains("ilonet_connections 2\n"))
        #expect(body.contains("ilonet_store_commit_seconds_bucket{le=\"+Inf\"}"))
        #expect(body.contains("ilonet_node_info{node=\"hub.ilonet.example\",role=\"platform-hub\""))
        // Counters whose labels are known have a sample before their first event.
        for zero in ["ilonet_reports_received_total{kind=\"border\",via=\"forward\"} 0", "ilonet_requests_refused_total{code=\"bad-signature\"} 0",
                     "ilonet_reports_delivered_total 0", "ilonet_reloads_total{result=\"refused\"} 0", "ilonet_connections_refused_total{reason=\"handshaking\"} 0"] {
            #expect(body.contains(zero + "\n"), "\(zero)")
        }
        // Every sample line: NAME{LABELS} VALUE, and every family announced with HELP and TYPE.
        for sample in body.split(separator: "\n") where !sample.hasPrefix("#") {
            #expect(sample.wholeMatch(of: /[a-z_]+(\{[^}]*\})? -?[0-9.e+]+/) != nil, "\(sample)")
            let name = String(sample.prefix { $0 != "{" && $0 != " " })
            let family = name.replacing(/_(bucket|sum|count)$/, with: "")
            #expect(body.contains("# TYPE \(family) "), "\(name)")
        }
        #expect(try httpGet(port, "/other").hasPrefix("HTTP/1.1 404"))
    }
}
