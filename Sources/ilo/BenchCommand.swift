import Foundation
import Glibc
import ILONet

enum BenchCommand {
    static let help = """
        usage: ilo bench connections --count N [--pid PID] [--hold SECONDS] [--concurrency N] [--json]

        Opens N mutually authenticated connections to the node, completes HELLO on
        each, keeps them idle, and reports how long that took and (with --pid, the
        node's process id on this machine) the node's resident memory.

        example:
          ilo bench connections --count 10000 --pid "$(pgrep -f 'ilod --config')" \\
              --node 127.0.0.1:7443 --cert certs-example/officer-de.crt \\
              --key certs-example/officer-de.key --ca certs-example/ca.crt
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        guard arguments.positional() == "connections" else { throw UsageError("expected: ilo bench connections ...") }
        guard let count = try arguments.integer("count", in: 1...100_000) else { throw UsageError("--count is required") }
        let pid = try arguments.integer("pid", in: 1...Int(Int32.max))
        let hold = try arguments.integer("hold", in: 0...86_400) ?? 2
        let concurrency = try arguments.integer("concurrency", in: 1...10_000) ?? 256
        let json = arguments.flag("json")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()

        let limit = raiseOpenFileLimit()
        if limit < count + 64 {
            printError("the open-file limit is \(limit); raise it (ulimit -n) above \(count + 64)")
            return Exit.failed
        }
        let before = pid.flatMap { ProcessMemory(pid: Int32($0)) }
        do {
            let bench = try IdleConnectionBench(options: options, count: count, concurrency: concurrency)
            let result = try bench.establish()
            sleep(UInt32(hold))
            let during = pid.flatMap { ProcessMemory(pid: Int32($0)) }
            bench.close()
            var summary: [String: JSONValue] = [
                "connections": .integer(Int64(count)), "established": .integer(Int64(result.established)),
                "failed": .integer(Int64(result.failed)), "seconds": .number(result.seconds),
                "handshakes_per_second": .number(Double(result.established) / max(result.seconds, 1e-9)),
            ]
            if let first = result.firstFailure { summary["first_failure"] = .string(first) }
            if let before { summary["node_rss_before_kib"] = .integer(Int64(before.residentKiB)) }
            if let during {
                summary["node_rss_kib"] = .integer(Int64(during.residentKiB))
                summary["node_peak_rss_kib"] = .integer(Int64(during.peakResidentKiB))
            }
            if json {
                print(JSONValue.object(summary).prettyString())
            } else {
                print("established \(result.established) of \(count) connections in \(String(format: "%.2f", result.seconds)) s (\(result.failed) failed)")
                if let first = result.firstFailure { print("first failure: \(first)") }
                if let before, let during {
                    print("node RSS: \(before.residentKiB / 1024) MiB before, \(during.residentKiB / 1024) MiB holding them (peak \(during.peakResidentKiB / 1024) MiB)")
                }
            }
            return result.failed == 0 ? Exit.ok : Exit.failed
        } catch {
            printError("\(error)")
            return Exit.failed
        }
    }
}
