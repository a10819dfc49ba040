import Foundation
import Glibc
import Testing
@testable import ILONet

/// Bad links and bad disks (docs/RELIABILITY.md §2): a post's uplink through
/// `FlakyLink` (cuts mid-frame, blackholing, latency and a bandwidth cap), and a
/// store on a small tmpfs that fills up or turns read-only.
@Suite(.serialized) struct FaultInjectionTests {
    /// The regional hub, and a post node whose uplink to it runs through a FlakyLink.
    struct Uplink {
        let regional: Daemon
        let post: Daemon
        let link: FlakyLink

        init(postConfig: String = "") throws {
            regional = try Daemon(
                extraConfig: "peer post-tripoli.ilonet.example\n" + TestNetwork.fast, certificate: "regional-na", role: "regional-hub")
            try regional.start()
            link = try FlakyLink(to: regional.port)
            post = try Daemon(
                extraConfig: """
                    peer regional-na.ilonet.example 127.0.0.1:\(link.port)
                    routes \(TestEnvironment.repository.path)/config/network/post-tripoli.routes
                    \(TestNetwork.fast)
                    \(postConfig)
                    """, certificate: "post-tripoli", role: "post")
            try post.start()
        }

        /// Publishes `count` reports of about 2 KB to the post node; returns their ids.
        func publish(_ count: Int, _ label: String) throws -> Set<String> {
            let client = try post.client("officer-de")
            var ids = Set<String>()
            for n in 0..<count {
                let report = sampleReport(["headline": .string("\(label) \(n)"), "body.modus_operandi": .string(String(repeating: "m", count: 1800))])
                let answer = try client.request(.publish, ["report": report])
                #expect(answer.type == .accepted)
                ids.insert(report["id"]!.stringValue!)
            }
            return ids
        }

        /// Every id arrived at the regional hub exactly once and left the post's queue.
        func expectArrivedOnce(_ ids: Set<String>, within seconds: Double) {
            #expect(waitFor(seconds) { regional.count("SELECT count(*) FROM reports") == ids.count }, "\(regional.count("SELECT count(*) FROM reports")) of \(ids.count)")
            #expect(regional.count("SELECT count(DISTINCT id) FROM reports") == ids.count)
            #expect(Set(regional.query("SELECT id FROM reports").split(separator: "\n").map(String.init)) == ids)
            #expect(waitFor(10) { post.count("SELECT count(*) FROM outbound") == 0 })
        }

        /// Reports the regional hub received again after it had already committed them.
        var receivedAgain: Int { regional.log.components(separatedBy: "report already held").count - 1 }
    }

    @Test func transfersResumeAfterCutsMidFrameWithoutLossOrDuplication() throws {
        let uplink = try Uplink()
        // Every connection is cut after 30 KB towards the hub: mid-frame, a dozen reports in.
        uplink.link.settings.withLock { $0.cutAfterBytes = 30_000 }
        let ids = try uplink.publish(200, "Cut")
        uplink.expectArrivedOnce(ids, within: 90)
        let cuts = uplink.link.counters.withLock { $0.cuts }
        #expect(cuts >= 8, "only \(cuts) cuts; the test did not test much")
        // Only a report in flight at a cut can go again (link.window is 8): what
        // was acknowledged is never sent again.
        #expect(uplink.receivedAgain <= cuts * 8, "\(uplink.receivedAgain) received again over \(cuts) cuts")
        let bytes = uplink.link.counters.withLock { $0.bytesToTarget }
        #expect(bytes < 200 * 2600 + cuts * (8 * 2600 + 6000), "\(bytes) bytes sent for 200 reports over \(cuts) cuts")
    }

    @Test func aBlackholedUplinkIsGivenUpAndTheQueueDrainsWhenTheRouteReturns() throws {
        let uplink = try Uplink(postConfig: "link.answer-timeout 2s\nlimits.handshake-timeout 2s\nlimits.hello-timeout 1s")
        let first = try uplink.publish(5, "Before")
        uplink.expectArrivedOnce(first, within: 20)
        // The path starts swallowing everything; nothing is closed.
        uplink.link.settings.withLock { $0.blackhole = true }
        let during = try uplink.publish(20, "Blackholed")
        #expect(waitFor(15) { uplink.post.log.contains("peer stopped answering; closing the link") }, "the post never noticed")
        #expect(uplink.regional.count("SELECT count(*) FROM reports") == 5)
        // New attempts reach TCP but never a WELCOME: each is given up in time.
        #expect(waitFor(15) { uplink.post.log.contains("no WELCOME from regional-na.ilonet.example") })
        #expect(uplink.post.count("SELECT count(*) FROM outbound") == 20)
        uplink.link.settings.withLock { $0.blackhole = false }
        uplink.expectArrivedOnce(first.union(during), within: 30)
        #expect(uplink.receivedAgain <= 8)
    }

    @Test func aSlowLongUplinkDeliversEverythingOnceWithoutGivingUp() throws {
        // 300 ms each way and 32 KB/s: a satellite link on a bad day.
        let uplink = try Uplink(postConfig: "link.answer-timeout 3s")
        uplink.link.settings.withLock {
            $0.delay = 0.3
            $0.bytesPerSecond = 32_000
        }
        let ids = try uplink.publish(40, "Slow")
        uplink.expectArrivedOnce(ids, within: 60)
        #expect(!uplink.post.log.contains("peer stopped answering"))
        #expect(uplink.link.counters.withLock { $0.connections } == 1, "the link was dropped and dialled again")
        #expect(uplink.receivedAgain == 0)
    }

    // MARK: Disks

