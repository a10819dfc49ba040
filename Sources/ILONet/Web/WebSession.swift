import Glibc

/// One browser's HTTPS connection to the web view (`web.listen`, docs/WEB.md).
///
/// The TLS handshake is the node's own: TLS 1.3 (or the configured minimum), a
/// client certificate required and verified against the trust roots and the
/// revocation list. The certificate is the session: no password, no cookie.
/// Then the connection is admitted exactly as a protocol connection is: a HELLO
/// runs through a `ServerSession` of its own (the `connect` rule, the
/// identity's connection limit), and every page is built from the answers of
/// that session to ordinary requests (FETCH, GET, SEARCH, …), so a page shows
/// what the single disclosure decision lets the reader read, and nothing else.
///
/// One request at a time per connection (pipelined requests wait, bounded);
/// header and body sizes are bounded; a slow request is dropped with 408.
/// Confined to the connection's loop.
final class WebSession: ConnectionDelegate {
    let connection: Connection
    unowned let context: LoopContext
    private var executor: ServerSession?
    /// The reader's home node, when the register says it is another (WELCOME's `home`).
    var home: String?
    /// nil until the HELLO was answered; then whether the identity was admitted,
    /// and if not, why.
    private var admission: Result<Void, ProtocolError>?
    private var buffer: [UInt8] = []
    private var busy = false
    private var answers: [UInt32: (Message) -> Void] = [:]
    private var nextRequestID: UInt32 = 1
    private var countedHandshaking = true
    private var readyAt: UInt64 = 0
    /// When the request being received started to arrive (monotonic ns).
    private var requestSince: UInt64?
    private var lastAnswerAt = Timestamp.monotonicNanoseconds()
    /// The request being answered.
    private(set) var request: HTTPRequest?

    /// Seconds a request may take to arrive, and an idle connection may stay open.
    static let requestTimeout: Double = 30
    static let idleTimeout: Double = 120

    init(connection: Connection, context: LoopContext) {
        self.connection = connection
        self.context = context
        connection.rawMode = true
        connection.delegate = self
    }

    var node: NodeServices { context.services }
    var identity: PeerIdentity? { connection.identity }

    // MARK: ConnectionDelegate

    func connectionDidBecomeReady(_ connection: Connection) {
        releaseHandshakeSlot()
        readyAt = Timestamp.monotonicNanoseconds()
        lastAnswerAt = readyAt
        guard let identity else { return }
        if identity.role == .node {
            admission = .failure(ProtocolError(.forbidden, "\(identity.id) is a node's certificate; the web view is for people"))
            return
        }
        let executor = ServerSession(webConnection: connection, context: context) { [unowned self] message in self.answer(message) }
        self.executor = executor
        ask(.hello, ["protocol": "ilonet", "versions": [1]]) { session, reply in
            if reply.type == .welcome {
                session.admission = .success(())
                session.home = reply.body["home"]?["node"]?.stringValue
                session.node.logger.debug("web connection admitted", ["peer": connection.peerAddress, "identity": identity.id])
            } else {
                session.admission = .failure(ProtocolError(message: reply))
            }
            session.process()
        }
    }

    func connection(_ connection: Connection, didReceive frame: Frame) {}
    func connection(_ connection: Connection, didFailFraming error: FrameError) {}

    func connection(_ connection: Connection, didReceiveBytes bytes: UnsafeRawBufferPointer) {
        if buffer.isEmpty { requestSince = Timestamp.monotonicNanoseconds() }
        buffer.append(contentsOf: bytes)
        // One request in progress and a bounded amount waiting behind it.
        if buffer.count > HTTPRequest.maximumHeadBytes + HTTPRequest.maximumBodyBytes + 4 {
            if busy {
                connection.pauseReading()
            } else {
                finish(.html(errorPage(413, "the request is larger than this server takes"), status: 413), closing: true)
                return
            }
        }
        process()
    }

    func connectionDidClose(_ connection: Connection, reason: CloseReason) {
        releaseHandshakeSlot()
        node.metrics.countHandshakeFailure(reason, side: "server")
        executor?.release()
        executor = nil
        answers.removeAll()
        context.remove(self, reason: reason)
    }

    private func releaseHandshakeSlot() {
        guard countedHandshaking else { return }
        countedHandshaking = false
        context.handshakeEnded(connection)
    }

    // MARK: Deadlines and reload

    func checkDeadlines(now: UInt64) {
        switch connection.state {
        case .connecting, .handshaking:
            if Double(now &- connection.openedAt) / 1e9 > node.configuration.handshakeTimeout {
                connection.close(.timeout("TLS handshake not finished within \(node.configuration.handshakeTimeout)s"))
            }
        case .open:
            if !busy, let since = requestSince, !buffer.isEmpty, Double(now &- since) / 1e9 > WebSession.requestTimeout {
                finish(.html(errorPage(408, "the request took more than \(Int(WebSession.requestTimeout)) s to arrive"), status: 408), closing: true)
            } else if !busy, buffer.isEmpty, Double(now &- lastAnswerAt) / 1e9 > WebSession.idleTimeout {
                connection.close(.timeout("web connection idle"))
            }
        case .closed:
            break
        }
    }

