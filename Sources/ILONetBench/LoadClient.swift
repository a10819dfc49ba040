import Glibc
import ILONet

/// One connection of the load generator: a publisher or a subscriber, speaking
/// ILONet, MQTT or NATS (JetStream). Confined to its loop; merges its figures into the generator
/// when it closes. In a resilient run it outlives its connections: it dials
/// again, sends what was not acknowledged again under the same report ids, and
/// keeps the generator's `DeliveryLedger`.
final class LoadClient: ConnectionDelegate {
    enum Role { case publisher, subscriber }

    let role: Role
    let index: Int
    let generator: LoadGenerator
    let loop: EventLoop
    private(set) var connection: Connection
    private let options: LoadOptions
    private let context: TLSContext
    /// Resilient runs: unacknowledged publications by request id, confirmations awaiting their answer.
    private var resend: [UInt32: [UInt8]] = [:]
    private var confirming: [UInt32: [String]] = [:]
    private var reconnectTimer: TimerHandle?
    private var closing = false
    private var onReady: (() -> Void)?
    private var result = LoadResult()
    private var inFlight: [UInt32: UInt64] = [:]
    private var nextID: UInt32 = 10
    private var publishing = false
    private var tokens = 0.0
    private var lastRefill = Timestamp.monotonicNanoseconds()
    private var timer: TimerHandle?
    private var pendingConfirms: [String] = []
    private var mqtt = MQTTCodec.Decoder()
    private var nats = NATSCodec.Decoder()
    private var template: [UInt8] = []
    private var idOffset = 0
    private var timeOffset = 0
    private var signed: SignedPayload?
    static let topic = "smuggling/LY/land"

    init(role: Role, index: Int, generator: LoadGenerator, loop: EventLoop, context: TLSContext, ready: @escaping () -> Void) throws {
        self.role = role
        self.index = index
        self.generator = generator
        self.loop = loop
        self.options = generator.options
        self.context = context
        self.onReady = ready
        connection = try LoadClient.open(role: role, options: generator.options, loop: loop, context: context)
        connection.delegate = self
        try buildTemplate()
        try connection.start()
    }

    private static func open(role: Role, options: LoadOptions, loop: EventLoop, context: TLSContext) throws -> Connection {
        let node = role == .subscriber ? options.subscriberNode ?? options.node : options.node
        let serverName = role == .subscriber && options.subscriberNode != nil ? options.subscriberServerName : options.serverName
        let fd = try Socket.connect(to: node)
        if options.wire == .nats { try readNATSInfo(fd) }
        let connection = try Connection(
            loop: loop, fd: fd, peerAddress: node.description, context: context, serverName: serverName ?? node.host,
            maximumFrameSize: 16 << 20, connecting: true)
        connection.rawMode = options.wire != .ilonet
        return connection
    }

    /// The subscriber's place in the ledger: one per subscriber identity.
    private var reader: Int { index % options.subscriberCredentials.count }

    // MARK: Payloads

    /// The bytes of one publication, with places for the id and the send time.
    private func buildTemplate() throws {
        let idMark = "IIIIIIII-IIII-7III-8III-IIIIIIIIIIII", timeMark = "TTTTTTTTTTTTTTTTTTTT"
        switch options.wire {
        case .mqtt, .nats:
            template = Array(timeMark.utf8) + Array(repeating: UInt8(ascii: "x"), count: max(0, options.payloadBytes - 20))
            timeOffset = 0
        case .ilonet:
            let created = Timestamp.format(milliseconds: Timestamp.nowMilliseconds() - 1000)
            func document(_ padding: Int) -> String {
                #"{"report":{"body":{"means_of_transport":["truck"],"modus_operandi":""# + String(repeating: "x", count: padding)
                    + #"","route":{"destination":["IT"],"origin":["NE"]}},"country":"LY","created":""# + created
                    + #"","headline":"bench "# + timeMark + #"","id":""# + idMark + #"","kind":"smuggling","level":"strategic","reliability":"X","accuracy":4}}"#
            }
            let overhead = document(1).utf8.count - 1
            let text = document(max(1, options.payloadBytes - overhead))
            let bytes = Array(text.utf8)
            template = bytes
            idOffset = Array(text.utf8).firstRange(of: Array(idMark.utf8))!.lowerBound
            timeOffset = Array(text.utf8).firstRange(of: Array(timeMark.utf8))!.lowerBound
            if options.signed && role == .publisher {
                guard case .object(var report)? = try JSONValue(parsing: bytes)["report"] else { throw LoadError("the report template is not an object") }
                report["id"] = nil
                let payload = try SignedPayload(
                    document: .object(report), timeMark: timeMark, certificate: options.publisher.certificate, key: options.publisher.key)
                (signed, idOffset, timeOffset) = (payload, payload.headID, payload.headTime)
            }
        }
    }

