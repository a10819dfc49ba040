/// The protocol conversation with one connected peer, on the server side.
/// Owns its `Connection`; confined to that connection's loop.
///
/// The web view (`WebSession`) runs its requests through a session of its own
/// with an `outlet`: the same messages, the same checks and the same single
/// disclosure decision, with the answers going to the page being built
/// instead of onto the wire.
final class ServerSession: ConnectionDelegate {
    let connection: Connection
    /// Where answers go when not onto `connection` (the web view).
    let outlet: ((Message) -> Void)?
    unowned let context: LoopContext
    private(set) var protocolState = ServerProtocolState()
    private var readyAt: UInt64 = 0
    // Flow control (ServerSession+FlowControl.swift): what this connection has on its way.
    var storeRequestsInFlight = 0
    var readsInFlight = 0
    /// Bytes kept for answers being computed.
    var answerBytesInFlight = 0
    /// Reading waits until the identity's answers on their way fall below their bound.
    var waitingForIdentityRoom = false
    /// What this connection counts against its identity's answer bytes (`chargeIdentity`).
    var identityCharged = 0
    /// The room the request being handled keeps for its answer (`answerRoom(for:)`).
    var answerRoomForRequest = ServerSession.smallAnswer
    /// Set when the peer is a configured node: drains our queue for it over this link.
    private var forwarder: Forwarder?
    /// Set while the peer watches its deliveries (`ilo watch`).
    var watcher: Watcher?
    /// Set once this connection counts against its identity's connection limit.
    private(set) var countedIdentity: String?
    /// True until the handshake finished: the connection counts in its loop's `HandshakeSlots`.
    private var countedHandshaking = true
    /// Between HELLO and WELCOME: the certificate's subject is being checked; nothing more is read.
    var admissionPending = false

    init(connection: Connection, context: LoopContext) {
        self.connection = connection
        self.context = context
        self.outlet = nil
        connection.delegate = self
    }

    /// A session for the web view: `connection` stays the web session's (it is
    /// not this session's delegate), answers go to `outlet`, and it is not
    /// counted as a protocol connection.
    init(webConnection connection: Connection, context: LoopContext, outlet: @escaping (Message) -> Void) {
        self.connection = connection
        self.context = context
        self.outlet = outlet
        self.countedHandshaking = false
    }

    /// Sends an answer: onto the wire, or to the web view's page.
    func send(_ message: Message) {
        if let outlet { outlet(message) } else { connection.send(message) }
    }

    /// Sends an answer already encoded (a listing with stored documents spliced in).
    func send(_ frame: Frame) {
        if let outlet {
            if let message = try? Message(frame: frame) { outlet(message) }
        } else {
            connection.send(frame)
        }
    }

    /// Ends the conversation after what was sent. The web view ends its own
    /// connection once the page with the error has gone.
    private func endConnection(_ reason: CloseReason) {
        if outlet == nil { connection.closeAfterFlush(reason) }
    }

    /// Runs one request (the web view's entry; the protocol's is `didReceive`).
    func perform(_ message: Message) {
        switch protocolState.admit(message.type, requestID: message.requestID) {
        case .refuse(let error): refuse(error)
        case .handle: handle(message)
        }
    }

    /// Releases what HELLO took (the identity's connection slot); the web view
    /// calls it when its connection closes.
    func release() {
        protocolState.close()
        releaseIdentityCharge()
        if let id = countedIdentity {
            node.identityLimits.releaseConnection(id)
            countedIdentity = nil
        }
    }

    /// Gives back everything this connection charged its identity (it closed).
    private func releaseIdentityCharge() {
        if let id = countedIdentity, identityCharged > 0 { node.identityLimits.releaseAnswer(id, bytes: identityCharged) }
        identityCharged = 0
    }

    var node: NodeServices { context.services }
    var identity: PeerIdentity? { connection.identity }

    // MARK: ConnectionDelegate

    func connectionDidBecomeReady(_ connection: Connection) {
        releaseHandshakeSlot()
        readyAt = Timestamp.monotonicNanoseconds()
        node.logger.debug(
            "connection authenticated",
            ["peer": connection.peerAddress, "identity": identity?.id ?? "?", "role": identity?.role.rawValue ?? "?", "tls": connection.tlsVersion,
             "resumed": connection.tlsResumed ? "yes" : "no"])
    }