    @Test(.enabled(if: SmallDisk.available, "needs permission to mount a tmpfs (root)"))
    func aFullDiskRefusesNewReportsClearlyAndRecoversWhenSpaceReturns() throws {
        let daemon = try Daemon(storeFile: "disk/store.sqlite")
        let disk = try SmallDisk(at: daemon.directory + "/disk", megabytes: 4)
        defer { disk.unmount() }
        try daemon.start()
        let client = try daemon.client("officer-de")
        var acknowledged = Set<String>()
        var refused: [(id: String, message: String)] = []
        /// True if acknowledged, false if refused.
        @discardableResult func publishOne() throws -> Bool {
            let report = sampleReport(["body.modus_operandi": .string(String(repeating: "f", count: 1800))])
            let id = report["id"]!.stringValue!
            guard let error = try refusalIfAny({ try client.request(.publish, ["report": report]) }) else {
                acknowledged.insert(id)
                return true
            }
            refused.append((id, "\(error.code.rawValue): \(error.message)"))
            return false
        }
        for _ in 0..<20 { try publishOne() }
        #expect(refused.isEmpty)
        disk.fill()
        // Publish until the node refuses (the WAL may still have room it reuses), then some more.
        var attempts = 0
        while refused.isEmpty && attempts < 5000 {
            try publishOne()
            attempts += 1
        }
        for _ in 0..<10 { try publishOne() }
        #expect(!refused.isEmpty, "the node never refused; was the disk full?")
        #expect(refused.allSatisfy { $0.message.hasPrefix("store-unavailable: the report was not stored: the disk holding the node's store is full") }, "\(refused.first?.message ?? "")")
        #expect(daemon.log.contains("commit failed; nothing in the batch was acknowledged"))
        // It keeps serving: reads work and the connection stays open.
        #expect(try client.request(.ping).type == .pong)
        // Space returns: new reports are accepted again without a restart.
        disk.free()
        #expect(waitFor(10) { (try? publishOne()) == true })
        // Nothing acknowledged is missing after a crash, and nothing refused was kept.
        daemon.kill()
        #expect(daemon.query("PRAGMA integrity_check") == "ok")
        let stored = Set(daemon.query("SELECT id FROM reports").split(separator: "\n").map(String.init))
        #expect(acknowledged.subtracting(stored).isEmpty, "acknowledged but not stored: \(acknowledged.subtracting(stored).count)")
        #expect(Set(refused.map(\.id)).isDisjoint(with: stored), "refused but stored")
        try daemon.start()
        #expect(try daemon.client("officer-de").request(.publish, ["report": sampleReport()]).type == .accepted)
    }

    /// Linux will not remount a file system read-only while files on it are open
    /// for writing (EBUSY), so a store cannot be made read-only under a running
    /// node here; what a node meets is a store that is read-only when it starts
    /// (after the kernel remounted a failing disk read-only and the node was
    /// restarted). It refuses to start and says why, rather than open the store
    /// read-only and refuse every report; it starts when the disk is writable again.
    @Test(.enabled(if: SmallDisk.available, "needs permission to mount a tmpfs (root)"))
    func aReadOnlyStoreStopsTheNodeFromStartingWithAClearErrorUntilWritable() throws {
        let daemon = try Daemon(storeFile: "disk/store.sqlite")
        let disk = try SmallDisk(at: daemon.directory + "/disk", megabytes: 16)
        defer { disk.unmount() }
        try daemon.start()
        let report = sampleReport()
        _ = try daemon.client("officer-de").request(.publish, ["report": report])
        #expect(daemon.stop() == 0)
        #expect(disk.remount(readOnly: true))
        #expect(throws: DaemonError.self) { try daemon.start() }
        #expect(daemon.log.contains("is on a file system mounted read-only; ilod writes its store"), "\(daemon.log.suffix(400))")
        #expect(disk.remount(readOnly: false))
        try daemon.start()
        let client = try daemon.client("officer-de")
        #expect(try client.request(.publish, ["report": sampleReport()]).type == .accepted)
        #expect(try client.request(.get, ["id": report["id"]!]).type == .report)
    }
}

/// The node's refusal of a request, or nil if it was answered.
private func refusalIfAny(_ body: () throws -> Message) throws -> ProtocolError? {
    do {
        _ = try body()
        return nil
    } catch {
        if case .refused(let refusal)? = error as? ClientError { return refusal }
        throw error
    }
}

/// A tmpfs of a few megabytes mounted for one test: a disk that fills up or
/// turns read-only on demand. Needs CAP_SYS_ADMIN (tests run as root here).
final class SmallDisk {
    let path: String
    private var filler: String { path + "/filler" }

    static let available: Bool = {
        let probe = NSTemporaryDirectory() + "ilonet-mount-probe-\(getpid())"
        try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe]).status == 0 else { return false }
        _ = run("/bin/umount", [probe])
        return true
    }()

    init(at path: String, megabytes: Int) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mounted = run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path])
        guard mounted.status == 0 else { throw FlakyLinkError("mount tmpfs at \(path): \(mounted.output)") }
    }

    /// Writes a file until the disk has no space left.
    func fill() { _ = run("/bin/dd", ["if=/dev/zero", "of=\(filler)", "bs=64k"]) }

    func free() { try? FileManager.default.removeItem(atPath: filler) }

    @discardableResult
    func remount(readOnly: Bool) -> Bool { run("/bin/mount", ["-o", "remount,\(readOnly ? "ro" : "rw")", path]).status == 0 }

    func unmount() { _ = run("/bin/umount", ["-l", path]) }
}
