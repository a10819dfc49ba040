import Foundation
import Glibc
import ILONet
import ILONetBench
extension BenchCommand {
    /// `ilo bench link`: a link emulator until SIGTERM or SIGINT.
    static func link(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        guard let target = try arguments.integer("to", in: 1...65535) else { throw UsageError("--to PORT: where the link leads (a node on 127.0.0.1)") }
        let listen = try arguments.integer("listen", in: 0...65535) ?? 0
        let name = try arguments.option("profile") ?? "satellite"
        guard var profile = LinkEmulator.Profile.named[name] else {
            throw UsageError("--profile: \(name) is not a profile (\(LinkEmulator.Profile.named.keys.sorted().joined(separator: ", ")))")
        }
        if let up = try arguments.integer("up-kbit", in: 1...10_000_000) { profile.upBitsPerSecond = Double(up) * 1000 }
        if let down = try arguments.integer("down-kbit", in: 1...10_000_000) { profile.downBitsPerSecond = Double(down) * 1000 }
        if let rtt = try arguments.integer("rtt-ms", in: 0...10_000) { profile.roundTrip = Double(rtt) / 1000 }
        if let every = try arguments.integer("cut-every", in: 1...86_400) { profile.cutEvery = Double(every) }
        if let duration = try arguments.integer("cut-for", in: 0...86_400) { profile.cutFor = Double(duration) }
        try arguments.finish()
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for s in [SIGTERM, SIGINT, SIGUSR1] { sigaddset(&stopSignals, s) }
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        let emulator: LinkEmulator
        do throws(LinkEmulatorError) {
            emulator = try LinkEmulator(port: UInt16(listen), to: UInt16(target), profile: profile)
        } catch {
            printError(error.description)
            return Exit.failed
        }
        let cuts = profile.cutEvery.map { ", cut every \(Int($0)) s for \(Int(profile.cutFor)) s" } ?? ""
        FileHandle.standardOutput.write(Data(("link: 127.0.0.1:\(emulator.port) -> 127.0.0.1:\(target), \(Int(profile.upBitsPerSecond / 1000)) kbit/s up, "
            + "\(Int(profile.downBitsPerSecond / 1000)) kbit/s down, \(Int(profile.roundTrip * 1000)) ms round trip\(cuts)\n").utf8))
        var signal: Int32 = 0
        // SIGUSR1: cut every connection now, for --cut-for seconds (1 s when not given).
        while sigwait(&stopSignals, &signal) == 0, signal == SIGUSR1 {
            emulator.cut(for: profile.cutEvery == nil && profile.cutFor == 0 ? 1 : profile.cutFor)
        }
        emulator.stop()
        let counters = emulator.counters.withLock { $0 }
        print("link: \(counters.connections) connections, \(counters.bytesUp) bytes up, \(counters.bytesDown) bytes down, \(counters.cuts) cuts")
        return Exit.ok
    }
}