    private func payload(sentAt: UInt64) -> [UInt8] {
        let digits = Array(String(sentAt).utf8)
        let padded = Array(repeating: UInt8(ascii: "0"), count: 20 - digits.count) + digits
        if signed != nil, let bytes = try? signed!.payload(id: Array(ReportID.generate().description.utf8), time: padded) {
            return bytes
        }
        var bytes = template
        bytes.replaceSubrange(timeOffset..<(timeOffset + 20), with: padded)
        if options.wire == .ilonet {
            bytes.replaceSubrange(idOffset..<(idOffset + 36), with: Array(ReportID.generate().description.utf8))
        }
        return bytes
    }

    /// The send time written into a payload (20 digits after `bench ` or at the start).
    static func sentAt(_ bytes: UnsafeRawBufferPointer, marker: [UInt8]) -> UInt64? {
        let start: Int
        if marker.isEmpty {
            start = 0
        } else {
            guard let range = bytes.firstRange(of: marker) else { return nil }
            start = range.upperBound
        }
        guard start + 20 <= bytes.count else { return nil }
        var value: UInt64 = 0
        for byte in bytes[start..<(start + 20)] {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + UInt64(byte - 0x30)
        }
        return value
    }

    // MARK: Connection

    func connectionDidBecomeReady(_ connection: Connection) {
        switch options.wire {
        case .ilonet:
            connection.send(Message(.hello, requestID: 1, ["protocol": "ilonet", "versions": [1]]))
        case .mqtt:
            connection.sendRaw(MQTTCodec.connect(clientID: clientName, cleanSession: role == .publisher))
        case .nats:
            connection.sendRaw(NATSCodec.connect(name: clientName))
            connection.sendRaw(NATSCodec.subscribe(inbox + ".*", sid: 1))
            connection.sendRaw(NATSCodec.createStream(reply: inbox + ".stream"))
            if role == .subscriber { connection.sendRaw(NATSCodec.subscribe(deliverSubject, sid: 2)) }
        }
    }

    func connection(_ connection: Connection, didReceive frame: Frame) {
        guard let type = MessageType(rawValue: frame.type) else { return }
        switch type {
        case .welcome:
            if role == .subscriber {
                connection.send(Message(.subscribe, requestID: 2, ["filter": "#"]))
            } else {
                becomeReady()
                sendAgain()  // resilient runs: what the last connection left unacknowledged
                fill()
            }
        case .ok where frame.requestID == 2:
            connection.send(Message(.watch, requestID: 3))
        case .ok where frame.requestID == 3:
            becomeReady()
            scheduleConfirms()
        case .ok:
            if let ids = confirming.removeValue(forKey: frame.requestID) { generator.ledger?.confirmed(ids, by: reader) }
        case .accepted:
            acknowledged(frame.requestID)
        case .deliver:
            frame.payload.withUnsafeBytes { raw in
                if let sent = LoadClient.sentAt(raw, marker: Array("\"headline\":\"bench ".utf8)) { delivered(sentAt: sent) }
                if let range = raw.firstRange(of: Array("\"id\":\"".utf8)), range.upperBound + 36 <= raw.count {
                    let id = String(decoding: raw[range.upperBound..<(range.upperBound + 36)], as: UTF8.self)
                    pendingConfirms.append(id)
                    generator.ledger?.delivered(id, to: reader)
                }
            }
            if pendingConfirms.count >= 32 { flushConfirms() }
        case .error:
            let error = ProtocolError(message: (try? Message(frame: frame)) ?? Message(.error))
            if options.resilient, [.rateLimited, .storeUnavailable, .queueFull].contains(error.code), resend[frame.requestID] != nil {
                sendAgain(after: 0.2, frame.requestID)  // transient: nothing was accepted; the same report again
                return
            }
            result.errors += 1
            if result.firstError == nil { result.firstError = error.description }
            if let payload = resend.removeValue(forKey: frame.requestID) { generator.ledger?.abandoned(reportID(payload)) }
            if inFlight.removeValue(forKey: frame.requestID) != nil { fill() }
        default:
            break
        }
    }

