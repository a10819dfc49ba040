import Foundation
import Synchronization
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
        for (text, why) in [
            ("", "empty"), ("# nothing yet\n", "comments only"), ("deny connect\nallow connect role=officer\n", "deny first"),
            ("deny connect id=*\nallow connect role=officer\n", "id=* is everyone (issue 27)"),
            ("deny connect authority=* state=*\nallow connect role=officer\n", "wildcards only"),
        ] {
            try text.write(toFile: rulesPath, atomically: true, encoding: .utf8)
            let check = run(TestEnvironment.ilod, ["--check-config", "--config", daemon.configPath])
            #expect(check.status != 0 && check.stderr.contains("rules-under-test: these rules admit nobody"), "\(why): \(check.output)")
        }
        // On reload the node keeps the rules it had, and says why.
        kill(daemon.pid, SIGHUP)
        #expect(waitFor { daemon.log.contains("these rules admit nobody") }, "\(daemon.log)")
        #expect(try daemon.client("officer-de").request(.ping).type == .pong)
    }

    /// Issue 27, item 14: what --check-config and a reload let through.
    @Test func checkConfigRefusesControlCharactersDuplicateHopsAndEndlessLifetimes() throws {
        let daemon = try Daemon()
        let routes = daemon.directory + "/dup.routes"
        try "route country=LY -> regional-na.ilonet.example, regional-na.ilonet.example\ndefault -> regional-na.ilonet.example\n"
            .write(toFile: routes, atomically: true, encoding: .utf8)
        let base = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        func check(_ extra: String) -> (status: Int32, output: String, stdout: String, stderr: String) {
            let path = daemon.directory + "/check-\(UUID().uuidString.prefix(6)).conf"
            try? (base + "\n" + extra + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return run(TestEnvironment.ilod, ["--check-config", "--config", path])
        }
        let nul = check("user root\u{0}evil")
        #expect(nul.status != 0 && nul.stderr.contains("control character U+0000"), "\(nul.output)")
        let duplicate = check("peer regional-na.ilonet.example 127.0.0.1:1\nroutes \(routes)")
        #expect(duplicate.status != 0 && duplicate.stderr.contains("dup.routes:1: next hop \"regional-na.ilonet.example\" is named twice"), "\(duplicate.output)")
        let longer = check("reports.lifetime.border 400d")
        #expect(longer.status != 0 && longer.stderr.contains("longer than reports.max-lifetime.border (180d)"), "\(longer.output)")
        #expect(check("reports.max-lifetime.border 500d\nreports.lifetime.border 400d").status == 0)

        try daemon.start()
        let officer = try daemon.client("officer-de")
        do throws(ClientError) {
            _ = try officer.request(.publish, ["report": sampleReport(["expires": "9999-12-31T00:00:00Z"])])
            Issue.record("a report valid until 9999 was accepted")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.field == "expires" && refusal.message.contains("at most 730 days (reports.max-lifetime.smuggling)"), "\(refusal)")
        }
        // A field name with ESC and BEL reaches the log escaped, never raw.
        _ = try? officer.request(.publish, ["report": sampleReport(["body.\u{1B}[31mred\u{07}": "x"])])
        #expect(waitFor { daemon.log.contains("\\u001b[31mred\\u0007") }, "\(daemon.log.suffix(600))")
        #expect(!daemon.log.contains("\u{1B}") && !daemon.log.contains("\u{07}"))
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

    /// A strategic return report of about `kilobytes` KB (at most 25), in its list of obstacles.
    static func largeReport(kilobytes: Int) -> JSONValue {
        let obstacles = (0..<min(50, kilobytes * 2)).map { JSONValue.string("Obstacle \($0): " + String(repeating: "paperwork ", count: 48)) }
        return sampleReport(["body.obstacles": .array(obstacles)], kind: "return")
    }

    func publish(_ daemon: Daemon, _ count: Int, kilobytes: Int = 0) throws {
        let officer = try daemon.client("officer-de")
        for _ in 0..<count {
            _ = try officer.request(.publish, ["report": kilobytes > 0 ? Self.largeReport(kilobytes: kilobytes) : sampleReport()])
        }
        officer.close()
    }

    /// Finding 2: a BATCH holds what fits in one frame and says `more`; ilo pages until done.
    @Test func aFetchAnswerFitsInOneFrameAndTheClientPagesThroughTheRest() throws {
        let daemon = try Daemon(extraConfig: "limits.max-frame-bytes 65536\nlimits.max-report-bytes 60000")
        try daemon.start()
        try daemon.register("authority-fr-user", subscribing: "#")
        try publish(daemon, 40, kilobytes: 20)
        let reader = try daemon.client("authority-fr-user")
        try reader.send(Frame(type: MessageType.fetch.rawValue, requestID: 7, payload: Array(#"{"limit":500}"#.utf8)))
        let frame = try reader.receiveFrame()
        #expect(frame.payload.count <= 65536 - AnswerBudgetForTests.reserve + 1024, "\(frame.payload.count) bytes")
        let batch = try Message(frame: frame)
        let first = batch.body["reports"]?.arrayValue?.count ?? 0
        #expect(first >= 1 && first < 40 && batch.body["more"] == .bool(true), "\(first) reports")

        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = daemon.directory + "/state-authority-fr-user"
        let inbox = run(TestEnvironment.ilo, ["inbox", "--json"] + daemon.iloArguments("authority-fr-user"), environment: environment)
        #expect(inbox.status == 0, "\(inbox.stderr)")
        #expect((try? JSONValue(parsing: inbox.stdout))?.arrayValue?.count == 40)
    }

    /// Finding 6: `ilo inbox --json` with more than one page pending ends, and lists each report once.
    @Test func inboxAsJSONEndsWithMoreThanAPagePending() throws {
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("authority-fr-user", subscribing: "#")
        try publish(daemon, 520)
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = daemon.directory + "/state-authority-fr-user"
        let inbox = run(TestEnvironment.ilo, ["inbox", "--json"] + daemon.iloArguments("authority-fr-user"), environment: environment)
        #expect(inbox.status == 0, "\(inbox.stderr)")
        let ids = ((try? JSONValue(parsing: inbox.stdout))?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
        #expect(ids.count == 520 && Set(ids).count == 520, "\(ids.count)")
        let again = run(TestEnvironment.ilo, ["inbox", "--json"] + daemon.iloArguments("authority-fr-user"), environment: environment)
        #expect(again.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(again.output)")
    }

    /// Finding 5: FETCHes pipelined by a client that reads nothing are not all
    /// answered into memory: the in-flight limit and the unsent-bytes limit hold.
    @Test func pipelinedRequestsFromAClientThatReadsNothingDoNotFillMemory() throws {
        let daemon = try Daemon(extraConfig: "limits.max-inflight-per-connection 4")
        try daemon.start()
        try daemon.register("authority-fr-user", subscribing: "#")
        try publish(daemon, 150, kilobytes: 20)  // about 3 MB waiting: each FETCH answer is up to a frame (1 MiB)
        let before = residentKilobytes(daemon.pid)
        let reader = try daemon.client("authority-fr-user")
        var burst: [UInt8] = []
        for id in 1...300 { burst += Frame(type: MessageType.fetch.rawValue, requestID: UInt32(id), payload: Array(#"{"limit":500}"#.utf8)).encoded() }
        try reader.sendRaw(burst)
        usleep(2_000_000)
        let after = residentKilobytes(daemon.pid)
        // Unbounded, 300 answers of about 1 MiB each would be held: some 300 MB.
        #expect(after - before < 64 * 1024, "node RSS grew by \(after - before) KB")
        // Another officer is served meanwhile.
        #expect(try daemon.client("officer-it").request(.ping).type == .pong)
        withExtendedLifetime(reader) {}
    }

    /// Issue 27, item 10: pipelined requests whose answers are never read hold at
    /// most limits.max-answer-bytes-per-connection each, with the node's default
    /// limits (1,024 requests in flight): three such connections of one identity
    /// raise the node's memory by less than 64 MiB, it is given back when they
    /// close, and an officer is served meanwhile.
    @Test func answersNeverReadHoldBoundedBytesPerConnectionAndIdentity() throws {
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("authority-fr-user", subscribing: "#")
        try publish(daemon, 150, kilobytes: 20)  // about 3 MB waiting: each FETCH answer fills a frame (1 MiB)
        let before = residentKilobytes(daemon.pid)
        var burst: [UInt8] = []
        for id in 1...300 { burst += Frame(type: MessageType.fetch.rawValue, requestID: UInt32(id), payload: Array(#"{"limit":500}"#.utf8)).encoded() }
        var readers: [ClientConnection] = []
        for _ in 0..<3 {
            let reader = try daemon.client("authority-fr-user")
            try reader.sendRaw(burst)
            readers.append(reader)
        }
        usleep(3_000_000)
        let during = residentKilobytes(daemon.pid)
        // Unbounded, 3 × 300 answers of about 1 MiB each would be held: some 900 MB.
        #expect(during - before < 64 * 1024, "node RSS grew by \(during - before) KB")
        #expect(try daemon.client("officer-it").request(.publish, ["report": sampleReport()]).type == .accepted)
        for reader in readers { reader.close() }
        readers.removeAll()
        print("answers never read: RSS before \(before) KB, with 3 connections \(during) KB")
        #expect(waitFor(15) { residentKilobytes(daemon.pid) - before < 32 * 1024 }, "memory kept after the connections closed: \(residentKilobytes(daemon.pid) - before) KB")
    }

    /// Issue 27, item 11: a FETCH reads from the store only the reports that fit
    /// in its answer: 8 concurrent FETCHes of 500 over reports of 230 KB raise
    /// the node's memory by less than 128 MiB (they loaded every candidate: 586 MB).
    @Test func aFetchLoadsOnlyWhatFitsItsFrame() throws {
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("authority-fr-user", subscribing: "#")
        try publish(daemon, 1)
        daemon.stop()
        // 300 reports of 230 KB each, all waiting for France's contact point.
        try daemon.copyReports(times: 300, document: "CAST(json_set(CAST(r.document AS TEXT), '$.body.padding', printf('%.230000c', 'x')) AS BLOB)")
        let filled = run("/usr/bin/sqlite3", [daemon.storePath, """
            INSERT INTO deliveries (identity, report_seq, priority, queued_ms)
                SELECT 'ncp.fr.bernard', seq, priority, received_ms FROM reports WHERE id LIKE '%-%-%-%-%-%';
            """])
        try #require(filled.status == 0, "\(filled.output)")
        try daemon.start()
        let before = residentKilobytes(daemon.pid)
        var readers: [ClientConnection] = []
        for _ in 0..<8 {
            let reader = try daemon.client("authority-fr-user")
            try reader.send(Frame(type: MessageType.fetch.rawValue, requestID: 1, payload: Array(#"{"limit":500}"#.utf8)))
            readers.append(reader)
        }
        for reader in readers {
            let batch = try Message(frame: try reader.receiveFrame())
            let count = batch.body["reports"]?.arrayValue?.count ?? 0
            #expect(batch.type == .batch && count >= 1 && count <= 5 && batch.body["more"] == .bool(true), "\(count) reports")
        }
        let after = residentKilobytes(daemon.pid)
        print("8 FETCHes of 500 over reports of 230 KB: RSS before \(before) KB, after \(after) KB")
        #expect(after - before < 128 * 1024, "node RSS grew by \(after - before) KB")
    }

    /// Finding 7: sockets that never finish a handshake cannot take every slot.
    @Test func socketsWithoutACertificateLeaveSlotsForAuthenticatedUsers() throws {
        // The node's own limits, with every socket handed over at once (no TCP_DEFER_ACCEPT).
        let daemon = try Daemon(extraConfig: "limits.max-connections 40\nlimits.max-handshaking-per-address 8\nlimits.defer-accept off")
        try daemon.start()
        // Another host (127.0.0.2) opens 40 plain TCP connections and sends nothing.
        let held = try (0..<40).map { _ in try rawConnection(port: daemon.port, from: "127.0.0.2") }
        defer { for fd in held { close(fd) } }
        usleep(300_000)
        let open = held.filter { !peerClosed($0) }.count
        #expect(open <= 8, "\(open) plain connections from one address are held")
        // An officer from another address gets in at once.
        #expect(try daemon.client("officer-de").request(.ping).type == .pong)
        #expect(daemon.log.contains("a socket that sent nothing makes room"))

        // Overall: with many addresses, unfinished handshakes stop at a quarter of the slots.
        let spread = try (0..<40).map { i in try rawConnection(port: daemon.port, from: "127.0.1.\(1 + i % 20)") }
        defer { for fd in spread { close(fd) } }
        usleep(300_000)
        #expect(try daemon.client("officer-it").request(.ping).type == .pong)
    }

    /// Issue 27, item 12: 1,000 plain TCP sockets from one address, reopened as
    /// soon as the node closes them, keep nobody out: a socket that has sent
    /// nothing is the first to go when slots are full, whatever its age, so an
    /// officer behind the same address (a post's NAT) and one at another address
    /// each get in at least 23 times out of 24.
    @Test(arguments: ["limits.defer-accept 1s", "limits.defer-accept off"])
    func silentSocketsReopenedAtOnceLeaveRoomForOfficersAtTheSameAddress(_ deferral: String) throws {
        // Default: the kernel keeps silent sockets from the node (TCP_DEFER_ACCEPT);
        // "off": the node's own rule alone, every socket handed over at once.
        let daemon = try Daemon(extraConfig: deferral)
        try daemon.start()
        let port = daemon.port
        let stop = Atomic<Bool>(false)
        let opened = Atomic<Int>(0)
        let attacker = Thread {
            // At the lowest priority: the attacker stands for another host, not for this machine's CPU.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)  // Linux: 0 is the calling thread
            var sockets: [Int32] = []
            while !stop.load(ordering: .relaxed) {
                sockets = sockets.filter { fd in
                    if peerClosed(fd) { close(fd); return false }
                    return true
                }
                while sockets.count < 1000, !stop.load(ordering: .relaxed), let fd = try? rawConnection(port: port, from: "127.0.0.1") {
                    sockets.append(fd)
                    opened.add(1, ordering: .relaxed)
                }
                usleep(5000)
            }
            for fd in sockets { close(fd) }
        }
        attacker.start()
        defer { stop.store(true, ordering: .relaxed) }
        while opened.load(ordering: .relaxed) < 1000 { usleep(50_000) }
        usleep(3_000_000)  // the attack is under way: deferred sockets handed over, slots full, sockets reopened
        for source in ["127.0.0.1", "127.0.0.2"] {
            var succeeded = 0
            for _ in 0..<24 {
                var options = daemon.pki.clientOptions("officer-de", port: port)
                options.sourceAddress = source
                options.timeout = 5
                do {
                    if try ClientConnection(options).request(.ping).type == .pong { succeeded += 1 }
                } catch {
                    print("officer from \(source) refused: \(error)")
                }
            }
            print("officer from \(source) (\(deferral)): \(succeeded) of 24 connected while the attack opened \(opened.load(ordering: .relaxed)) sockets")
            #expect(succeeded >= 23, "from \(source): \(succeeded) of 24")
        }
        #expect(daemon.log.contains("a socket that sent nothing makes room"))
    }

    /// Finding 8: a frame trickled a byte at a time is cut off at limits.frame-timeout.
    @Test func aFrameTrickledSlowlyIsCutOff() throws {
        let daemon = try Daemon(extraConfig: "limits.frame-timeout 2s")
        try daemon.start()
        let officer = try daemon.client("officer-de")
        let frame = Frame(type: MessageType.ping.rawValue, requestID: 9, payload: Array(#"{}"#.utf8)).encoded()
        let started = Date()
        var closed = false
        for byte in frame.dropLast() {
            do throws(ClientError) {
                try officer.sendRaw([byte])
            } catch {
                closed = true
                break
            }
            usleep(500_000)
            if Date().timeIntervalSince(started) > 6 { break }
        }
        let answer = try? Message(frame: try officer.receiveFrame())
        #expect(answer?.type == .error && answer?.body["code"]?.stringValue == "timeout", "\(String(describing: answer)) closed=\(closed)")
        #expect(Date().timeIntervalSince(started) < 6)
        #expect(daemon.log.contains("limits.frame-timeout"))
    }

    /// Finding 3: subscriptions per identity are limited, and a refusal says why.
    @Test func subscriptionsPerIdentityAreLimited() throws {
        let daemon = try Daemon(extraConfig: "limits.max-subscriptions-per-identity 50")
        try daemon.start()
        let officer = try daemon.client("officer-de")  // holds one implicit subscription: +/LY/#
        var refusals: [ProtocolError] = []
        for i in 0..<60 {
            if let refused = refusal({ () throws(ClientError) in try officer.request(.subscribe, ["filter": .string("smuggling/LY/route\(i)")]) }) {
                refusals.append(refused)
            }
        }
        #expect(refusals.count == 11, "\(refusals.count) refused")
        #expect(refusals.allSatisfy { $0.code == .subscriptionLimit && $0.message.contains("limits.max-subscriptions-per-identity") })
        #expect(daemon.count("SELECT count(*) FROM subscriptions WHERE identity = 'officer.de.mueller'") == 50)
        // Changing one it holds is not a new one.
        #expect(try officer.request(.subscribe, ["filter": "smuggling/LY/route1"]).type == .ok)
        // Others are not affected.
        #expect(try daemon.client("officer-it").request(.subscribe, ["filter": "smuggling/LY/#"]).type == .ok)
    }


    /// Finding 4: long reads run beside the writer. 40 pipelined 100-year
    /// previews over 30,000 reports made another officer's publish wait 13.7 s
    /// when they ran on the writer's thread. Here 16 of them take about 4 s of
    /// reading in all (printed); the bound on the publish (2 s) is loose on
    /// purpose, for a shared machine: the figures are the abuse benchmark's.
    @Test func longReadsDoNotDelayAnotherIdentitysAcknowledgements() throws {
        let daemon = try Daemon(extraConfig: "limits.read-budget 120s")
        try daemon.start()
        try publish(daemon, 10)
        daemon.stop()
        // 30,000 more reports, copied in SQL while the node is stopped.
        try daemon.copyReports(times: 3000, receivedEarlier: true)
        try daemon.start()
        #expect(daemon.count("SELECT count(*) FROM reports") == 30_010)

        let board = try daemon.client("board-fr")
        var burst: [UInt8] = []
        for id in 1...16 {
            burst += Frame(type: MessageType.digestPreview.rawValue, requestID: UInt32(id), payload: Array(##"{"filter":"#","since":"36500d"}"##.utf8)).encoded()
        }
        try board.sendRaw(burst)
        usleep(200_000)
        let officer = try daemon.client("officer-it")
        var slowest = 0.0
        for _ in 0..<5 {
            let started = Date()
            #expect(try officer.request(.publish, ["report": sampleReport(kind: "border", country: "TN")]).type == .accepted)
            slowest = max(slowest, Date().timeIntervalSince(started))
        }
        print("long reads: slowest publish→ack of 5 with 16 previews of 30,010 reports in flight: \(Int(slowest * 1000)) ms")
        #expect(slowest < 2, "a publish waited \(slowest) s behind previews")
        // The previews are answered too.
        var answered = 0
        let readStart = Date()
        while answered < 16, let frame = try? board.receiveFrame() {
            if (try? Message(frame: frame))?.type == .digest { answered += 1 }
        }
        print("long reads: 16 previews answered after \(Int(Date().timeIntervalSince(readStart) * 1000)) ms more")
        #expect(answered == 16)
    }


    /// A long read stops at limits.read-budget and says what to narrow.
    @Test func aReadOverItsBudgetIsRefusedWithWhatToNarrow() throws {
        let daemon = try Daemon(extraConfig: "limits.read-budget 1ms")
        try daemon.start()
        try publish(daemon, 10)
        daemon.stop()
        try daemon.copyReports(times: 1000, receivedEarlier: true)
        try daemon.start()
        let board = try daemon.client("board-fr")
        let refused = refusal { () throws(ClientError) in try board.request(.digestPreview, ["filter": "#", "since": "36500d"]) }
        #expect(refused?.code == .overBudget && refused?.message.contains("limits.read-budget") == true, "\(String(describing: refused))")
        #expect(try board.request(.ping).type == .pong)
    }

}

/// The node's resident memory (VmRSS) in KB.
func residentKilobytes(_ pid: Int32) -> Int {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

/// AnswerBudget's reserve, as the tests read it (the type is internal).
enum AnswerBudgetForTests { static let reserve = 4096 }
