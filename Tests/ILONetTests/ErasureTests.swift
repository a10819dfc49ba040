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

    @Test func aCaseReportIsErasedAtItsEraseByDateFromTheDatabaseAndTheWAL() throws {
        let daemon = try Daemon(extraConfig: "queue.expiry-sweep 200ms")
        let clock = daemon.directory + "/clock"
        let now = Timestamp.nowMilliseconds()
        try Timestamp.format(milliseconds: now).write(toFile: clock, atomically: true, encoding: .utf8)
        daemon.environment["ILONET_CLOCK_FILE"] = clock
        try daemon.start()

        let marker = "ERASE-ME-\(UUID().uuidString.prefix(8))"
        let tomorrow = String(Timestamp.format(milliseconds: now + 86_400_000).prefix(10))
        let report = sampleReport(
            ["data_class": "case", "purpose": "return-passenger-list", "erase_by": .string(tomorrow), "addressees": ["ncp.de.schmidt"],
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
        try daemon.register("board-fr", subscribing: "border/#")
        let marker = "RETAIN-\(UUID().uuidString.prefix(8))"
        let report = sampleReport(["headline": .string(marker)], kind: "border")
        let id = try #require(report["id"]?.stringValue)
        #expect(try daemon.client("officer-de").request(.publish, ["report": report]).type == .accepted)
        // Kept while the board member has not read it.
        usleep(1_500_000)
        #expect(daemon.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 1)
        let reader = try daemon.client("board-fr")
        #expect(try reader.request(.confirm, ["ids": [.string(id)]]).type == .ok)
        #expect(waitFor(10) { daemon.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 0 })
        #expect(waitFor(10) { storeFilesContain(daemon, marker).isEmpty }, "marker still in \(storeFilesContain(daemon, marker))")
        #expect(daemon.query("SELECT reason FROM erased WHERE id = '\(id)'") == "retention period over")
    }
}