    func connection(_ connection: Connection, didReceiveBytes bytes: UnsafeRawBufferPointer) {
        if options.wire == .nats {
            for operation in nats.feed(bytes) { received(operation) }
            return
        }
        for packet in mqtt.feed(bytes) {
            switch packet.type {
            case .connack:
                guard packet.body.count >= 2, packet.body[1] == 0 else {
                    result.errors += 1
                    result.firstError = "CONNACK refused: \(packet.body)"
                    return
                }
                if role == .subscriber { connection.sendRaw(MQTTCodec.subscribe(topic: "smuggling/#", packetID: 1)) } else { becomeReady() }
            case .suback:
                becomeReady()
            case .puback:
                guard packet.body.count >= 2 else { continue }
                acknowledged(UInt32(packet.body[0]) << 8 | UInt32(packet.body[1]))
            case .publish:
                let body = packet.body
                guard body.count >= 2 else { continue }
                let topicLength = Int(body[0]) << 8 | Int(body[1])
                let qos = (packet.flags >> 1) & 3
                var offset = 2 + topicLength
                if qos > 0, body.count >= offset + 2 {
                    connection.sendRaw(MQTTCodec.puback(UInt16(body[offset]) << 8 | UInt16(body[offset + 1])))
                    offset += 2
                }
                body.withUnsafeBytes { raw in
                    if offset + 20 <= raw.count, let sent = LoadClient.sentAt(UnsafeRawBufferPointer(rebasing: raw[offset...]), marker: []) {
                        delivered(sentAt: sent)
                    }
                }
            default:
                break
            }
        }
    }

    // MARK: NATS JetStream

    /// Names for the NATS and MQTT sessions, the publisher's reply inbox, and the
    /// subject the subscriber's durable consumer delivers to.
    private var clientName: String { "ilonet-bench-\(role == .publisher ? "pub" : "sub")-\(index)" }
    private var inbox: String { "_INBOX.\(clientName)" }
    private var deliverSubject: String { "ILONET_BENCH_DELIVER.\(index)" }

