import Foundation
import Glibc
import ILONet
import Testing

/// Retention and erasure (docs/RELIABILITY.md §7): erased reports leave nothing
/// in the database file or its WAL but their audit record.
@Suite(.serialized) struct ErasureTests {
    /// Whether any of the store's files contains `marker`.
    func storeFilesContain(_ daemon: Daemon, _ marker: String) -> [String] {
        let needle = Data(marker.utf8)
        return ["", "-wal", "-shm"].compactMap { suffix in
            let path = daemon.storePath + suffix
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            return data.range(of: needle) != nil ? path : nil
        }
    }

    /// Starts `daemon` on a clock read from a file (ILONET_CLOCK_FILE), set to now.
    func startWithClock(_ daemon: Daemon) throws -> (clock: String, now: Int64) {
        let clock = daemon.directory + "/clock"
        let now = Timestamp.nowMilliseconds()
        try Timestamp.format(milliseconds: now).write(toFile: clock, atomically: true, encoding: .utf8)
        daemon.environment["ILONET_CLOCK_FILE"] = clock
        try daemon.start()
        return (clock, now)
    }

    @Test func aCaseReportIsErasedAtItsEraseByDateFromTheDatabaseAndTheWAL() throws {
        let daemon = try Daemon(extraConfig: "queue.expiry-sweep 200ms")
        let (clock, now) = try startWithClock(daemon)

        let marker = "ERASE-ME-\(UUID().uuidString.prefix(8))"
        let tomorrow = String(Timestamp.format(milliseconds: now + 86_400_000).prefix(10))
        let report = sampleReport(
            ["personal_data": "return-passenger-list", "erase_by": .string(tomorrow), "addressees": ["ncp.de.schmidt"],
             "body.passenger_list": [["name": .string(marker), "nationality": "NG"]]], kind: "return")
        let id = try #require(report["id"]?.stringValue)
        let client = try daemon.client("officer-de")
        #expect(try client.request(.publish, ["report": report]).type == .accepted)
        // Positive control: the marker is on disk now.
        #expect(!storeFilesContain(daemon, marker).isEmpty)

        // The day after the erase-by date.
        try Timestamp.format(milliseconds: now + 2 * 86_400_000).write(toFile: clock, atomically: true, encoding: .utf8)
        #expect(waitFor(10) { daemon.log.contains("msg=\"report erased\" report=\(id)") }, "\(daemon.log)")
        #expect(waitFor(10) { daemon.log.contains("WAL truncated after erasure") }, "\(daemon.log)")
        #expect(daemon.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 0)
        #expect(storeFilesContain(daemon, marker).isEmpty, "marker still in \(storeFilesContain(daemon, marker))")

        // A copy arriving again is acknowledged, not stored again.
        #expect(try client.request(.publish, ["report": report]).type == .accepted)
        #expect(daemon.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 0)

        // Only the audit record says what happened.
        let story = run(TestEnvironment.ilo, ["audit", "show", "--report", id, "--store", daemon.storePath])
        #expect(story.stdout.contains("erase") && story.stdout.contains("erase-by date reached"), "\(story.output)")
        #expect(!story.stdout.contains(marker))
        #expect(run(TestEnvironment.ilo, ["audit", "verify", "--store", daemon.storePath]).status == 0)
    }

    @Test func aDeliveredReportIsErasedAfterTheRetentionPeriod() throws {
        let daemon = try Daemon(extraConfig: "queue.expiry-sweep 200ms\nretention.delivered 1s")
        try daemon.start()
        try daemon.register("authority-fr-user", subscribing: "border/#")
        let marker = "RETAIN-\(UUID().uuidString.prefix(8))"
        let report = sampleReport(["headline": .string(marker)], kind: "border")
        let id = try #require(report["id"]?.stringValue)
        #expect(try daemon.client("officer-de").request(.publish, ["report": report]).type == .accepted)
        // Kept while the board member has not read it.
        usleep(1_500_000)
        #expect(daemon.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 1)
        let reader = try daemon.client("authority-fr-user")
        #expect(try reader.request(.confirm, ["ids": [.string(id)]]).type == .ok)
        #expect(waitFor(10) { daemon.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 0 })
        #expect(waitFor(10) { storeFilesContain(daemon, marker).isEmpty }, "marker still in \(storeFilesContain(daemon, marker))")
        #expect(daemon.query("SELECT reason FROM erased WHERE id = '\(id)'") == "retention period over")
    }

