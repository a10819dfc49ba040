import Foundation
import ILONet
import ILOClient

enum StatusCommand {
    static let help = """
        usage: ilo status [--json] [--check]

        A node's state, for administrators (role admin): its health first — the
        last reload and its result, the revocation list's next update and the node
        certificate's expiry with the days left, the store, links that are down, and
        what needs attention — then its identity and uptime;
        each peer link, up or down, since when, and its last error; what waits in
        the queue for each next hop, by priority, and the dead letters; every known
        reader and how many deliveries wait for them; the store's size and commits.
        --json prints the node's answer as it came (docs/PROTOCOL.md, NODE-STATUS).
        --check prints only what needs attention and exits 1 when anything does,
        for monitoring (a timer, Nagios, a Prometheus textfile job).
        Exit 0 when the node answered, 3 when it could not be reached.

        example:
          ilo status --node 127.0.0.1:7443 --cert certs-example/admin.crt --key certs-example/admin.key --ca certs-example/ca.crt
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        let check = arguments.flag("check")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            let status = try client.request(.status)
            let attention = (status.body["health"]?["attention"]?.arrayValue ?? []).compactMap(\.stringValue)
            if check {
                if attention.isEmpty { print("ok: \(status.body["node"]?.stringValue ?? "the node") needs no attention") }
                for item in attention { print("attention: \(item)") }
                return attention.isEmpty ? Exit.ok : Exit.failed
            }
            print(json ? status.body.prettyString() : render(status.body), terminator: json ? "\n" : "")
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }

    static func render(_ status: JSONValue) -> String {
        func text(_ value: JSONValue?) -> String { value?.stringValue ?? value.map { $0.encodedString() } ?? "-" }
        let uptime = status["uptime_seconds"]?.integerValue ?? 0
        var lines = [
            "node         \(text(status["node"])) (\(text(status["role"])), ilod \(text(status["version"])))",
            "up since     \(text(status["started"])) (\(duration(uptime)))",
            "connections  \(text(status["connections"]))",
            "controller   \(DataProtectionLaw.describe(controller: status["controller"]) ?? "not stated (node.controller, node.controller-law)")",
            "",
            "health",
        ]
        let health = status["health"] ?? .null
        if let reload = health["reload"] {
            lines.append("  last reload  \(text(reload["at"])): \(text(reload["result"]))")
        } else {
            lines.append("  last reload  none since start")
        }
        if let crl = health["crl"] {
            lines.append("  revocation list next update \(text(crl["next_update"])) (\(text(crl["days_left"])) days left)")
        }
        if let certificate = health["certificate"] {
            lines.append("  certificate  expires \(text(certificate["not_after"])) (\(text(certificate["days_left"])) days left)")
        }
        let attention = (health["attention"]?.arrayValue ?? []).compactMap(\.stringValue)
        lines += attention.isEmpty ? ["  nothing needs attention"] : attention.map { "  ATTENTION: \($0)" }
        lines += ["", "peers"]
        let peers = status["peers"]?.objectValue ?? [:]
        if peers.isEmpty { lines.append("  (none configured)") }
        for (name, link) in peers.sorted(by: { $0.key < $1.key }) {
            var line = "  \(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(text(link["state"]).uppercased()) since \(text(link["since"]))"
            if let error = link["last_error"]?.stringValue { line += "; last error: \(error)" }
            if let next = link["next_attempt"]?.stringValue { line += "; next attempt \(next)" }
            lines.append(line)
        }
        lines += ["", "queues (next hop: flash / immediate / priority / routine)"]
        let queues = status["queues"]?.objectValue ?? [:]
        if queues.isEmpty { lines.append("  (empty)") }
        for (hop, byPriority) in queues.sorted(by: { $0.key < $1.key }) {
            let counts = Priority.allCases.map { String(byPriority[$0.rawValue]?.integerValue ?? 0) }.joined(separator: " / ")
            lines.append("  \(hop.padding(toLength: 34, withPad: " ", startingAt: 0)) \(counts)")
        }
        lines.append("  dead letters: \(text(status["dead_letters"]))")
        lines += ["", "readers (deliveries waiting)"]
        let readers = status["subscribers"]?.objectValue ?? [:]
        if readers.isEmpty { lines.append("  (none yet)") }
        for (identity, backlog) in readers.sorted(by: { $0.key < $1.key }) {
            lines.append("  \(identity.padding(toLength: 34, withPad: " ", startingAt: 0)) \(text(backlog))")
        }
        let store = status["store"]
        let megabytes = Double((store?["database_bytes"]?.integerValue ?? 0) + (store?["wal_bytes"]?.integerValue ?? 0)) / 1_048_576
        if let failure = store?["failure"]?.stringValue {
            lines += ["", "STORE FAILED  \(failure)", "              nothing is acknowledged until it is recovered: docs/OPERATIONS.md §8"]
        }
        lines += [
            "",
            "store        \(text(store?["path"])): \(text(store?["reports"])) reports, \(String(format: "%.1f", megabytes)) MiB "
                + "(WAL \(String(format: "%.1f", Double(store?["wal_bytes"]?.integerValue ?? 0) / 1_048_576)) MiB), \(text(store?["commits"])) commits",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func duration(_ seconds: Int64) -> String {
        let days = seconds / 86400, hours = seconds % 86400 / 3600, minutes = seconds % 3600 / 60
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        return "\(minutes)m \(seconds % 60)s"
    }
}
