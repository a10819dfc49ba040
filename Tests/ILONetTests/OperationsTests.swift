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
            let directory = NSTemporaryDirectory() + "ilonet-tests-\(getpid())"
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
        let directory = NSTemporaryDirectory() + "ilonet-tests-\(getpid())/unit-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try unit.write(toFile: directory + "/ilod.service", atomically: true, encoding: .utf8)
        #expect(unit.contains("Type=notify") && unit.contains("NoNewPrivileges=yes") && unit.contains("ProtectSystem=strict"))
        let verified = run("/usr/bin/systemd-analyze", ["verify", directory + "/ilod.service"])
        // It only warns about unknown keys and bad values: any output is a finding.
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
}