    func connection(_ connection: Connection, didReceive frame: Frame) {
        // A report's size is known before its bytes are parsed.
        let limit = node.configuration.maximumReportSize
        if frame.payload.count > limit, protocolState.phase == .ready,
            frame.type == MessageType.publish.rawValue || frame.type == MessageType.forward.rawValue
        {
            refuse(
                ProtocolError(
                    .reportTooLarge, "the report is \(frame.payload.count) bytes; this node takes at most \(limit) (limits.max-report-bytes)",
                    requestID: frame.requestID))
            return
        }
        let message: Message
        do throws(ProtocolError) {
            message = try Message(frame: frame)
        } catch {
            refuse(error)
            return
        }
        perform(message)
    }

    func connection(_ connection: Connection, didFailFraming error: FrameError) {
        switch error {
        case .tooLarge: refuse(ProtocolError(.frameTooLarge, error.description))
        case .malformed: refuse(ProtocolError(.badFrame, error.description))
        }
    }

    private func releaseHandshakeSlot() {
        guard countedHandshaking else { return }
        countedHandshaking = false
        context.handshakeEnded(connection)
    }

    func connectionDidClose(_ connection: Connection, reason: CloseReason) {
        releaseHandshakeSlot()
        protocolState.close()
        node.metrics.countHandshakeFailure(reason, side: "server")
        releaseIdentityCharge()
        if let id = countedIdentity {
            node.identityLimits.releaseConnection(id)
            countedIdentity = nil
        }
        forwarder?.stop(reason: reason.description)
        forwarder = nil
        watcher?.stop()
        watcher = nil
        context.remove(self, reason: reason)
    }

    // MARK: Reload

    /// Takes the admission decision again with the trust roots, revocation list
    /// and access rules in force now: a revoked or no longer admitted identity is
    /// told and disconnected; a watcher re-reads its stream under the new rules.
    func reauthorize() {
        guard connection.isOpen, let identity, protocolState.phase == .ready else { return }
        var problem: String?
        if let reason = connection.tls.reverifyPeer(against: node.tlsContext) {
            problem = "your certificate no longer verifies at this node (\(reason)); if it was revoked, ask your deploying authority for a new one"
        } else {
            let decision = node.access.rules.decide(.connect, for: identity)
            if !decision.allowed { problem = "you are no longer admitted to this node: \(decision)" }
        }
        guard let problem else {
            watcher?.pull()
            return
        }
        node.logger.warning("closing connection after reload", ["peer": connection.peerAddress, "identity": identity.id, "reason": problem])
        let error = ProtocolError(.forbidden, problem)
        send(.error(error))
        protocolState.close()
        watcher?.stop()
        watcher = nil
        endConnection(.protocolViolation(error))
    }

    // MARK: Deadlines, checked by the loop's sweep once a second

    func checkDeadlines(now: UInt64) {
        let configuration = node.configuration
        if connection.isOpen, countedIdentity != nil {
            // Answers sent since leave what the identity is charged.
            chargeIdentity()
            updateReading()
        }
        switch connection.state {
        case .connecting, .handshaking:
            if Double(now - connection.openedAt) / 1e9 > configuration.handshakeTimeout {
                connection.close(.timeout("TLS handshake not finished within \(configuration.handshakeTimeout)s"))
            }
        case .open:
            if protocolState.phase == .awaitingHello, Double(now - readyAt) / 1e9 > configuration.helloTimeout {
                refuse(ProtocolError(.timeout, "no HELLO within \(configuration.helloTimeout)s"))
            } else if let age = connection.partialFrameAge(now: now), age > configuration.frameTimeout {
                refuse(
                    ProtocolError(
                        .timeout, "a frame took more than \(Int(configuration.frameTimeout))s to arrive (limits.frame-timeout); "
                            + "nothing in it was taken, send it again"))
            } else if storeRequestsInFlight == 0, readsInFlight == 0, Double(now - connection.lastActivity) / 1e9 > configuration.idleTimeout {
                refuse(ProtocolError(.timeout, "idle for more than \(configuration.idleTimeout)s"))
            }
        case .closed:
            break
        }
    }

