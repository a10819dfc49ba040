import Foundation
import Glibc
import ILONet
import Testing

/// Limits against abuse (docs/RELIABILITY.md): each configurable, each refusal
/// logged, and none of them lets one client stop the node serving the others.
/// (Bytes in flight per subscriber: SubscriptionTests, `limits.subscriber-window-bytes`.)
@Suite(.serialized) struct AbuseLimitsTests {
    func connect(_ daemon: Daemon, _ identity: String) throws(ClientError) -> ClientConnection {
        try ClientConnection(daemon.pki.clientOptions(identity, port: daemon.port))
    }

    func refusal(_ body: () throws -> Message) -> ProtocolError? {
        do {
            let answer = try body()
            if answer.type == .error { return ProtocolError(message: answer) }
            return nil
        } catch let ClientError.refused(error) {
            return error
        } catch {
            return nil
        }
    }

    @Test func connectionsOverallAreCapped() throws {
        let daemon = try Daemon(extraConfig: "limits.max-connections 3")
        try daemon.start()
        let held = try (0..<3).map { _ in try connect(daemon, "officer-de") }
        #expect(throws: ClientError.self) { _ = try connect(daemon, "officer-it") }
        #expect(waitFor { daemon.log.contains("connection refused: limit reached") }, "\(daemon.log)")
        held[0].close()
        #expect(waitFor { (try? connect(daemon, "officer-it")) != nil })
    }

    @Test func connectionsPerIdentityAreCapped() throws {
        let daemon = try Daemon(extraConfig: "limits.max-connections-per-identity 2")
        try daemon.start()
        let first = try connect(daemon, "officer-de")
        let second = try connect(daemon, "officer-de")
        do {
            _ = try connect(daemon, "officer-de")
            Issue.record("a third connection of one identity was admitted")
        } catch let ClientError.refused(error) {
            #expect(error.code == .overloaded && error.message.contains("limits.max-connections-per-identity"), "\(error)")
        }
        #expect(waitFor { daemon.log.contains("identity=officer.de.mueller code=overloaded") }, "\(daemon.log)")
        // Others are not affected, and a closed connection frees its place.
        _ = try connect(daemon, "officer-it")
        second.close()
        #expect(waitFor { (try? connect(daemon, "officer-de")) != nil })
        _ = first
    }

    @Test func aClientThatTricklesTheHandshakeIsCutOff() throws {
        let daemon = try Daemon(extraConfig: "limits.handshake-timeout 2s")
        try daemon.start()
        let fd = try rawConnection(port: daemon.port)
        defer { close(fd) }
        // A TLS record header, then one byte every 300 ms: never a whole ClientHello.
        let started = Date()
        var closedAfter: Double?
        for byte: UInt8 in [0x16, 0x03, 0x01, 0x02, 0x00] + Array(repeating: 0x01, count: 40) {
            var b = byte
            if send(fd, &b, 1, Int32(MSG_NOSIGNAL)) != 1 || peerClosed(fd) {
                closedAfter = Date().timeIntervalSince(started)
                break
            }
            usleep(300_000)
        }
        let seconds = try #require(closedAfter, "the node kept a trickling handshake open for 12 s")
        #expect(seconds < 4.5, "closed after \(seconds) s")
        #expect(daemon.log.contains("TLS handshake not finished within 2.0s"), "\(daemon.log)")
    }

    @Test func aClientThatNeverSaysHelloIsCutOff() throws {
        let daemon = try Daemon(extraConfig: "limits.hello-timeout 1s")
        try daemon.start()
        let pki = daemon.pki
        // A complete TLS handshake, then silence: read until the node closes.
        let fd = try rawConnection(port: daemon.port)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 8, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let context = try TLSContext(
            .makeClientConfiguration(certificate: pki.path("officer-de.crt"), privateKey: pki.path("officer-de.key"), trustRoots: pki.ca))
        let tls = try TLSSession(context: context, fd: fd, serverName: "127.0.0.1")
        let started = Date()
        #expect(tls.handshake() == .done(0))
        var buffer = [UInt8](repeating: 0, count: 4096)
        var result = TLSIOResult.done(0)
        while case .done = result {
            result = buffer.withUnsafeMutableBytes { tls.read(into: $0) }
        }
        let seconds = Date().timeIntervalSince(started)
        #expect(result == .closed, "\(result)")
        #expect(seconds < 3.5, "the silent client stayed \(seconds) s")
        #expect(waitFor { daemon.log.contains("no HELLO within 1.0s") }, "\(daemon.log)")
    }

