import Glibc

/// Keeps a link to one peer that this node connects to (a `peer NAME HOST:PORT`
/// line): connect, verify that the certificate names NAME, HELLO, then forward
/// and receive on the link; when it drops, try again after a backoff. Confined
/// to its loop.
final class PeerDialer: ConnectionDelegate {
    let peer: Peer
    let loop: EventLoop
    let services: NodeServices
    private var connection: Connection?
    private var forwarder: Forwarder?
    private var failures = 0
    private var retryTimer: TimerHandle?
    private var welcomeTimer: TimerHandle?
    private var stopped = false
    private var welcomed = false
    private let backoff: Backoff

    init(peer: Peer, loop: EventLoop, services: NodeServices) {
        self.peer = peer
        self.loop = loop
        self.services = services
        self.backoff = Backoff(initial: services.configuration.backoffInitial, maximum: services.configuration.backoffMaximum)
    }

    func connectNow() {
        guard !stopped, connection == nil else { return }
        retryTimer?.cancel()
        failures = 0
        connect()
    }

    func connect() {
        guard !stopped, connection == nil, let endpoint = peer.endpoint else { return }
        welcomed = false
        services.peers.update(peer.name) { $0.state = "connecting"; $0.nextAttempt = nil }
        do {
            let fd = try Socket.connect(to: endpoint)
            let connection = try Connection(
                loop: loop, fd: fd, peerAddress: endpoint.description, context: services.clientTLSContext, serverName: peer.name,
                maximumFrameSize: services.configuration.maximumFrameSize, connecting: true)
            connection.delegate = self
            self.connection = connection
            try connection.start()
            // A path that swallows packets closes nothing: give up on a link that
            // is not welcomed in time, as the listening side does.
            let deadline = services.configuration.handshakeTimeout + services.configuration.helloTimeout
            welcomeTimer?.cancel()
            welcomeTimer = loop.schedule(after: deadline) { [weak self, weak connection] in
                guard let self, let connection, connection === self.connection, !self.welcomed else { return }
                connection.close(.timeout("no WELCOME from \(self.peer.name) within \(Int(deadline))s"))
            }
        } catch {
            linkFailed("\(error)")
        }
    }

    func stop() {
        stopped = true
        retryTimer?.cancel()
        welcomeTimer?.cancel()
        connection?.close(.localClose("node stopping"))
    }

    private func linkFailed(_ reason: String) {
        connection = nil
        forwarder?.stop(reason: reason)
        forwarder = nil
        guard !stopped else { return }
        let delay = backoff.delay(afterFailures: failures)
        failures += 1
        let next = Timestamp.nowMilliseconds() + Int64(delay * 1000)
        services.peers.update(peer.name) {
            if $0.state != "down" { $0.since = Timestamp.nowMilliseconds() }
            $0.state = "down"
            $0.lastError = reason
            $0.nextAttempt = next
        }
        services.logger.info("link to peer down; will retry", ["peer": peer.name, "reason": reason, "retry_in": String(format: "%.1fs", delay)])
        retryTimer = loop.schedule(after: delay) { [weak self] in self?.connect() }
    }

    // MARK: ConnectionDelegate

    func connectionDidBecomeReady(_ connection: Connection) {
        // The TLS layer already checked that the certificate names `peer.name`.
        guard let identity = connection.identity, identity.role == .node, identity.id == peer.name else {
            connection.close(.localClose("the peer's certificate is not node \(peer.name)"))
            return
        }
        connection.send(Message(.hello, requestID: 1, ["protocol": "ilonet", "versions": [1], "agent": .string("ilod/\(ILONetVersion.current)")]))
    }

    func connection(_ connection: Connection, didReceive frame: Frame) {
        guard let message = try? Message(frame: frame) else { return }
        switch message.type {
        case .welcome where !welcomed:
            welcomed = true
            failures = 0
            let forwarder = Forwarder(peer: peer.name, connection: connection, services: services)
            if forwarder.start() { self.forwarder = forwarder }
        case .forward where welcomed:
            intake(message, on: connection)
        case .interest where welcomed:
            services.receiveInterest(message, from: peer.name)
        case .upload where welcomed, .chunk where welcomed:
            attachmentIntake(message, on: connection)
        case .accepted, .error, .uploadState:
            if forwarder?.handleAnswer(message) != true, message.type == .error {
                let error = ProtocolError(message: message)
                services.logger.warning("peer refused the link", ["peer": peer.name, "code": error.code.rawValue, "reason": error.message])
            }
        case .ping:
            connection.send(Message(.pong, requestID: message.requestID))
        default:
            break
        }
    }

    private func intake(_ message: Message, on connection: Connection) {
        do throws(ProtocolError) {
            let (report, path, signer) = try ForwardIntake.admit(message, from: peer.name, services: services)
            let deliverTo = try ForwardIntake.deliverTo(message)
            let bound = LoopBound(connection, loop: loop)
            let services = self.services
            services.takeCustody(of: report, arrivedVia: path, signer: signer, deliverTo: deliverTo) { result in
                let answer = ForwardIntake.answer(result, report: report, requestID: message.requestID, services: services)
                bound.loop.execute { bound.value.send(answer) }
            }
        } catch {
            services.metrics.count("ilonet_requests_refused_total", ["code": error.code.rawValue])
            connection.send(.error(error))
        }
    }

    /// The peer's files for the reports it forwards next, taken as from anyone.
    private func attachmentIntake(_ message: Message, on connection: Connection) {
        do throws(ProtocolError) {
            let job = message.type == .upload
                ? try AttachmentIntake.upload(message, from: peer.name, limit: services.configuration.reportDefaults.maximumAttachmentBytes)
                : try AttachmentIntake.chunk(message, from: peer.name)
            let bound = LoopBound(connection, loop: loop)
            let services = self.services
            services.store.submit(job.run) { result in
                AttachmentIntake.finish(result, job: job, services: services) { answer in
                    bound.loop.execute { bound.value.send(answer) }
                }
            }
        } catch {
            services.metrics.count("ilonet_requests_refused_total", ["code": error.code.rawValue])
            connection.send(.error(error))
        }
    }

    func connection(_ connection: Connection, didFailFraming error: FrameError) {
        connection.close(.localClose(error.description))
    }

    func connectionDidClose(_ connection: Connection, reason: CloseReason) {
        guard connection === self.connection else { return }
        services.metrics.countHandshakeFailure(reason, side: "client")
        linkFailed(reason.description)
    }
}

@available(*, unavailable)
extension PeerDialer: Sendable {}
