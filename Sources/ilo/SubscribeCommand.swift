import Foundation
import Glibc
import ILONet
import ILOClient

/// ilo subscribe / unsubscribe / subscriptions / watch.
enum SubscribeCommand {
    static let help = """
        usage: ilo subscribe FILTER [--digest hourly|daily|weekly [--at HH:MM]]
               ilo unsubscribe FILTER [--digest]
               ilo subscriptions [--json]
               ilo watch [FILTER] [--json] [--count N]

        Topics are KIND/COUNTRY/… (docs/REPORTS.md §6); filters use MQTT's wildcards:
        + for one level, # for the rest. Subscriptions belong to the identity in your
        certificate and last until you unsubscribe; reports that arrive while you are
        offline wait for you, most urgent first. With --digest, you get one summary
        per period instead (UTC; --at sets when the period ends, default 00:00).
        `ilo watch` prints your reports as they arrive until interrupted (or after
        --count new ones); with FILTER it shows only those, through a subscription
        that lasts as long as the watch (one you already had stays).
        The node's access rules decide what you may subscribe to (docs/ACCESS.md).

        examples:
          ilo subscribe 'smuggling/+/sea'
          ilo subscribe '#' --digest daily --at 06:00
          ilo watch 'border/LY/#'
        """

    static func run(_ command: String, _ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        let json = arguments.flag("json")
        let digestFlag = command == "unsubscribe" ? arguments.flag("digest") : false
        let digest = command == "subscribe" ? try arguments.option("digest") : nil
        let at = command == "subscribe" ? try arguments.option("at") : nil
        let count = command == "watch" ? try arguments.integer("count", in: 1...10_000_000) : nil
        let options = try ClientProfile.resolve(&arguments)
        let filter = arguments.positional()
        try arguments.finish()
        if (command == "subscribe" || command == "unsubscribe") && filter == nil { throw UsageError("name the topic filter, e.g. 'smuggling/LY/#'") }
        if at != nil && digest == nil { throw UsageError("--at goes with --digest") }

        do throws(ClientError) {
            let client = try connect(options, followHome: true)
            defer { client.close() }
            switch command {
            case "subscribe":
                var body: [String: JSONValue] = ["filter": .string(filter!)]
                if let digest {
                    var d: [String: JSONValue] = ["period": .string(digest)]
                    if let at { d["at"] = .string(at) }
                    body["digest"] = .object(d)
                }
                try client.request(.subscribe, .object(body))
                print(digest.map { "subscribed to \(filter!) (\($0) digest, period ends \(at ?? "00:00") UTC)" } ?? "subscribed to \(filter!)")
            case "unsubscribe":
                let answer = try client.request(.unsubscribe, ["filter": .string(filter!), "digest": .bool(digestFlag)])
                let removed = answer.body["removed"]?.integerValue ?? 0
                print(removed > 0 ? "unsubscribed from \(filter!)" : "no such subscription: \(filter!)")
                return removed > 0 ? Exit.ok : Exit.failed
            case "subscriptions":
                let answer = try client.request(.subscriptions)
                let list = answer.body["subscriptions"]?.arrayValue ?? []
                if json {
                    print(JSONValue.array(list).prettyString())
                } else if list.isEmpty {
                    print("no subscriptions")
                } else {
                    for s in list {
                        var line = s["filter"]?.stringValue ?? "?"
                        if s["mode"] == "digest" { line += "  (\(s["period"]?.stringValue ?? "?") digest at \(s["at"]?.stringValue ?? "00:00") UTC)" }
                        if s["implicit"] == .bool(true) { line += "  (from your certificate's posts)" }
                        print(line)
                    }
                }
            default:
                return try watch(
                    client, filter: filter, json: json, count: count, seen: SeenReports(node: options.node.description, certificate: options.certificatePath),
                    options: options)
            }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }

    /// Streams deliveries: print each new report, record it, confirm it.
    static func watch(
        _ client: ClientConnection, filter: String?, json: Bool, count: Int?, seen: SeenReports, options: ClientOptions
    ) throws(ClientError) -> Int32 {
        var body: [String: JSONValue] = [:]
        if let filter { body["filter"] = .string(filter) }
        // WATCH subscribes its filter; one made only for this watch goes when the watch ends.
        var temporary: String?
        if let filter {
            let held = (try client.request(.subscriptions).body["subscriptions"]?.arrayValue ?? []).compactMap { $0["filter"]?.stringValue }
            if !held.contains(filter) { temporary = filter }
        }
        if let temporary {
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    // Interrupted: remove it over a connection of its own, then stop.
                    if let other = try? ClientConnection(options) { _ = try? other.request(.unsubscribe, ["filter": .string(temporary)]) }
                    exit(0)
                }
                source.resume()
                watchSignals.append(source)
            }
        }
        defer { if let temporary { _ = try? client.request(.unsubscribe, ["filter": .string(temporary)]) } }
        let answer = try client.request(.watch, .object(body))
        if !json { printError("watching \(answer.body["watching"]?.stringValue ?? "your deliveries"); Ctrl-C to stop") }
        var shown = 0
        var nextID: UInt32 = 0x4000_0000
        while count.map({ shown < $0 }) ?? true {
            let frame: Frame
            do {
                frame = try client.receiveFrame()
            } catch {
                if case .timedOut = error {
                    nextID += 1
                    try client.send(Message(.ping, requestID: nextID).frame)
                    continue
                }
                throw error
            }
            guard let message = try? Message(frame: frame) else { continue }
            switch message.type {
            case .deliver:
                guard let report = message.body["report"], let id = report["id"]?.stringValue else { continue }
                if !seen.contains(id) {
                    print(json ? report.encodedString() : ReportRendering.summaryLine(report))
                    fflush(nil)
                    shown += 1
                }
                seen.record([id])
                nextID += 1
                try client.send(Message(.confirm, requestID: nextID, ["ids": [.string(id)]]).frame)
            case .error:
                throw ClientError.refused(ProtocolError(message: message))
            default:
                continue  // OK for confirmations, PONG
            }
        }
        return Exit.ok
    }
}

/// The signal sources of a watch with a temporary subscription (kept alive while it runs).
nonisolated(unsafe) var watchSignals: [any DispatchSourceSignal] = []

