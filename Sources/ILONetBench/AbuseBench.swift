import Foundation
import Glibc
import ILONet
import Synchronization

/// The abuse benchmark (`ilo bench abuse`, bench/abuse.sh; docs/RELIABILITY.md §4):
/// one officer identity runs every attack of issue 14 at once — large reports
/// and FETCHes, 20,000 subscription attempts, pipelined long previews, requests
/// it never reads, frames trickled a byte a second — and thousands of sockets
/// open without a certificate, while a second officer sends signed reports at
/// a steady rate (connecting for each, as `ilo send` does) and a board member
/// watches them arrive. It measures what the legitimate users get.
public final class AbuseBench: @unchecked Sendable {  // threads share only `stopping` and the Mutex-guarded results
    public struct Options: Sendable {
        public var node: Endpoint
        public var serverName: String?
        public var ca: String
        public var attacker: (certificate: String, key: String)
        public var officer: (certificate: String, key: String)
        public var board: (certificate: String, key: String)
        public var duration: Double = 300
        public var rate: Double = 10
        public var unauthenticated = 2000
        public var subscriptionAttempts = 20_000
        public var slowFrames = 50
        /// A second identity with a full inbox whose connections ask for it and
        /// never read the answers (issue 27): it subscribes to `#` first.
        public var reader: (certificate: String, key: String)?
        public var unreadReaders = 3
        /// The attacks to run (nil: all): large-reports, fetches, subscriptions,
        /// previews, unread, slow-frames, unread-answers, unauthenticated.
        public var attacks: Set<String>?
        public static let attackNames = ["large-reports", "fetches", "subscriptions", "previews", "unread", "slow-frames", "unread-answers", "unauthenticated"]

        public init(
            node: Endpoint, serverName: String?, ca: String, attacker: (certificate: String, key: String), officer: (certificate: String, key: String),
            board: (certificate: String, key: String)
        ) {
            self.node = node
            self.serverName = serverName
            self.ca = ca
            self.attacker = attacker
            self.officer = officer
            self.board = board
        }

        func client(_ identity: (certificate: String, key: String)) -> ClientOptions {
            var options = ClientOptions(node: node, certificatePath: identity.certificate, privateKeyPath: identity.key, caPath: ca, serverName: serverName)
            options.timeout = 30
            return options
        }
    }

    public struct Result: Sendable {
        public var sent = 0
        public var acknowledged = 0
        public var delivered = 0
        public var lost = 0
        /// The ids of the reports lost, to look for in the node's store and log.
        public var lostIDs: [String] = []
        public var failedSends = 0
        public var publish = LatencyHistogram()
        public var delivery = LatencyHistogram()
        public var connect = LatencyHistogram()
        public var attacks: [String: Int] = [:]
        public var firstFailure: String?

        public var json: JSONValue {
            var object: [String: JSONValue] = [
                "legitimate": [
                    "sent": .integer(Int64(sent)), "acknowledged": .integer(Int64(acknowledged)), "delivered": .integer(Int64(delivered)),
                    "lost": .integer(Int64(lost)), "lost_ids": .array(lostIDs.map { .string($0) }), "failed_sends": .integer(Int64(failedSends)),
                    "publish_to_ack": publish.json, "delivery": delivery.json, "connect": connect.json,
                ],
                "attacks": .object(attacks.mapValues { .integer(Int64($0)) }),
            ]
            if let firstFailure { object["first_failure"] = .string(firstFailure) }
            return .object(object)
        }
    }

    private let options: Options
    private let stopping = Atomic<Bool>(false)
    private let results = Mutex(Result())
    /// Legitimate reports: id → when it was sent (monotonic ns); removed when delivered.
    private let inFlight = Mutex<[String: UInt64]>([:])
    private let acknowledgedIDs = Mutex<Set<String>>([])

    public init(options: Options) { self.options = options }

    private func count(_ attack: String, _ n: Int = 1) { results.withLock { $0.attacks[attack, default: 0] += n } }
    private func note(_ failure: String) { results.withLock { if $0.firstFailure == nil { $0.firstFailure = failure } } }
    private var running: Bool { !stopping.load(ordering: .relaxed) }

