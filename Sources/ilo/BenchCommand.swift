import Foundation
import Glibc
import ILONet
import ILOClient
import ILONetBench

enum BenchCommand {
    static let help = """
        usage: ilo bench load [--protocol ilonet|mqtt|nats] [--publishers 4] [--subscribers 1] [--rate N] [--window 64]
                              [--size 1024] [--duration 10] [--warmup 1] [--signed] [--pid PID] [--json]
                              [--subscriber-cert FILE[,FILE] --subscriber-key FILE[,FILE]]
                              [--subscriber-node HOST:PORT [--subscriber-server-name NAME]]
                              [--resilient [--drain-timeout 120]]
               ilo bench connections --count N [--pid PID] [--hold SECONDS] [--concurrency N] [--json]
               ilo bench abuse --officer-cert FILE --officer-key FILE --watcher-cert FILE --watcher-key FILE
                   [--reader-cert FILE --reader-key FILE] [--attacks NAME,...]
                               [--duration 300] [--rate 10] [--unauthenticated 2000] [--json]
               ilo bench search-store --store FILE --count N
               ilo bench search [--queries N] [--json]
               ilo bench fetch [--requests 200] [--limit 100] [--json]
               ilo bench link --to PORT [--listen PORT] [--profile satellite|3g|cuts]
                              [--up-kbit N] [--down-kbit N] [--rtt-ms N] [--cut-every S --cut-for S]

        load: publishers send reports (ILONet), QoS 1 messages (MQTT 3.1.1) or
        JetStream publications (NATS: PUB with a reply subject, acknowledged by
        the stream) over mutual TLS as fast as acknowledgements allow (or at --rate
        per second in all), with at most --window unacknowledged each; subscribers
        receive everything (ILONet: subscription '#' and WATCH; MQTT: 'smuggling/#'
        QoS 1, persistent session; NATS: a durable push consumer on the stream
        ILONET_BENCH, which the load creates on file storage, each message
        acknowledged). Reports throughput (acknowledged per second), publish→acknowledge
        and publish→delivery latency percentiles, errors, and with --pid the server's
        CPU use and peak RSS. bench/compare-mosquitto.sh runs it against both.
        Its reports are not signed (run the node with `reports.signatures optional`)
        unless --signed: then each publisher signs every report with its key (--cert,
        --key), as `ilo send` does, and the node checks each signature, as by default.

        --resilient (for crash loops, not for figures): clients reconnect after the
        node dies, send unacknowledged reports again under the same ids, and the
        run ends at --duration or on SIGTERM/SIGINT; then it waits up to
        --drain-timeout seconds for every acknowledged report to reach every
        subscriber identity (one per --subscriber-cert) and prints acknowledged,
        lost, duplicated (delivered after its confirmation was answered) and
        redelivered (before that; at-least-once, deduplicated by id). Exit status
        1 if anything was lost or duplicated. scripts/crash-loop.sh drives it.

        example:
          ilo bench load --publishers 4 --subscribers 1 --duration 10 --node 127.0.0.1:7443 \
              --cert certs-example/officer-de.crt --key certs-example/officer-de.key --ca certs-example/ca.crt \
              --subscriber-cert certs-example/authority-fr-user.crt --subscriber-key certs-example/authority-fr-user.key


        link: a post's link in user space, between ilo (or a node) and 127.0.0.1:--to,
        listening on 127.0.0.1:--listen (default: a free port, printed): each
        direction paced to its rate and delayed by half the round trip, buffering
        no more than the bandwidth-delay product and 16 KiB (so the sender's TCP
        feels the rate), every connection cut on a schedule. Profiles: satellite
        (256 kbit/s up, 1 Mbit/s down, 600 ms round trip), 3g (384 kbit/s both
        ways, 150 ms), cuts (satellite, cut every 30 s for 10 s); the other
        options change one setting. Runs until SIGTERM or SIGINT, then prints the
        bytes carried each way and the cuts. bench/link.sh uses it.

        example:
          ilo bench link --to 7611 --listen 17611 --profile satellite

        abuse: the connection's identity (--cert, --key) attacks the node in every way
        issue 14 lists, all at once: reports of 24 KB as fast as it takes them, FETCH
        loops, 20,000 subscription attempts, eight 100-year digest previews always
        in flight, connections that send 300 FETCHes and never read, 50 frames
        trickled a byte a second, and --unauthenticated plain TCP sockets from
        127.0.2.x; with --reader-cert/--reader-key, a second identity subscribes to
        everything and holds three connections with a 4 KiB receive buffer that each
        send 300 FETCHes of 500 and never read. --attacks runs only those named
        (large-reports, fetches, subscriptions, previews, unread, slow-frames,
        unread-answers, unauthenticated). Meanwhile --officer-cert sends --rate signed border reports a
        second, each on a new connection, and --watcher-cert (a reader who may
        subscribe to it, e.g. a national contact point) watches border/TN/#.
        Prints, for those two: reports lost, publish→ACCEPTED and connect
        percentiles, delivery percentiles, and what the attacks achieved. Exit 1 if
        a legitimate report was lost. bench/abuse.sh runs it against a fresh hub.

        search-store: writes N synthetic reports into a new store FILE (on this
        machine, no node involved): headline and free text drawn from a fixed
        vocabulary of 5,000 pseudo-words with Zipf-like frequencies, indexed for
        search as a node indexes them. search: as the connection's identity, sends
        --queries searches of each class (one rare word, one middling, one common,
        two middling words; default 50) one after another, and prints the latency
        percentiles per class and in all. bench/search.sh runs both against a hub
        of its own (docs/PERFORMANCE.md).

        fetch: as the connection's identity, sends --requests FETCHes of --limit
        reports (default 200 of 100) one after another on one connection, without
        confirming anything (the inbox stays as it was), and prints the latency
        percentiles and how many reports each answer held. bench/big-store.sh runs
        it against a store of millions of reports.

        connections: opens N mutually authenticated connections to the node, completes HELLO on
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
        let mode = arguments.positional()
        if mode == "load" { return try load(&arguments) }
        if mode == "abuse" { return try abuse(&arguments) }
        if mode == "search-store" { return try searchStore(&arguments) }
        if mode == "search" { return try search(&arguments) }
        if mode == "fetch" { return try fetch(&arguments) }
        if mode == "link" { return try link(&arguments) }
        guard mode == "connections" else { throw UsageError("expected: ilo bench load ... | ilo bench connections ...") }
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

    static func abuse(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        func required(_ name: String) throws(UsageError) -> String {
            guard let value = try arguments.option(name) else { throw UsageError("--\(name) is required for ilo bench abuse") }
            return value
        }
        let officer = (certificate: try required("officer-cert"), key: try required("officer-key"))
        let board = (certificate: try required("watcher-cert"), key: try required("watcher-key"))
        let duration = try arguments.integer("duration", in: 1...86_400) ?? 300
        let rate = try arguments.integer("rate", in: 1...1000) ?? 10
        let unauthenticated = try arguments.integer("unauthenticated", in: 0...60_000) ?? 2000
        let readerCertificate = try arguments.option("reader-cert"), readerKey = try arguments.option("reader-key")
        var attacks: Set<String>?
        if let list = try arguments.option("attacks") {
            let names = Set(list.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })
            if let unknown = names.first(where: { !AbuseBench.Options.attackNames.contains($0) }) {
                throw UsageError("--attacks: \"\(unknown)\" is not an attack (\(AbuseBench.Options.attackNames.joined(separator: ", ")))")
            }
            attacks = names
        }
        if (readerCertificate == nil) != (readerKey == nil) { throw UsageError("--reader-cert and --reader-key go together") }
        let json = arguments.flag("json")
        let connection = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        var options = AbuseBench.Options(
            node: connection.node, serverName: connection.serverName, ca: connection.caPath,
            attacker: (connection.certificatePath, connection.privateKeyPath), officer: officer, board: board)
        options.duration = Double(duration)
        options.rate = Double(rate)
        options.unauthenticated = unauthenticated
        if let certificate = readerCertificate, let key = readerKey { options.reader = (certificate, key) }
        options.attacks = attacks
        let result = AbuseBench(options: options).run()
        if json {
            print(result.json.prettyString())
        } else {
            func ms(_ h: LatencyHistogram, _ p: Double) -> String { String(format: "%.1f", Double(h.percentile(p)) / 1000) }
            print("legitimate officer: \(result.sent) sent, \(result.acknowledged) acknowledged, \(result.delivered) delivered, \(result.lost) lost, \(result.failedSends) failed")
            print("  publish→ACCEPTED p50 \(ms(result.publish, 0.5)) ms, p99 \(ms(result.publish, 0.99)) ms; connect p99 \(ms(result.connect, 0.99)) ms; delivery p99 \(ms(result.delivery, 0.99)) ms")
            print("attacks: " + result.attacks.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            if let failure = result.firstFailure { print("first failure seen by the legitimate users: \(failure)") }
        }
        return result.lost == 0 ? Exit.ok : Exit.failed
    }

    static func searchStore(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        guard let path = try arguments.option("store") else { throw UsageError("--store FILE is required (a new file)") }
        guard let count = try arguments.integer("count", in: 1...50_000_000) else { throw UsageError("--count is required") }
        try arguments.finish()
        guard !FileManager.default.fileExists(atPath: path) else { throw UsageError("--store: \(path) exists; name a new file") }
        do {
            let seconds = try SearchBench.fill(store: path, count: count) { written in
                if written % 100_000 == 0 { printError("search-store: \(written) reports written") }
            }
            print("search-store: \(count) reports in \(String(format: "%.1f", seconds)) s (\(Int(Double(count) / max(seconds, 0.001)))/s), \(path)")
            return Exit.ok
        } catch {
            printError("search-store: \(error)")
            return Exit.failed
        }
    }

    static func search(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        let perClass = try arguments.integer("queries", in: 1...10_000) ?? 50
        let json = arguments.flag("json")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            var latencies: [String: [Double]] = [:]
            var results: [String: Int] = [:]
            for (kind, text) in SearchBench.queries(perClass: perClass) {
                let started = DispatchTime.now().uptimeNanoseconds
                let answer = try client.request(.search, ["query": .string(text), "limit": 20]).body
                let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000
                latencies[kind, default: []].append(milliseconds)
                latencies["all", default: []].append(milliseconds)
                results[kind, default: 0] += answer["results"]?.arrayValue?.count ?? 0
            }
            let classes = ["rare", "middling", "common", "two words", "all"]
            if json {
                var out: [String: JSONValue] = [:]
                for kind in classes {
                    let values = latencies[kind] ?? [0]
                    out[kind] = [
                        "queries": .integer(Int64(values.count)), "p50_ms": .number(percentile(values, 0.5)), "p99_ms": .number(percentile(values, 0.99)),
                        "max_ms": .number(values.max() ?? 0),
                    ]
                }
                print(JSONValue.object(out).prettyString())
            } else {
                for kind in classes {
                    let values = latencies[kind] ?? [0]
                    let shown = kind == "all" ? "" : String(format: ", %.1f results each", Double(results[kind] ?? 0) / Double(max(1, values.count)))
                    let name = kind.padding(toLength: 9, withPad: " ", startingAt: 0)
                    print("search \(name) " + String(format: "%4d queries: p50 %.1f ms, p99 %.1f ms, max %.1f ms", values.count,
                        percentile(values, 0.5), percentile(values, 0.99), values.max() ?? 0) + shown)
                }
            }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }

    /// The value at or below which a share `p` of `values` lies (nearest rank).
    private static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted[max(0, min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
    }

    static func fetch(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        let requests = try arguments.integer("requests", in: 1...100_000) ?? 200
        let limit = try arguments.integer("limit", in: 1...500) ?? 100  // FETCH takes at most 500
        let json = arguments.flag("json")
        let options = try ClientProfile.resolve(&arguments)
        try arguments.finish()
        do throws(ClientError) {
            let client = try connect(options)
            defer { client.close() }
            var latencies: [Double] = []
            var reports = 0
            for _ in 0..<requests {
                let started = DispatchTime.now().uptimeNanoseconds
                let answer = try client.request(.fetch, ["limit": .integer(Int64(limit))]).body
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - started) / 1_000_000)
                reports += answer["reports"]?.arrayValue?.count ?? 0
            }
            let each = Double(reports) / Double(requests)
            if json {
                print(JSONValue.object([
                    "requests": .integer(Int64(requests)), "limit": .integer(Int64(limit)), "reports_each": .number(each),
                    "p50_ms": .number(percentile(latencies, 0.5)), "p99_ms": .number(percentile(latencies, 0.99)), "max_ms": .number(latencies.max() ?? 0),
                ]).prettyString())
            } else {
                print(String(format: "fetch %d × limit %d: p50 %.2f ms, p99 %.2f ms, max %.2f ms, %.1f reports each", requests, limit,
                    percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.max() ?? 0, each))
            }
            return Exit.ok
        } catch {
            return exitFor(error)
        }
    }

    static func load(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        let wireText = try arguments.option("protocol") ?? "ilonet"
        guard let wire = LoadOptions.Wire(rawValue: wireText) else { throw UsageError("--protocol is ilonet, mqtt or nats") }
        let publishers = try arguments.integer("publishers", in: 1...1000) ?? 4
        let subscribers = try arguments.integer("subscribers", in: 0...1000) ?? 1
        let rate = try arguments.integer("rate", in: 1...10_000_000)
        let window = try arguments.integer("window", in: 1...10_000) ?? 64
        let size = try arguments.integer("size", in: 64...1_000_000) ?? 1024
        let duration = try arguments.integer("duration", in: 1...86_400) ?? 10
        let warmup = try arguments.integer("warmup", in: 0...600) ?? 1
        let pid = try arguments.integer("pid", in: 1...Int(Int32.max))
        let subscriberCerts = try arguments.option("subscriber-cert")?.split(separator: ",").map(String.init)
        let subscriberKeys = try arguments.option("subscriber-key")?.split(separator: ",").map(String.init)
        let subscriberNode = try arguments.option("subscriber-node")
        let subscriberServerName = try arguments.option("subscriber-server-name")
        let resilient = arguments.flag("resilient")
        let signed = arguments.flag("signed")
        let drainTimeout = try arguments.integer("drain-timeout", in: 1...86_400) ?? 120
        let json = arguments.flag("json")
        let connection = try ClientProfile.resolve(&arguments)
        try arguments.finish()

        guard subscriberCerts?.count == subscriberKeys?.count else {
            throw UsageError("--subscriber-cert and --subscriber-key need the same number of files")
        }
        let credentials = zip(subscriberCerts ?? [connection.certificatePath], subscriberKeys ?? [connection.privateKeyPath]).map { ($0, $1) }
        var options = LoadOptions(
            node: connection.node, caPath: connection.caPath, publisher: (connection.certificatePath, connection.privateKeyPath),
            subscribers: credentials)
        if let subscriberNode {
            guard let endpoint = Endpoint(subscriberNode) else { throw UsageError("--subscriber-node \"\(subscriberNode)\" is not HOST:PORT") }
            options.subscriberNode = endpoint
        }
        options.subscriberServerName = subscriberServerName
        options.resilient = resilient
        if signed && wire != .ilonet { throw UsageError("--signed is for --protocol ilonet: MQTT messages carry no signature") }
        options.signed = signed
        options.drainTimeout = Double(drainTimeout)
        if resilient && subscribers < credentials.count {
            throw UsageError("--resilient needs at least one subscriber per --subscriber-cert (--subscribers \(credentials.count))")
        }
        options.serverName = connection.serverName
        options.wire = wire
        options.publishers = publishers
        options.subscribers = subscribers
        options.rate = rate.map(Double.init)
        options.window = window
        options.payloadBytes = size
        options.duration = Double(duration)
        options.warmup = Double(warmup)
        _ = raiseOpenFileLimit()
        // A resilient run ends on SIGTERM or SIGINT: block them here, before the
        // generator's threads start, and poll for them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        if resilient {
            for s in [SIGTERM, SIGINT] { sigaddset(&stopSignals, s) }
            pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        }
        do {
            let generator = try LoadGenerator(options: options)
            let cpuBefore = pid.flatMap { ProcessCPU(pid: Int32($0)) }
            let wallBefore = Timestamp.monotonicNanoseconds()
            let result = try generator.run {
                guard resilient else { return false }
                var immediately = timespec(tv_sec: 0, tv_nsec: 0)
                return sigtimedwait(&stopSignals, nil, &immediately) > 0
            }
            let wall = Double(Timestamp.monotonicNanoseconds() - wallBefore) / 1e9
            let cpuAfter = pid.flatMap { ProcessCPU(pid: Int32($0)) }
            let memory = pid.flatMap { ProcessMemory(pid: Int32($0)) }
            var summary: [String: JSONValue] = [
                "protocol": .string(wire.rawValue), "publishers": .integer(Int64(publishers)), "subscribers": .integer(Int64(subscribers)),
                "payload_bytes": .integer(Int64(size)), "window": .integer(Int64(window)), "seconds": .number(result.seconds),
                "sent": .integer(Int64(result.sent)), "acknowledged": .integer(Int64(result.acknowledged)),
                "delivered": .integer(Int64(result.delivered)), "errors": .integer(Int64(result.errors)),
                "throughput_per_s": .number((result.throughput * 10).rounded() / 10),
                "ack_latency": result.ack.json, "delivery_latency": result.delivery.json,
            ]
            if let rate { summary["target_rate_per_s"] = .integer(Int64(rate)) }
            if signed { summary["signed"] = true }
            if let first = result.firstError { summary["first_error"] = .string(first) }
            if let cpuBefore, let cpuAfter { summary["server_cpu_cores"] = .number(((cpuAfter.seconds - cpuBefore.seconds) / wall * 100).rounded() / 100) }
            if let memory { summary["server_peak_rss_mib"] = .integer(Int64(memory.peakResidentKiB / 1024)) }
            if let ledger = result.ledger {
                func list(_ values: [Int]) -> JSONValue { .array(values.map { .integer(Int64($0)) }) }
                summary["ledger"] = [
                    "sent": .integer(Int64(ledger.sent)), "acknowledged": .integer(Int64(ledger.acknowledged)),
                    "abandoned": .integer(Int64(ledger.abandoned)), "reconnects": .integer(Int64(result.reconnects)),
                    "delivered": list(ledger.delivered), "lost": list(ledger.lost), "duplicated": list(ledger.duplicated),
                    "redelivered": list(ledger.redelivered),
                ]
            }
            if json {
                print(JSONValue.object(summary).prettyString())
            } else {
                func ms(_ h: LatencyHistogram, _ p: Double) -> String { String(format: "%.2f", Double(h.percentile(p)) / 1000) }
                print("\(wire.rawValue): \(result.acknowledged) acknowledged in \(String(format: "%.1f", result.seconds)) s = \(Int(result.throughput))/s; \(result.delivered) delivered; \(result.errors) errors")
                print("  publish→ack      p50 \(ms(result.ack, 0.5)) p90 \(ms(result.ack, 0.9)) p99 \(ms(result.ack, 0.99)) p99.9 \(ms(result.ack, 0.999)) max \(ms(result.ack, 1)) ms")
                print("  publish→delivery p50 \(ms(result.delivery, 0.5)) p90 \(ms(result.delivery, 0.9)) p99 \(ms(result.delivery, 0.99)) p99.9 \(ms(result.delivery, 0.999)) max \(ms(result.delivery, 1)) ms")
                if let cpu = summary["server_cpu_cores"], let rss = summary["server_peak_rss_mib"] { print("  server: \(cpu.encodedString()) cores busy, peak RSS \(rss.encodedString()) MiB") }
                if let first = result.firstError { print("  first error: \(first)") }
                if let ledger = result.ledger {
                    print("  ledger: \(ledger.acknowledged) acknowledged, \(ledger.abandoned) refused for good, \(result.reconnects) reconnects")
                    for (i, credential) in options.subscriberCredentials.enumerated() {
                        print("  subscriber \(credential.certificate): \(ledger.delivered[i]) delivered, \(ledger.lost[i]) lost, \(ledger.duplicated[i]) duplicated, \(ledger.redelivered[i]) redelivered before confirmation")
                    }
                }
            }
            if let ledger = result.ledger {
                return ledger.lost.allSatisfy { $0 == 0 } && ledger.duplicated.allSatisfy { $0 == 0 } ? Exit.ok : Exit.failed
            }
            return result.errors == 0 ? Exit.ok : Exit.failed
        } catch {
            printError("\(error)")
            return Exit.failed
        }
    }
}