    // MARK: Messages

    private func handle(_ message: Message) {
        answerRoomForRequest = ServerSession.answerRoom(for: message.type, frameBytes: node.configuration.maximumFrameSize)
        defer { answerRoomForRequest = ServerSession.smallAnswer }
        do throws(ProtocolError) {
            switch message.type {
            case .hello: try hello(message)
            case .ping: send(Message(.pong, requestID: message.requestID))
            case .pong: break
            case .bye:
                protocolState.close()
                endConnection(.peerClosed)
            case .publish: try publish(message)
            case .fetch: try fetch(message)
            case .confirm: try confirm(message)
            case .mark: try mark(message)
            case .get: try get(message)
            case .sent: try sentReports(message)
            case .orders: try orders(message)
            case .events: try eventList(message)
            case .event: try eventView(message)
            case .export: try export(message)
            case .record: try processingRecord(message)
            case .subjectFind: try subjectFind(message)
            case .directory: try directory(message)
            case .activity: try activity(message)
            case .search: try search(message)
            case .forward: try forward(message)
            case .accepted, .error, .uploadState: _ = forwarder?.handleAnswer(message)
            case .upload: try upload(message)
            case .chunk: try chunk(message)
            case .attachmentGet: try attachmentGet(message)
            case .interest: if let peer = identity?.id { node.receiveInterest(message, from: peer) }
            case .queue: try queueListing(message)
            case .queueControl: try queueControl(message)
            case .routeTest: try routeTest(message)
            case .status: try nodeStatus(message)
            case .audit: try auditListing(message)
            case .subscribe: try subscribe(message)
            case .unsubscribe: try unsubscribe(message)
            case .subscriptions: try listSubscriptions(message)
            case .watch: try watch(message)
            case .digestPreview: try digestPreview(message)
            default: break  // refused by admit()
            }
        } catch {
            refuse(error)
        }
    }

    /// Answers with an ERROR; closes the connection when the code requires it.
    func refuse(_ error: ProtocolError) {
        guard connection.isOpen else { return }
        node.metrics.count("ilonet_requests_refused_total", ["code": error.code.rawValue])
        send(.error(error))
        if error.code.closesConnection {
            protocolState.close()
            node.logger.warning(
                "closing connection",
                ["peer": connection.peerAddress, "identity": identity?.id ?? "?", "code": error.code.rawValue, "reason": error.message])
            endConnection(.protocolViolation(error))
        } else {
            node.logger.info(
                "request refused",
                ["identity": identity?.id ?? "?", "code": error.code.rawValue, "reason": error.message])
        }
    }

    private func hello(_ message: Message) throws(ProtocolError) {
        guard try message.requireString("protocol") == "ilonet" else {
            protocolState.close()
            throw ProtocolError(.unsupportedVersion, "protocol: this node speaks \"ilonet\"", requestID: message.requestID)
        }
        guard case .array(let list) = try message.require("versions") else {
            throw ProtocolError(.badMessage, "versions: expected an array of integers", field: "versions", requestID: message.requestID)
        }
        let versions = list.compactMap(\.integerValue)
        switch protocolState.hello(versions: versions, requestID: message.requestID) {
        case .failure(let error):
            throw error
        case .success(let version):
            guard let identity else { return }
            let decision = node.access.rules.decide(.connect, for: identity)
            guard decision.allowed else {
                let error = ProtocolError(.forbidden, "connect: \(decision)", requestID: message.requestID)
                send(.error(error))
                protocolState.close()
                node.logger.warning(
                    "connection refused",
                    ["peer": connection.peerAddress, "identity": identity.id, "role": identity.role.rawValue, "reason": error.message])
                endConnection(.protocolViolation(error))
                return
            }
            guard node.identityLimits.admitConnection(identity.id, now: Timestamp.monotonicNanoseconds()) else {
                protocolState.close()
                throw ProtocolError(
                    .overloaded,
                    "\(identity.id) already has \(node.configuration.maximumConnectionsPerIdentity) connections to this node "
                        + "(limits.max-connections-per-identity)", requestID: message.requestID)
            }
            countedIdentity = identity.id
            // Remember who connected (deliveries, implicit subscriptions) once the
            // certificate's subject is known to be this identity's (docs/ACCESS.md §1);
            // nothing else this connection sends is read until then.
            let now = Timestamp.nowMilliseconds()
            let requestID = message.requestID
            admissionPending = true
            updateReading()
            let day = String(Timestamp.format(milliseconds: now).prefix(10))
            let person = !Disclosure.contentlessRoles.contains(identity.role)
            withStore({ store throws(SQLiteError) -> (ReportStore.CertificateBinding, Home?) in
                let binding = try store.register(identity, now: now)
                // A person whose home node is another says so in WELCOME (docs/ROUTING.md §8).
                guard person, let home = try store.homeNode(of: identity.id, on: day), home != store.nodeName else { return (binding, nil) }
                return (binding, Home(node: home, address: try store.interestMap(now: now).entries[home]?.address))
            }) { session, result in
                session.admissionPending = false
                session.admitted(identity, version: version, binding: result.map(\.0), home: (try? result.get())?.1, requestID: requestID)
            }
        }
    }