    private func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread { body() }
        thread.name = name
        thread.start()
    }

    public func run() -> Result {
        _ = raiseOpenFileLimit()
        let watching = DispatchSemaphore(value: 0)
        // The threads end on their own once `stopping` (and `watcherDone`) is set.
        spawn("board") { self.watch(ready: watching) }
        watching.wait()
        let attacks: [(String, @Sendable () -> Void)] = [
            ("large-reports", { self.largeReports() }), ("fetches", { self.fetches() }), ("subscriptions", { self.subscriptions() }),
            ("previews", { self.previews() }), ("unread", { self.unreadPipelines() }), ("slow-frames", { self.slowFrames() }),
            ("unread-answers", { self.unreadAnswers() }), ("unauthenticated", { self.unauthenticated() }),
        ]
        for (name, attack) in attacks where options.attacks.map({ $0.contains(name) }) ?? true {
            if name == "unread-answers" && options.reader == nil { continue }
            spawn(name, attack)
        }
        spawn("officer") {
            self.legitimate()
            self.officerDone.store(true, ordering: .relaxed)
        }
        Thread.sleep(forTimeInterval: options.duration)
        stopping.store(true, ordering: .relaxed)
        // Let deliveries of what was acknowledged arrive (up to 30 s). The officer's
        // last send counts only once its answer is in: without waiting for it, a report
        // acknowledged just after the check was counted lost although it was on its way.
        let drainUntil = Date().addingTimeInterval(30)
        while Date() < drainUntil, !officerDone.load(ordering: .relaxed) { Thread.sleep(forTimeInterval: 0.05) }
        while Date() < drainUntil {
            let waiting = acknowledgedIDs.withLock { ids in inFlight.withLock { $0.keys.filter { ids.contains($0) }.count } }
            if waiting == 0 { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        watcherDone.store(true, ordering: .relaxed)
        Thread.sleep(forTimeInterval: 0.5)
        var result = results.withLock { $0 }
        let acknowledged = acknowledgedIDs.withLock { $0 }
        result.lostIDs = inFlight.withLock { $0.keys.filter { acknowledged.contains($0) }.sorted() }
        result.lost = result.lostIDs.count
        return result
    }

    private let watcherDone = Atomic<Bool>(false)
    private let officerDone = Atomic<Bool>(false)

    // MARK: the legitimate users

    /// The watcher (a reader who may subscribe to it) watches border/TN/#, confirming each delivery.
    private func watch(ready: DispatchSemaphore) {
        var signalled = false
        defer { if !signalled { ready.signal() } }
        while !watcherDone.load(ordering: .relaxed) {
            do {
                let client = try ClientConnection(options.client(options.board))
                try client.request(.subscribe, ["filter": "border/TN/#"])
                try client.request(.watch, ["filter": "border/TN/#"])
                if !signalled {
                    signalled = true
                    ready.signal()
                }
                while !watcherDone.load(ordering: .relaxed) {
                    let frame = try client.receiveFrame()
                    guard frame.type == MessageType.deliver.rawValue, let message = try? Message(frame: frame),
                        let id = message.body["report"]?["id"]?.stringValue
                    else { continue }
                    let now = Timestamp.monotonicNanoseconds()
                    if let sent = inFlight.withLock({ $0.removeValue(forKey: id) }) {
                        results.withLock {
                            $0.delivered += 1
                            $0.delivery.record(microseconds: (now - sent) / 1000)
                        }
                    }
                    try client.send(Frame(type: MessageType.confirm.rawValue, requestID: 0, payload: JSONValue.object(["ids": [.string(id)]]).encoded()))
                }
                client.close()
            } catch {
                note("board watcher: \(error)")
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
    }

    /// The second officer: a signed border report every 1/rate s, each on a new
    /// connection (as `ilo send` does): connect time and publish→ACCEPTED.
    private func legitimate() {
        guard let signer = try? TLSCredentials(certificate: options.officer.certificate, privateKey: options.officer.key, checkKeyPermissions: false),
            let identity = try? PeerIdentity(certificateFile: options.officer.certificate)
        else {
            note("cannot read the officer's certificate or key")
            return
        }
        let interval = 1 / options.rate
        var next = Date()
        while running {
            next = next.addingTimeInterval(interval)
            let id = ReportID.generate().description
            let document: JSONValue = [
                "id": .string(id), "kind": "border", "country": "TN", "headline": "Queue at Ras Ajdir", "priority": "immediate",
                "reliability": "B", "accuracy": 2, "level": "operational",
                "created": .string(Timestamp.format(milliseconds: Timestamp.nowMilliseconds())),
                "body": ["location": ["crossing_point": "Ras Ajdir"], "situation_type": "congestion", "time": "2026-11-22T02:15:00Z", "impact": "medium"],
            ]
            results.withLock { $0.sent += 1 }
            do {
                let report = try signer.sign(try Report.validate(document, sender: Origin(identity)))
                let began = Timestamp.monotonicNanoseconds()
                let client = try ClientConnection(options.client(options.officer))
                let connected = Timestamp.monotonicNanoseconds()
                inFlight.withLock { $0[id] = connected }
                let answer = try client.request(.publish, ["report": report.document])
                let acknowledged = Timestamp.monotonicNanoseconds()
                client.close()
                if answer.type == .accepted {
                    acknowledgedIDs.withLock { _ = $0.insert(id) }
                    results.withLock {
                        $0.acknowledged += 1
                        $0.connect.record(microseconds: (connected - began) / 1000)
                        $0.publish.record(microseconds: (acknowledged - connected) / 1000)
                    }
                }
            } catch {
                results.withLock { $0.failedSends += 1 }
                note("legitimate send: \(error)")
            }
            let wait = next.timeIntervalSinceNow
            if wait > 0 { Thread.sleep(forTimeInterval: wait) } else { next = Date() }
        }
    }

    // MARK: the attacks, all by one officer identity

    private func attackerConnection() -> ClientConnection? {
        do { return try ClientConnection(options.client(options.attacker)) } catch {
            count("attacker-connect-refused")
            Thread.sleep(forTimeInterval: 0.2)
            return nil
        }
    }

    /// Reports of about 24 KB, as fast as the node takes them.
    private func largeReports() {
        let obstacles = (0..<48).map { JSONValue.string("Obstacle \($0): " + String(repeating: "paperwork ", count: 48)) }
        while running {
            guard let client = attackerConnection() else { continue }
            while running {
                let document: JSONValue = [
                    "id": .string(ReportID.generate().description), "kind": "return", "country": "LY", "headline": "Return obstacles",
                    "reliability": "B", "accuracy": 2, "level": "strategic",
                    "created": .string(Timestamp.format(milliseconds: Timestamp.nowMilliseconds())),
                    "body": ["returnees": 12, "nationality": "NG", "travel_document_status": "third-country-travel-document", "readmission_cooperation": ["assessment": "partial"],
                             "obstacles": .array(obstacles)],
                ]
                do {
                    try client.request(.publish, ["report": document])
                    count("large-reports-accepted")
                } catch ClientError.refused(let refusal) where !refusal.code.closesConnection {
                    count("large-reports-refused")
                } catch {
                    break
                }
            }
        }
    }

    private func fetches() {
        while running {
            guard let client = attackerConnection() else { continue }
            while running {
                do {
                    try client.request(.fetch, ["limit": 500])
                    count("fetches")
                } catch { break }
            }
        }
    }

    private func subscriptions() {
        guard let client = attackerConnection() else { return }
        for i in 0..<options.subscriptionAttempts where running {
            do {
                try client.request(.subscribe, ["filter": .string("smuggling/LY/route\(i)")])
                count("subscriptions-accepted")
            } catch ClientError.refused {
                count("subscriptions-refused")
            } catch {
                return
            }
        }
    }

    /// 100-year previews of return/LY/# (its own 24 KB reports among them), eight in flight on one connection.
    private func previews() {
        let request = Array(##"{"filter":"return/LY/#","since":"36500d"}"##.utf8)
        while running {
            guard let client = attackerConnection() else { continue }
            var id: UInt32 = 1
            do {
                for _ in 0..<8 {
                    try client.send(Frame(type: MessageType.digestPreview.rawValue, requestID: id, payload: request))
                    id += 1
                }
                while running {
                    let frame = try client.receiveFrame()
                    if frame.type == MessageType.digest.rawValue {
                        count("previews-answered")
                    } else {
                        count("previews-refused-" + ((try? Message(frame: frame))?.body["code"]?.stringValue ?? "?"))
                    }
                    try client.send(Frame(type: MessageType.digestPreview.rawValue, requestID: id, payload: request))
                    id += 1
                }
            } catch {}
        }
    }

    /// Connections that send 300 FETCHes and never read; up to ten held, the oldest replaced every 5 s.
    private func unreadPipelines() {
        var held: [ClientConnection] = []
        var burst: [UInt8] = []
        for id in 1...300 { burst += Frame(type: MessageType.fetch.rawValue, requestID: UInt32(id), payload: Array(#"{"limit":500}"#.utf8)).encoded() }
        while running {
            if let client = attackerConnection() {
                if (try? client.sendRaw(burst)) != nil { count("unread-pipelines") }
                held.append(client)
                if held.count > 10 { held.removeFirst().close() }
            }
            Thread.sleep(forTimeInterval: 5)
        }
        for client in held { client.close() }
    }

    /// Issue 27: --reader subscribes to everything, so that the attacker's 24 KB
    /// reports fill its inbox, then holds `unreadReaders` connections with a 4 KiB
    /// receive buffer, each of which pipelines 300 FETCHes of 500 and never reads
    /// (each answer fills a frame); a connection the node closes is opened again.
    private func unreadAnswers() {
        guard let reader = options.reader else { return }
        var client = options.client(reader)
        if let subscriber = try? ClientConnection(client) {
            _ = try? subscriber.request(.subscribe, ["filter": "#"])
            subscriber.close()
        }
        client.receiveBufferBytes = 4096
        var burst: [UInt8] = []
        for id in 1...300 { burst += Frame(type: MessageType.fetch.rawValue, requestID: UInt32(id), payload: Array(#"{"limit":500}"#.utf8)).encoded() }
        var held: [Int: ClientConnection] = [:]
        var round = 0
        while running {
            for slot in 0..<options.unreadReaders where held[slot] == nil {
                guard let connection = try? ClientConnection(client) else { continue }
                // The first rounds wait for the inbox to fill.
                if (try? connection.sendRaw(burst)) != nil { count("unread-answer-pipelines") }
                held[slot] = connection
            }
            Thread.sleep(forTimeInterval: 5)
            round += 1
            // Every 30 s the pipelines start again, over a fuller inbox.
            if round % 6 == 0 {
                for connection in held.values { connection.close() }
                held.removeAll()
            }
        }
        for connection in held.values { connection.close() }
    }

    /// Frames trickled a byte a second after HELLO.
    private func slowFrames() {
        var clients: [(ClientConnection, [UInt8], Int)] = []
        let frame = Frame(type: MessageType.ping.rawValue, requestID: 1, payload: Array(String(repeating: " ", count: 200).utf8)).encoded()
        while running {
            while clients.count < options.slowFrames, running, let client = attackerConnection() { clients.append((client, frame, 0)) }
            var kept: [(ClientConnection, [UInt8], Int)] = []
            for (client, bytes, offset) in clients {
                if offset < bytes.count - 1, (try? client.sendRaw([bytes[offset]])) != nil {
                    kept.append((client, bytes, offset + 1))
                } else {
                    count("slow-frames-cut")
                    client.close()
                }
            }
            clients = kept
            Thread.sleep(forTimeInterval: 1)
        }
        for (client, _, _) in clients { client.close() }
    }

    /// Plain TCP sockets from other loopback addresses (127.0.2.x), never a
    /// TLS byte; reopened when the node closes them.
    private func unauthenticated() {
        var sockets: [Int32] = []
        var opened = 0
        while running {
            sockets = sockets.filter { fd in
                var byte: UInt8 = 0
                let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
                let closed = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
                if closed { close(fd) }
                return !closed
            }
            while sockets.count < options.unauthenticated, running {
                let source = "127.0.2.\(1 + opened % 200)"
                guard let fd = AbuseBench.plainConnection(to: options.node, from: source) else { break }
                sockets.append(fd)
                opened += 1
            }
            results.withLock { $0.attacks["unauthenticated-opened"] = opened }
            Thread.sleep(forTimeInterval: 1)
        }
        for fd in sockets { close(fd) }
    }

    static func plainConnection(to node: Endpoint, from source: String) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = node.port.bigEndian
        remote.sin_addr.s_addr = inet_addr(node.host == "localhost" ? "127.0.0.1" : node.host)
        let ok = withUnsafePointer(to: &local) { l in
            l.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0 && withUnsafePointer(to: &remote) { r in
            r.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
        if !ok {
            close(fd)
            return nil
        }
        return fd
    }
}
