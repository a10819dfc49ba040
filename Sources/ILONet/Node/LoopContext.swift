import Glibc

/// One event loop's share of a node: its listening sockets, its sessions and the
/// once-a-second sweep that enforces deadlines. Confined to that loop.
final class LoopContext {
    let loop: EventLoop
    let services: NodeServices
    private var sessions: [ObjectIdentifier: ServerSession] = [:]
    /// The web view's connections (`web.listen`).
    private var webSessions: [ObjectIdentifier: WebSession] = [:]
    private var listeners: [Listener] = []
    private var sweepTimer: TimerHandle?
    private var stopping = false

    init(loop: EventLoop, services: NodeServices) {
        self.loop = loop
        self.services = services
        let threads = max(1, services.configuration.threadCount)
        self.handshakes = HandshakeSlots(
            overall: services.configuration.handshakingLimit / threads,
            perAddress: services.configuration.maximumHandshakingPerAddress / threads)
    }

    var sessionCount: Int { sessions.count + webSessions.count }

    func start(listeningOn fds: [Int32], web: Int32? = nil) throws(SystemError) {
        for fd in fds {
            let listener = Listener(fd: fd, context: self)
            try loop.register(fd: fd, handler: listener)
            listeners.append(listener)
        }
        if let web {
            let listener = Listener(fd: web, context: self, web: true)
            try loop.register(fd: web, handler: listener)
            listeners.append(listener)
        }
        scheduleSweep()
    }

    private func scheduleSweep() {
        sweepTimer = loop.schedule(after: 1) { [weak self] in
            guard let self, !self.stopping else { return }
            let now = Timestamp.monotonicNanoseconds()
            for session in Array(self.sessions.values) { session.checkDeadlines(now: now) }
            for session in Array(self.webSessions.values) { session.checkDeadlines(now: now) }
            self.services.memory.returnFreedMemory(connections: self.services.connections.load(ordering: .relaxed), now: now)
            self.scheduleSweep()
        }
    }

    /// Takes an accepted socket: wraps it in TLS and starts the handshake; on
    /// the web view's port the conversation is HTTP (`WebSession`).
    func adopt(fd: Int32, peer: String, web: Bool = false) {
        let address = HandshakeSlots.host(of: peer)
        // A full share makes room by closing a handshake of this loop's (HandshakeSlots).
        var full = handshakes.full(for: address)
        if let share = full, makeRoom(from: share == .address ? address : nil) { full = handshakes.full(for: address) }
        if let full {
            services.logger.warning(
                "connection refused: too many unfinished handshakes",
                full == .loop
                    ? ["peer": peer, "limit": String(handshakes.overall), "key": "limits.max-handshaking (this loop's share)"]
                    : ["peer": peer, "limit": String(handshakes.perAddress), "key": "limits.max-handshaking-per-address (this loop's share)"])
            services.metrics.count("ilonet_connections_refused_total", ["reason": full == .loop ? "handshaking" : "handshaking-per-address"])
            close(fd)
            services.connections.subtract(1, ordering: .relaxed)
            return
        }
        let connection: Connection
        do throws(OpenSSLError) {
            connection = try Connection(
                loop: loop, fd: fd, peerAddress: peer, context: services.tlsContext,
                maximumFrameSize: services.configuration.maximumFrameSize)
        } catch {
            services.logger.error("cannot set up TLS for a connection", ["peer": peer, "error": error.description])
            close(fd)
            services.connections.subtract(1, ordering: .relaxed)
            return
        }
        handshakes.add(connection, from: address)
        if web {
            let session = WebSession(connection: connection, context: self)
            webSessions[ObjectIdentifier(session)] = session
        } else {
            let session = ServerSession(connection: connection, context: self)
            sessions[ObjectIdentifier(session)] = session
        }
        do throws(SystemError) {
            try connection.start()
        } catch {
            connection.close(.localClose("cannot register with the event loop: \(error)"))
        }
    }

    /// Connections on this loop still in their TLS handshake.
    private var handshakes: HandshakeSlots
    var handshaking: Int { handshakes.count }

    /// A session's handshake finished, or it closed before.
    func handshakeEnded(_ connection: Connection) {
        handshakes.remove(connection)
    }

    /// Closes one of this loop's handshakes (from `address`, or any) to make
    /// room (`HandshakeSlots.victim`); true if one was closed.
    private func makeRoom(from address: String?) -> Bool {
        guard let (victim, silent) = handshakes.victim(from: address, now: Timestamp.monotonicNanoseconds()) else { return false }
        services.metrics.count("ilonet_connections_refused_total", ["reason": "handshake-evicted"])
        victim.close(.timeout(
            "handshake slots full (\(address == nil ? "limits.max-handshaking" : "limits.max-handshaking-per-address")): "
                + (silent ? "a socket that sent nothing makes room" : "the oldest unfinished handshake makes room")))
        return true
    }

    func remove(_ session: ServerSession, reason: CloseReason) {
        guard sessions.removeValue(forKey: ObjectIdentifier(session)) != nil else { return }
        services.connections.subtract(1, ordering: .relaxed)
        let connection = session.connection
        services.memory.noteFreed(bytes: connection.peakOutputBytes)
        switch reason {
        case .peerClosed, .localClose:
            services.logger.debug("connection closed", ["peer": connection.peerAddress, "identity": connection.identity?.id ?? "-"])
        case .protocolViolation:
            break  // already logged with its reason by the session
        default:
            services.logger.warning(
                "connection closed", ["peer": connection.peerAddress, "identity": connection.identity?.id ?? "-", "reason": reason.description])
        }
    }

    func remove(_ session: WebSession, reason: CloseReason) {
        guard webSessions.removeValue(forKey: ObjectIdentifier(session)) != nil else { return }
        services.connections.subtract(1, ordering: .relaxed)
        let connection = session.connection
        if case .handshakeFailed = reason {
            services.logger.info("web connection refused", ["peer": connection.peerAddress, "reason": reason.description])
        } else {
            services.logger.debug("web connection closed", ["peer": connection.peerAddress, "identity": connection.identity?.id ?? "-", "reason": reason.description])
        }
    }

    /// After a reload: every session checks its peer's certificate and admission
    /// again, and watchers re-read their streams under the new rules.
    func reauthorize() {
        for session in Array(sessions.values) { session.reauthorize() }
        for session in Array(webSessions.values) { session.reauthorize() }
    }

    /// Stops accepting and closes every connection (BYE first when possible).
    func shutdown() {
        stopping = true
        sweepTimer?.cancel()
        for listener in listeners { listener.close() }
        listeners.removeAll()
        for session in Array(sessions.values) {
            session.refuse(ProtocolError(.shuttingDown, "the node is stopping"))
            session.connection.close(.localClose("node stopping"))
        }
        for session in Array(webSessions.values) { session.connection.close(.localClose("node stopping")) }
    }
}

@available(*, unavailable)
extension LoopContext: Sendable {}