    /// Erasure reaches every copy (issue 13): a quarantined copy of a case report
    /// goes at its erase-by date, and a digest that listed an erased report keeps
    /// its id but loses its headline.
    @Test func erasureReachesQuarantinedCopiesAndDigestHeadlines() throws {
        let daemon = try Daemon(extraConfig: "queue.expiry-sweep 200ms\nretention.delivered 1s\npeer regional-na.ilonet.example")
        let (clock, now) = try startWithClock(daemon)
        try daemon.register("authority-fr-user", subscribing: "border/#")
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = daemon.directory + "/state-authority-fr-user"
        let subscribed = run(TestEnvironment.ilo, ["subscribe", "#", "--digest", "daily"] + daemon.iloArguments("authority-fr-user"), environment: environment)
        #expect(subscribed.status == 0, "\(subscribed.output)")

        // A case report signed by its author, altered on the way: the relay's FORWARD is quarantined.
        let caseMarker = "QUARANTINE-\(UUID().uuidString.prefix(8))"
        let tomorrow = String(Timestamp.format(milliseconds: now + 86_400_000).prefix(10))
        let pki = TestEnvironment.pki
        let author = try PeerIdentity(certificateFile: pki.path("officer-de.crt"))
        let credentials = try TLSCredentials(certificate: pki.path("officer-de.crt"), privateKey: pki.path("officer-de.key"), checkKeyPermissions: false)
        let caseReport = sampleReport(
            ["personal_data": "return-passenger-list", "erase_by": .string(tomorrow), "addressees": ["ncp.de.schmidt"],
             "body.passenger_list": [["name": .string(caseMarker), "nationality": "NG"]]], kind: "return")
        guard case .object(var altered) = try credentials.sign(try Report.validate(caseReport, sender: Origin(author))).document else { return }
        altered["headline"] = "changed on the way"
        let relay = try daemon.client("regional-na")
        do throws(ClientError) {
            _ = try relay.request(.forward, ["report": .object(altered), "path": ["post-tripoli.ilonet.example", "regional-na.ilonet.example"]])
            Issue.record("an altered report was accepted")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.code == .badSignature)
        }
        let caseID = try #require(caseReport["id"]?.stringValue)
        #expect(waitFor(10) { daemon.count("SELECT count(*) FROM quarantine WHERE report_id = '\(caseID)'") == 1 })
        #expect(!storeFilesContain(daemon, caseMarker).isEmpty)  // positive control

        // A strategic report that a digest will list.
        let headlineMarker = "DIGESTED-\(UUID().uuidString.prefix(8))"
        let listed = sampleReport(["country": "TN", "headline": .string(headlineMarker)], kind: "border")
        let listedID = try #require(listed["id"]?.stringValue)
        #expect(try daemon.client("officer-de").request(.publish, ["report": listed]).type == .accepted)

        // The day ends: the digest is written, and the case report's erase-by date has begun.
        let today = now - now % 86_400_000
        try Timestamp.format(milliseconds: today + 86_400_000 + 30_000).write(toFile: clock, atomically: true, encoding: .utf8)
        #expect(waitFor(10) { daemon.log.contains("digest delivered") }, "\(daemon.log)")
        #expect(daemon.count("SELECT count(*) FROM reports WHERE kind = 'digest' AND instr(CAST(document AS TEXT), '\(headlineMarker)') > 0") == 1)
        #expect(waitFor(10) { daemon.count("SELECT count(*) FROM quarantine WHERE report_id = '\(caseID)'") == 0 })
        #expect(daemon.query("SELECT detail FROM audit WHERE event = 'erase' AND report_id = '\(caseID)'") == "erase-by date reached (quarantined copy)")

        // The board member reads the report; after the retention period it is erased, and so is its headline in the digest.
        #expect(try daemon.client("authority-fr-user").request(.confirm, ["ids": [.string(listedID)]]).type == .ok)
        #expect(waitFor(10) { daemon.count("SELECT count(*) FROM reports WHERE id = '\(listedID)'") == 0 })
        #expect(daemon.count("SELECT count(*) FROM reports WHERE kind = 'digest' AND instr(CAST(document AS TEXT), '\(listedID)') > 0") == 1)
        #expect(daemon.count("SELECT count(*) FROM reports WHERE kind = 'digest' AND instr(CAST(document AS TEXT), '(erased)') > 0") == 1)
        #expect(waitFor(10) { storeFilesContain(daemon, headlineMarker).isEmpty && storeFilesContain(daemon, caseMarker).isEmpty },
            "markers still in \(storeFilesContain(daemon, headlineMarker) + storeFilesContain(daemon, caseMarker))")
    }
}