    @Test func anOversizedReportIsRefusedBeforeParsingAndTheConnectionStays() throws {
        let daemon = try Daemon(extraConfig: "limits.max-report-bytes 4096")
        try daemon.start()
        let client = try connect(daemon, "officer-de")
        let big = sampleReport(["body.modus_operandi": .string(String(repeating: "x", count: 5000))])
        let error = try #require(refusal { try client.request(.publish, ["report": big]) })
        #expect(error.code == .reportTooLarge && error.message.contains("limits.max-report-bytes"), "\(error)")
        #expect(try client.request(.publish, ["report": sampleReport()]).type == .accepted)
        #expect(daemon.log.contains("code=report-too-large"), "\(daemon.log)")
    }

    @Test func publishingFasterThanTheRateIsRefusedAndNothingIsTakenSilently() throws {
        let daemon = try Daemon(extraConfig: "limits.publish-rate 1\nlimits.publish-burst 5")
        try daemon.start()
        let client = try connect(daemon, "officer-de")
        var accepted = 0
        var limited = 0
        for i in 0..<12 {
            if let error = refusal({ try client.request(.publish, ["report": sampleReport(headline: "rate \(i)")]) }) {
                if error.code == .rateLimited { limited += 1 }
            } else {
                accepted += 1
            }
        }
        // 5 at once; the rest of the 12 refused, except what refilled meanwhile.
        #expect(accepted >= 5 && accepted <= 6 && accepted + limited == 12, "accepted \(accepted), limited \(limited)")
        #expect(daemon.count("SELECT count(*) FROM reports") == accepted)
        #expect(daemon.log.contains("code=rate-limited"))
        // Another identity has its own bucket; and `ilo send` says "try again" (exit 3).
        _ = try connect(daemon, "officer-it").request(.publish, ["report": sampleReport()])
        let send = run(
            TestEnvironment.ilo, ["send", "--kind", "smuggling", "--country", "LY", "--headline", "x", "--reliability", "B", "--accuracy", "2", "--level", "strategic"] + daemon.iloArguments("officer-de"),
            stdin: sampleBodies["smuggling"]!.encodedString())
        #expect(send.status == 4 && send.stderr.contains("rate-limited") && send.stderr.contains("queued on this computer"), "\(send.status) \(send.output)")
        usleep(1_200_000)
        #expect(try client.request(.publish, ["report": sampleReport()]).type == .accepted)
    }

    @Test func aFloodOfUnfinishedHandshakesDoesNotStopAnOfficer() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        try #require(limit.rlim_cur > 6000, "needs 6,000 file descriptors")
        let daemon = try Daemon()
        try daemon.start()

        func publishLatencies(_ count: Int) throws -> [Double] {
            let client = try connect(daemon, "officer-de")
            defer { client.close() }
            return try (0..<count).map { i in
                let start = Date()
                let answer = try client.request(.publish, ["report": sampleReport(headline: "flood \(i)")])
                #expect(answer.type == .accepted)
                return Date().timeIntervalSince(start) * 1000
            }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let before = try publishLatencies(20)

        // 5,000 connections from another host (127.0.0.3) that start a handshake
        // and never finish it: most are refused (limits.max-handshaking-per-address),
        // the rest are cut at the handshake deadline.
        var flood: [Int32] = []
        defer { flood.forEach { close($0) } }
        let hello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01]
        for _ in 0..<5000 {
            let fd = try rawConnection(port: daemon.port, from: "127.0.0.3")
            _ = hello.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            flood.append(fd)
        }
        let connectStart = Date()
        let during = try publishLatencies(20)
        let connectAndSend = Date().timeIntervalSince(connectStart)
        print("flood: publish→ack median \(median(before)) ms before, \(median(during)) ms with 5,000 half-open connections; connect+20 sends \(connectAndSend) s")
        #expect(median(during) < max(50, median(before) * 5), "before \(before), during \(during)")
        #expect(connectAndSend < 5)
    }
}

/// A plain TCP connection to the node, no TLS; from `source` (another loopback
/// address, e.g. 127.0.0.2, to stand for another host) when given.
func rawConnection(port: UInt16, from source: String? = nil) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    if let source {
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            close(fd)
            throw SystemError("bind", errno: errno)
        }
    }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard rc == 0 else {
        close(fd)
        throw SystemError("connect", errno: errno)
    }
    return fd
}

/// Whether the peer has closed (a non-blocking peek reads end of file or an error).
func peerClosed(_ fd: Int32) -> Bool {
    var byte: UInt8 = 0
    let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
    return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
}
