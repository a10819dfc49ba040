import Foundation
import Synchronization
import Glibc
import ILONet
import Testing

/// A store that knows when it is damaged (issue 14, finding 9; docs/OPERATIONS.md §8):
/// checked at start, failed for good when its files are removed or replaced or
/// SQLite calls it damaged, and recovered by scripts/recover-store.sh.
@Suite(.serialized) struct StoreIntegrityTests {
    static let recoverScript = TestEnvironment.repository.appendingPathComponent("scripts/recover-store.sh").path

    func recover(_ daemon: Daemon) -> (status: Int32, output: String, stdout: String, stderr: String) {
        run("/bin/bash", [Self.recoverScript, daemon.storePath], environment: ProcessInfo.processInfo.environment.merging(["ILO": TestEnvironment.ilo]) { $1 })
    }

    /// Overwrites one 4 KiB page of the database file with other bytes.
    func damagePage(_ path: String, page: Int) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seek(toOffset: UInt64(page * 4096))
        try handle.write(contentsOf: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }))
        try handle.close()
    }

    @Test func aDamagedStoreIsRefusedAtStartAndTheScriptRecoversIt() throws {
        let daemon = try Daemon()
        try daemon.start()
        let officer = try daemon.client("officer-de")
        for i in 0..<300 { _ = try officer.request(.publish, ["report": sampleReport(headline: "report \(i)")]) }
        officer.close()
        #expect(daemon.stop() == 0)
        let pages = Int((try FileManager.default.attributesOfItem(atPath: daemon.storePath)[.size] as? NSNumber)?.intValue ?? 0) / 4096
        try #require(pages > 20, "\(pages) pages")
        try damagePage(daemon.storePath, page: pages / 2)

        // Refused at start, saying what to do.
        #expect(throws: DaemonError.self) { try daemon.start() }
        #expect(daemon.log.contains("is damaged") && daemon.log.contains("scripts/recover-store.sh"), "\(daemon.log)")

        let recovered = recover(daemon)
        #expect(recovered.status == 0, "\(recovered.output)")
        #expect(recovered.stdout.contains("recovered store in place") && recovered.stdout.contains("reports"), "\(recovered.output)")
        try daemon.start()
        #expect(daemon.log.contains("msg=\"store checked\" check=quick_check result=ok"))
        let kept = daemon.count("SELECT count(*) FROM reports")
        #expect(kept > 0 && kept <= 300, "\(kept) reports after recovery: \(recovered.output)")
        #expect(try daemon.client("officer-de").request(.publish, ["report": sampleReport()]).type == .accepted)
    }

    @Test func theWALRemovedUnderARunningNodeStopsAcknowledgementsUntilRecovered() throws {
        let daemon = try Daemon()
        try daemon.start()
        let officer = try daemon.client("officer-de")
        for _ in 0..<5 { #expect(try officer.request(.publish, ["report": sampleReport()]).type == .accepted) }
        try FileManager.default.removeItem(atPath: daemon.storePath + "-wal")

        #expect(waitFor(5) { daemon.log.contains("store failed: acknowledging nothing") }, "\(daemon.log)")
        #expect(daemon.log.contains("was removed under the running node"))
        do throws(ClientError) {
            _ = try officer.request(.publish, ["report": sampleReport()])
            Issue.record("a report was acknowledged by a failed store")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.code == .storeUnavailable && refusal.message.contains("damaged"), "\(refusal)")
        }
        let status = run(TestEnvironment.ilo, ["status"] + daemon.iloArguments("admin"))
        #expect(status.status == 0 && status.stdout.contains("STORE FAILED") && status.stdout.contains("docs/OPERATIONS.md"), "\(status.output)")
        let marker = (try? String(contentsOfFile: StoreHealth.markerPath(for: daemon.storePath), encoding: .utf8)) ?? ""
        #expect(marker.contains("was removed under the running node") && marker.contains("everything acknowledged was copied into the database file"), "\(marker)")

        // It refuses to start on that store again until the recovery ran.
        daemon.stop()
        #expect(throws: DaemonError.self) { try daemon.start() }
        #expect(daemon.log.contains("marked damaged by the running node"), "\(daemon.log)")
        let recovered = recover(daemon)
        #expect(recovered.status == 0, "\(recovered.output)")
        try daemon.start()
        // The five acknowledged reports were rescued from the removed WAL.
        #expect(daemon.count("SELECT count(*) FROM reports") == 5, "\(recovered.output)")
        #expect(try daemon.client("officer-de").request(.publish, ["report": sampleReport()]).type == .accepted)
    }

    /// Issue 27, item 13: reports acknowledged while the WAL is removed under the
    /// node — four connections publishing without pause — are all there after the
    /// recovery: the store fails before the rescue checkpoint, and a batch that
    /// would commit after the failure rolls back instead of being acknowledged.
    @Test(arguments: 1...3)
    func everyReportAcknowledgedWhileTheWALIsRemovedSurvives(_ round: Int) throws {
        let daemon = try Daemon()
        try daemon.start()
        let acknowledged = Mutex<Set<String>>([])
        let afterRemoval = Atomic<Int>(0)
        let removed = Atomic<Bool>(false)
        // Each publisher keeps 50 reports in flight (pipelined), so that a batch is
        // always waiting for the store when the WAL goes.
        let publishers = (0..<4).map { index in
            Thread {
                guard let client = try? daemon.client(index % 2 == 0 ? "officer-de" : "officer-it") else { return }
                var nextID: UInt32 = 1
                var waiting: [UInt32: String] = [:]
                func send() -> Bool {
                    let report = sampleReport(headline: "publisher \(index)")
                    let frame = Message(.publish, requestID: nextID, ["report": report]).frame
                    guard (try? client.send(frame)) != nil else { return false }
                    waiting[nextID] = report["id"]!.stringValue!
                    nextID += 1
                    return true
                }
                for _ in 0..<50 where !send() { return }
                while let frame = try? client.receiveFrame(), let id = waiting.removeValue(forKey: frame.requestID) {
                    guard frame.type == MessageType.accepted.rawValue else { continue }
                    acknowledged.withLock { _ = $0.insert(id) }
                    if removed.load(ordering: .relaxed) { afterRemoval.add(1, ordering: .relaxed) }
                    guard send() else { return }
                }
            }
        }
        for publisher in publishers { publisher.start() }
        #expect(waitFor(10) { acknowledged.withLock { $0.count } >= 200 })
        try FileManager.default.removeItem(atPath: daemon.storePath + "-wal")
        removed.store(true, ordering: .relaxed)
        #expect(waitFor(10) { daemon.log.contains("store failed: acknowledging nothing") }, "\(daemon.log)")
        usleep(500_000)  // the publishers see their refusals and stop
        // Killed, not stopped: SQLite's checkpoint when the last connection closes
        // would copy the removed WAL once more and hide what the rescue missed.
        daemon.kill()
        let ids = acknowledged.withLock { $0 }
        print("WAL removed: \(ids.count) reports acknowledged, \(afterRemoval.load(ordering: .relaxed)) of them after the removal")
        let recovered = recover(daemon)
        #expect(recovered.status == 0, "\(recovered.output)")
        try daemon.start()
        let stored = Set(daemon.query("SELECT id FROM reports").split(separator: "\n").map(String.init))
        let lost = ids.subtracting(stored)
        #expect(lost.isEmpty, "\(lost.count) acknowledged reports lost: \(lost.sorted().prefix(5))")
    }

    /// A store over 64 MiB is checked beside serving (a restart of a big store
    /// answers at once, issue 20); damage the check finds fails the store as
    /// damage met while running does, marker and all.
    @Test func aLargeStoreIsCheckedBesideServingAndDamageStillStopsIt() throws {
        let daemon = try Daemon()
        try daemon.start()
        let officer = try daemon.client("officer-de")
        for i in 0..<20 { #expect(try officer.request(.publish, ["report": sampleReport(headline: "report \(i)")]).type == .accepted) }
        officer.close()
        #expect(daemon.stop() == 0)
        _ = daemon.query(
            "CREATE TABLE filler (b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 70) INSERT INTO filler SELECT zeroblob(1048576) FROM n;")
        let pages = Int((try FileManager.default.attributesOfItem(atPath: daemon.storePath)[.size] as? NSNumber)?.intValue ?? 0) / 4096
        try #require(pages > 70 * 256, "\(pages) pages")
        try damagePage(daemon.storePath, page: pages / 2)

        try daemon.start()
        #expect(daemon.log.contains("store check running beside serving"), "\(daemon.log)")
        #expect(try daemon.client("admin").request(.ping).type == .pong)
        // The check begins 5 s after the start (StartCheck.delay).
        #expect(waitFor(40) { daemon.log.contains("store failed: acknowledging nothing") }, "\(daemon.log)")
        let marker = (try? String(contentsOfFile: StoreHealth.markerPath(for: daemon.storePath), encoding: .utf8)) ?? ""
        #expect(marker.contains("PRAGMA quick_check at start found the database damaged"), "\(marker)")
        let officerAgain = try daemon.client("officer-de")
        do throws(ClientError) {
            _ = try officerAgain.request(.publish, ["report": sampleReport()])
            Issue.record("a report was acknowledged by a failed store")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.code == .storeUnavailable, "\(refusal)")
        }
    }

    @Test func anEmergencyStartSkipsTheCheckAndSaysSo() throws {
        let daemon = try Daemon()
        try daemon.start(arguments: ["--skip-store-check"])
        #expect(daemon.log.contains("store not checked at start (--skip-store-check)"))
    }
}