    /// After a reload: a certificate revoked since, or an identity no longer
    /// admitted, loses its open web connections too.
    func reauthorize() {
        guard connection.isOpen, let identity else { return }
        let revoked = connection.tls.reverifyPeer(against: node.tlsContext)
        let admitted = node.access.rules.decide(.connect, for: identity).allowed
        if revoked != nil || !admitted {
            node.logger.warning("closing web connection after reload", ["peer": connection.peerAddress, "identity": identity.id])
            connection.close(.localClose("certificate or admission withdrawn on reload"))
        }
    }

    // MARK: Requests

    /// Takes the next complete request from the buffer, if none is being answered.
    private func process() {
        guard !busy, connection.isOpen, admission != nil, !buffer.isEmpty else { return }
        switch HTTPRequest.parse(buffer) {
        case .incomplete:
            return
        case .invalid(let status, let reason):
            finish(.html(errorPage(status, reason), status: status), closing: true)
        case .complete(let request, let consumed):
            buffer.removeFirst(consumed)
            requestSince = buffer.isEmpty ? nil : Timestamp.monotonicNanoseconds()
            busy = true
            self.request = request
            node.metrics.count("ilonet_web_requests_total", ["method": ["GET", "HEAD", "POST"].contains(request.method) ? request.method : "other"])
            if case .failure(let refusal) = admission {
                node.logger.warning("web request refused", ["peer": connection.peerAddress, "identity": identity?.id ?? "?", "reason": refusal.message])
                finish(.html(errorPage(403, refusal.message), status: 403), closing: true)
                return
            }
            route(request)
        }
    }

    /// Sends the response to the current request; then the next request, or the close.
    func finish(_ response: HTTPResponse, closing: Bool = false) {
        guard connection.isOpen else { return }
        var response = response
        let close = closing || response.close || !(request?.keepAlive ?? false)
        response.close = close
        connection.sendRaw(response.encoded(head: request?.method == "HEAD"))
        busy = false
        request = nil
        lastAnswerAt = Timestamp.monotonicNanoseconds()
        if close {
            connection.closeAfterFlush(.localClose("web response sent"))
            return
        }
        connection.resumeReading()
        process()
    }

    // MARK: Asking the node

    /// Runs one protocol request through this connection's `ServerSession` and
    /// hands its answer (or ERROR) to `completion`, on this loop.
    func ask(_ type: MessageType, _ body: JSONValue, _ completion: @escaping (WebSession, Message) -> Void) {
        guard let executor else { return }
        let id = nextRequestID
        nextRequestID &+= 1
        answers[id] = { [unowned self] message in completion(self, message) }
        executor.perform(Message(type, requestID: id, body))
    }

    /// Asks, and on ERROR answers the page with the node's words for it.
    func ask(_ type: MessageType, _ body: JSONValue, title: String, _ completion: @escaping (WebSession, Message) -> Void) {
        ask(type, body) { session, reply in
            if reply.type == .error {
                session.finish(.html(session.refusalPage(title, ProtocolError(message: reply)), status: WebSession.status(for: reply)))
            } else {
                completion(session, reply)
            }
        }
    }

    private func answer(_ message: Message) {
        guard let handler = answers.removeValue(forKey: message.requestID) else { return }
        handler(message)
    }

    static func status(for error: Message) -> Int {
        switch error.body["code"]?.stringValue {
        case "forbidden": 403
        case "not-found": 404
        case "bad-message": 400
        case "over-budget", "overloaded", "rate-limited": 429
        case "store-unavailable", "shutting-down": 503
        default: 400
        }
    }

    // MARK: Forms

    /// The per-node secret behind the forms' tokens; new at every start.
    private static let formSecret: [UInt8] = {
        var bytes = [UInt8](repeating: 0, count: 32)
        let fd = open("/dev/urandom", O_RDONLY)
        if fd >= 0 {
            _ = read(fd, &bytes, bytes.count)
            Glibc.close(fd)
        }
        return bytes
    }()

    /// The token every form that changes something carries: bound to the
    /// reader's identity, unknown to any other site (docs/WEB.md §4).
    var formToken: String {
        hmacSHA256(key: WebSession.formSecret, message: Array("ilonet-web-form|\(identity?.id ?? "")".utf8)).hexString
    }

    /// Why a POST did not come from one of this node's own pages (nil: it
    /// did): its token must be the reader's, and the browser's Origin (which
    /// every current browser sends on a form's POST, and which this node's
    /// `Referrer-Policy: same-origin` leaves intact) and Sec-Fetch-Site must
    /// name this origin when present. `Origin: null` — a sandboxed frame, a
    /// `data:` page, a redirect from elsewhere — is refused.
    func formProblem(_ request: HTTPRequest) -> String? {
        let expected = Array(formToken.utf8)
        let given = Array((request.form["token"] ?? "").utf8)
        var difference = UInt8(expected.count == given.count ? 0 : 1)
        for (a, b) in zip(expected, given) { difference |= a ^ b }
        guard difference == 0 else { return "its token is missing or wrong" }
        if let origin = request.headers["origin"], origin != "https://" + (request.headers["host"] ?? "") {
            return "the browser says it came from \(origin == "null" ? "an opaque origin" : "another site")"
        }
        if let site = request.headers["sec-fetch-site"], site != "same-origin", site != "none" { return "the browser says it came from another site" }
        return nil
    }
}

@available(*, unavailable)
extension WebSession: Sendable {}