    /// After HELLO: the certificate's subject checked against the identity's
    /// binding; WELCOME, or a refusal that closes the connection.
    /// The node where a person reads, when it is not this one.
    struct Home {
        let node: String
        let address: String?
    }

    private func admitted(
        _ identity: PeerIdentity, version: Int64, binding: Result<ReportStore.CertificateBinding, SQLiteError>, home: Home?, requestID: UInt32
    ) {
        switch binding {
        case .success(.clash(let bound)):
            node.logger.warning(
                "connection refused: identity clash",
                ["peer": connection.peerAddress, "identity": identity.id, "certificate": "\(identity.role.rawValue), \(identity.authority), \(identity.memberState)",
                 "known_as": bound.subject])
            let error = ProtocolError(
                .forbidden,
                "your certificate names \(identity.id) as (\(identity.role.rawValue), \(identity.authority), \(identity.memberState)), but this node knows "
                    + "\(identity.id) as (\(bound.subject)) from an earlier certificate: one identity is one subject. Ask your deploying authority "
                    + "for a certificate with an identity of your own", requestID: requestID)
            send(.error(error))
            protocolState.close()
            endConnection(.protocolViolation(error))
            return
        case .success(.replaced(let bound, let dropped)):
            node.logger.warning(
                "identity bound by its certificate",
                ["identity": identity.id, "certificate": "\(identity.role.rawValue), \(identity.authority), \(identity.memberState)",
                 "register_said": bound.subject, "entry_dropped": dropped ?? "-"])
        case .success:
            break
        case .failure(let error):
            // A failed store (a file removed, damage) acknowledges and discloses nothing,
            // but its administrator must still reach `ilo status`: admitted, unrecorded.
            node.logger.warning("connection not recorded: the store is unavailable", ["identity": identity.id, "error": error.description])
        }
        node.identities.record(identity)
        if outlet == nil, node.peers.isPeer(identity) {
            protocolState.becomePeerLink()
            let forwarder = Forwarder(peer: identity.id, connection: connection, services: node)
            if forwarder.start() { self.forwarder = forwarder }
        }
        var welcome: [String: JSONValue] = [
            "version": .integer(version), "node": .string(node.configuration.name),
            "identity": identity.json,
            "limits": ["max-frame-bytes": .integer(Int64(node.configuration.maximumFrameSize))],
            "report_formats": .array(Report.knownFormats.sorted().map { .integer(Int64($0)) }),
        ]
        if let home {
            var fields: [String: JSONValue] = ["node": .string(home.node)]
            if let address = home.address { fields["address"] = .string(address) }
            welcome["home"] = .object(fields)
        }
        // The controller of the personal data processed here (node.controller, docs/ACCESS.md §9).
        if let controller = node.configuration.controllerJSON { welcome["controller"] = controller }
        send(Message(.welcome, requestID: requestID, .object(welcome)))
        updateReading()
    }
}

@available(*, unavailable)
extension ServerSession: Sendable {}