    /// A NATS server sends its INFO line in plain text before TLS begins; read
    /// it (up to 5 s) before the TLS handshake starts. This blocks the loop while
    /// the load connects, before anything is measured.
    private static func readNATSInfo(_ fd: Int32) throws {
        var line: [UInt8] = []
        let deadline = Timestamp.monotonicNanoseconds() + 5_000_000_000
        var chunk = [UInt8](repeating: 0, count: 4096)
        while line.firstRange(of: [13, 10]) == nil {
            guard Timestamp.monotonicNanoseconds() < deadline, line.count < 65_536 else { throw LoadError("no INFO line from the NATS server") }
            var waiting = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&waiting, 1, 100)
            // Only up to the end of the line: what follows is TLS.
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 1, 0) }
            if count > 0 {
                line.append(chunk[0])
            } else if count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                throw LoadError("the NATS server closed the connection before its INFO line")
            }
        }
        guard line.starts(with: Array("INFO ".utf8)) else { throw LoadError("expected INFO from the NATS server, got \(String(decoding: line.prefix(80), as: UTF8.self))") }
    }

    private func received(_ operation: NATSCodec.Operation) {
        switch operation {
        case .ping:
            connection.sendRaw(NATSCodec.pong)
        case .error(let text):
            result.errors += 1
            if result.firstError == nil { result.firstError = "NATS: \(text)" }
        case .message(let subject, let reply, let payload):
            // A consumer's delivery keeps the stream's subject; its reply subject is where it is acknowledged.
            if let reply, reply.hasPrefix("$JS.ACK.") {
                connection.sendRaw(NATSCodec.publish(reply, reply: nil, payload: []))
                payload.withUnsafeBytes { raw in
                    if let sent = LoadClient.sentAt(raw, marker: []) { delivered(sentAt: sent) }
                }
                return
            }
            guard subject.hasPrefix(inbox) else { return }
            let answer = subject.dropFirst(inbox.count + 1)
            let refused = payload.isEmpty || payload.firstRange(of: Array(#""error""#.utf8)) != nil
            if refused {
                result.errors += 1
                if result.firstError == nil { result.firstError = "JetStream \(answer): " + (payload.isEmpty ? "no answer (no responders)" : String(decoding: payload.prefix(200), as: UTF8.self)) }
            }
            switch answer {
            case "stream":
                if role == .subscriber {
                    connection.sendRaw(NATSCodec.createConsumer(durable: "ilonet-bench-\(index)", deliver: deliverSubject, reply: inbox + ".consumer"))
                } else {
                    becomeReady()
                }
            case "consumer":
                becomeReady()
            default:
                guard let id = UInt32(answer) else { return }
                if refused {
                    if inFlight.removeValue(forKey: id) != nil { fill() }
                } else {
                    acknowledged(id)
                }
            }
        case .pong, .ok, .info:
            break
        }
    }

    func connection(_ connection: Connection, didFailFraming error: FrameError) {
        result.errors += 1
        result.firstError = result.firstError ?? error.description
        connection.close(.localClose(error.description))
    }

    func connectionDidClose(_ closed: Connection, reason: CloseReason) {
        if case .localClose = reason { return }
        guard closed === connection else { return }
        if options.resilient && !closing {
            result.reconnects += 1
            if role == .subscriber { timer?.cancel() }
            pendingConfirms.removeAll()
            confirming.removeAll()  // unanswered: those reports will come again
            scheduleReconnect()
            return
        }
        result.errors += 1
        if result.firstError == nil { result.firstError = reason.description }
        becomeReady()  // never leave the generator waiting
    }

    // MARK: Reconnecting (resilient runs)

    private func scheduleReconnect() {
        reconnectTimer = loop.schedule(after: 0.2) { [weak self] in self?.reconnect() }
    }

    private func reconnect() {
        guard !closing else { return }
        do {
            connection = try LoadClient.open(role: role, options: options, loop: loop, context: context)
            connection.delegate = self
            try connection.start()
        } catch {
            scheduleReconnect()
        }
    }

    /// Every unacknowledged publication again, under its first request id and report id.
    private func sendAgain() {
        for requestID in resend.keys.sorted() {
            connection.send(Frame(type: MessageType.publish.rawValue, requestID: requestID, payload: resend[requestID]!))
        }
    }

    private func sendAgain(after delay: Double, _ requestID: UInt32) {
        _ = loop.schedule(after: delay) { [weak self] in
            guard let self, let payload = self.resend[requestID], self.connection.isOpen else { return }
            self.connection.send(Frame(type: MessageType.publish.rawValue, requestID: requestID, payload: payload))
        }
    }

    private func reportID(_ payload: [UInt8]) -> String {
        String(decoding: payload[idOffset..<(idOffset + 36)], as: UTF8.self)
    }

    private func becomeReady() {
        onReady?()
        onReady = nil
    }

    // MARK: Publishing

    func begin() {
        guard role == .publisher else { return }
        publishing = true
        if options.rate != nil {
            lastRefill = Timestamp.monotonicNanoseconds()
            tick()
        }
        fill()
    }

    private func tick() {
        timer = loop.schedule(after: 0.001) { [weak self] in
            guard let self, self.publishing else { return }
            self.fill()
            self.tick()
        }
    }

    private func fill() {
        guard publishing, connection.isOpen else { return }
        if let rate = options.rate {
            let now = Timestamp.monotonicNanoseconds()
            tokens = min(Double(options.window), tokens + rate / Double(options.publishers) * Double(now - lastRefill) / 1e9)
            lastRefill = now
        }
        while inFlight.count < options.window && (options.rate == nil || tokens >= 1) {
            tokens -= 1
            let now = Timestamp.monotonicNanoseconds()
            switch options.wire {
            case .ilonet:
                nextID = nextID == UInt32.max ? 10 : nextID + 1
                inFlight[nextID] = now
                let bytes = payload(sentAt: now)
                if let ledger = generator.ledger {
                    resend[nextID] = bytes
                    ledger.sent(reportID(bytes))
                }
                connection.send(Frame(type: MessageType.publish.rawValue, requestID: nextID, payload: bytes))
            case .mqtt:
                nextID = nextID >= 65_535 ? 1 : nextID + 1
                inFlight[nextID] = now
                connection.sendRaw(MQTTCodec.publish(topic: LoadClient.topic, packetID: UInt16(nextID), payload: payload(sentAt: now)))
            case .nats:
                nextID = nextID == UInt32.max ? 10 : nextID + 1
                inFlight[nextID] = now
                connection.sendRaw(NATSCodec.publish(NATSCodec.subject, reply: "\(inbox).\(nextID)", payload: payload(sentAt: now)))
            }
            if generator.measuring { result.sent += 1 }
        }
    }

    private func acknowledged(_ id: UInt32) {
        guard let sent = inFlight.removeValue(forKey: id) else { return }
        if let payload = resend.removeValue(forKey: id) { generator.ledger?.acknowledged(reportID(payload)) }
        if generator.measuring {
            result.acknowledged += 1
            result.ack.record(microseconds: (Timestamp.monotonicNanoseconds() - sent) / 1000)
        }
        fill()
    }

    private func delivered(sentAt: UInt64) {
        guard generator.measuring else { return }
        result.delivered += 1
        let now = Timestamp.monotonicNanoseconds()
        result.delivery.record(microseconds: now > sentAt ? (now - sentAt) / 1000 : 0)
    }

    // MARK: Confirming (ILONet subscribers)

    private func scheduleConfirms() {
        timer = loop.schedule(after: 0.002) { [weak self] in
            guard let self, self.connection.isOpen else { return }
            self.flushConfirms()
            self.scheduleConfirms()
        }
    }

    private func flushConfirms() {
        guard !pendingConfirms.isEmpty else { return }
        nextID += 1
        if generator.ledger != nil { confirming[nextID] = pendingConfirms }
        connection.send(Message(.confirm, requestID: nextID, ["ids": .array(pendingConfirms.map { .string($0) })]))
        pendingConfirms.removeAll(keepingCapacity: true)
    }

    func stopPublishing() { publishing = false }

    func close() {
        closing = true
        reconnectTimer?.cancel()
        timer?.cancel()
        let figures = result
        generator.record { total in
            total.sent += figures.sent
            total.acknowledged += figures.acknowledged
            total.delivered += figures.delivered
            total.errors += figures.errors
            total.reconnects += figures.reconnects
            if total.firstError == nil { total.firstError = figures.firstError }
            total.ack.merge(figures.ack)
            total.delivery.merge(figures.delivery)
        }
        connection.close(.localClose("load finished"))
    }
}

@available(*, unavailable)
extension LoadClient: Sendable {}
