/// Drains the outbound queue for one peer over one live link, on that link's loop.
///
/// It asks the store for the most urgent ready reports (flash first, then by
/// age), keeps at most `link.window` of them in flight, and deletes a report
/// from the queue only when the peer answered ACCEPTED (the peer has committed
/// it). A report in flight when the link drops stays queued and is sent again
/// on the next link; the peer recognises it by id. A newly queued flash report
/// therefore waits at most for the reports already in flight.
///
/// A link that goes silent — a blackholed path closes nothing — is given up
/// when something waits for an answer (a FORWARD or a keep-alive PING) and for
/// `link.answer-timeout` no byte arrived and none could be sent; its reports
/// stay queued for the next link.
final class Forwarder {
    let peer: String
    let loop: EventLoop
    let services: NodeServices
    private weak var connection: Connection?
    private var inFlight: [UInt32: (seq: Int64, id: String)] = [:]
    private var nextRequestID: UInt32 = 0x8000_0000  // our requests on a link the peer also sends on
    private var pulling = false
    private var stopped = false
    private var timer: TimerHandle?
    private var lastSent = Timestamp.monotonicNanoseconds()
    /// Since when something sent waits for an answer (nil: nothing does).
    private var awaitingSince: UInt64?
    /// Sends the files of reports that carry some, before their FORWARD.
    private var files: AttachmentSender?

    init(peer: String, connection: Connection, services: NodeServices) {
        self.peer = peer
        self.connection = connection
        self.loop = connection.loop
        self.services = services
    }

    /// Registers as this peer's forwarder and starts draining; false if another
    /// link already drains this peer's queue.
    func start() -> Bool {
        guard services.peers.attach(self, peer: peer) else { return false }
        if let connection {
            files = AttachmentSender(connection: connection, services: services, nextRequestID: { [unowned self] in self.takeRequestID() }) { [unowned self] outcome in
                self.filesSent(outcome)
            }
        }
        services.logger.info("link up", ["peer": peer])
        pull()
        scheduleTick()
        sendInterestTable()
        return true
    }

    /// The whole interest table, to a peer whose link just came up (docs/ROUTING.md §8).
    private func sendInterestTable() {
        let peer = self.peer
        let bound = LoopBound(self, loop: loop)
        services.store.submit({ store throws(SQLiteError) in
            try store.interestDocuments(except: peer, now: Timestamp.nowMilliseconds())
        }) { result in
            guard case .success(let documents) = result, !documents.isEmpty else { return }
            bound.loop.execute { bound.value.sendInterest(documents) }
        }
    }

    /// INTEREST, one announcement per message; nothing is answered.
    func sendInterest(_ documents: [[UInt8]]) {
        guard !stopped, let connection, connection.isOpen else { return }
        for document in documents {
            guard let value = try? JSONValue(parsing: document) else { continue }
            connection.send(Message(.interest, requestID: 0, ["announcement": value]))
        }
        lastSent = Timestamp.monotonicNanoseconds()
    }

    func stop(reason: String) {
        guard !stopped else { return }
        stopped = true
        timer?.cancel()
        files?.stop()
        files = nil
        services.peers.detach(self, peer: peer, reason: reason)
        if !inFlight.isEmpty {
            services.logger.info("link down with reports in flight; they stay queued", ["peer": peer, "in_flight": String(inFlight.count)])
        }
        inFlight.removeAll()
    }

    /// Once a second: retry times may have passed, and expired reports left. A
    /// link with nothing to carry is kept alive with a PING, so that the other
    /// side's idle timeout does not close it (a third of ours, at most 30 s).
    private func scheduleTick() {
        timer = loop.schedule(after: 1) { [weak self] in
            guard let self, !self.stopped else { return }
            let keepAlive = min(30, self.services.configuration.idleTimeout / 3)
            if Double(Timestamp.monotonicNanoseconds() - self.lastSent) / 1e9 >= keepAlive, let connection = self.connection, connection.isOpen {
                connection.send(Message(.ping, requestID: 0x7FFF_FFFF))
                self.lastSent = Timestamp.monotonicNanoseconds()
                self.awaitingSince = self.awaitingSince ?? self.lastSent
            }
            guard self.checkAnswers() else { return }
            self.pull()
            self.scheduleTick()
        }
    }

    /// False (and the link closed) when the peer stopped answering.
    private func checkAnswers() -> Bool {
        guard let since = awaitingSince, let connection, connection.isOpen else { return true }
        if inFlight.isEmpty && connection.lastActivity > since {
            awaitingSince = nil  // the keep-alive was answered
            return true
        }
        let timeout = services.configuration.linkAnswerTimeout
        let last = max(since, connection.lastActivity, connection.lastWriteProgress)
        guard Double(Timestamp.monotonicNanoseconds() - last) / 1e9 > timeout else { return true }
        services.logger.warning(
            "peer stopped answering; closing the link", ["peer": peer, "in_flight": String(inFlight.count), "after": "\(Int(timeout))s"])
        connection.close(.timeout("no answer from \(peer) for \(Int(timeout))s (link.answer-timeout)"))
        return false
    }

    /// Fills the window from the queue.
    func pull() {
        guard !stopped, !pulling, let connection, connection.isOpen else { return }
        let uploading = files?.pendingSeqs ?? []
        let room = services.configuration.linkWindow - inFlight.count - uploading.count
        guard room > 0 else { return }
        pulling = true
        let skip = Set(inFlight.values.map(\.seq) + uploading)
        let peer = self.peer
        let bound = LoopBound(self, loop: loop)
        services.store.submit({ store throws(SQLiteError) in
            try store.ready(for: peer, now: Timestamp.nowMilliseconds(), limit: room, skipping: skip)
        }) { result in
            bound.loop.execute { bound.value.send(result) }
        }
    }

    private func send(_ result: Result<[ReportStore.OutboundItem], SQLiteError>) {
        pulling = false
        guard !stopped, let connection, connection.isOpen else { return }
        guard case .success(let items) = result else { return }
        for item in items {
            // A report with files: they go first, its FORWARD when they are there.
            if let job = AttachmentSender.job(for: item), let files {
                files.add(job)
                awaitingSince = awaitingSince ?? Timestamp.monotonicNanoseconds()
                continue
            }
            forward(item)
        }
        if items.count > 0 && inFlight.count < services.configuration.linkWindow { pull() }
    }

    private func takeRequestID() -> UInt32 {
        nextRequestID = nextRequestID == UInt32.max ? 0x8000_0000 : nextRequestID + 1
        return nextRequestID
    }

    private func forward(_ item: ReportStore.OutboundItem) {
        guard let connection, connection.isOpen else { return }
        let requestID = takeRequestID()
        inFlight[requestID] = (item.seq, item.id)
        lastSent = Timestamp.monotonicNanoseconds()
        awaitingSince = awaitingSince ?? lastSent
        connection.send(
            Message.reportFrame(
                .forward, requestID: requestID, document: item.document,
                // A report sent on to a mailbox that moved starts a journey of its own from here: it may
                // go back through nodes it passed on its way in (docs/ROUTING.md §8).
                extra: item.deliverTo.isEmpty
                    ? ["path": .array(item.path.map { .string($0) })]
                    : ["path": [.string(services.router.nodeName)], "deliver_to": .array(item.deliverTo.map { .string($0) })]))
    }

    /// A report's files are at the peer (its FORWARD goes now), or the peer refused them.
    private func filesSent(_ outcome: AttachmentSender.Outcome) {
        guard !stopped else { return }
        switch outcome {
        case .ready(let item): forward(item)
        case .refused(let item, let error): refused(seq: item.seq, id: item.id, error)
        }
        pull()
    }

    /// An answer to one of our FORWARDs, UPLOADs or CHUNKs. Returns false if it was not ours.
    func handleAnswer(_ message: Message) -> Bool {
        if let files, files.handleAnswer(message) {
            lastSent = Timestamp.monotonicNanoseconds()
            awaitingSince = inFlight.isEmpty && files.pendingSeqs.isEmpty ? nil : Timestamp.monotonicNanoseconds()
            return true
        }
        guard let (seq, id) = inFlight.removeValue(forKey: message.requestID) else { return false }
        awaitingSince = inFlight.isEmpty && (files?.pendingSeqs.isEmpty ?? true) ? nil : Timestamp.monotonicNanoseconds()
        let peer = self.peer
        switch message.type {
        case .accepted:
            services.logger.info("report forwarded", ["report": id, "to": peer, "duplicate": message.body["duplicate"] == .bool(true) ? "yes" : "no"])
            services.metrics.count("ilonet_reports_forwarded_total", ["peer": peer])
            // FIFO store jobs: the next pull runs after this delete, so the report
            // is not picked up again.
            services.store.submit({ store throws(SQLiteError) in try store.forwardAccepted(seq: seq, by: peer, now: Timestamp.nowMilliseconds()) }) { _ in }
        case .error:
            refused(seq: seq, id: id, ProtocolError(message: message))
        default:
            return false
        }
        pull()
        return true
    }

    /// The peer refused a report (or its files): later, or never.
    private func refused(seq: Int64, id: String, _ error: ProtocolError) {
        let peer = self.peer
        if Forwarder.isTransient(error.code) {
            let retry = Timestamp.nowMilliseconds() + Int64(services.configuration.backoffInitial * 5000)
            services.logger.warning("peer could not take the report now", ["report": id, "peer": peer, "code": error.code.rawValue])
            services.store.submit({ store throws(SQLiteError) in
                try store.deferred(seq: seq, to: peer, error: "\(error.code.rawValue): \(error.message)", retryAt: retry)
            }) { _ in }
        } else {
            let services = self.services
            // The peer's own words go to this node's log, for its administrator; the
            // dead letter and the notice to the author keep only the code.
            services.logger.warning("peer refused the report", ["report": id, "peer": peer, "code": error.code.rawValue, "message": error.message])
            let job = services.deadLetterJob(seq: seq, hop: peer, reason: "refused by \(peer): \(error.code.rawValue)")
            services.store.submit(job) { result in
                if case .success(let hops) = result { services.peers.poke(hops) }
            }
        }
    }

    static func isTransient(_ code: ErrorCode) -> Bool {
        switch code {
        case .storeUnavailable, .queueFull, .overloaded, .shuttingDown, .timeout, .rateLimited, .attachmentMissing: true
        default: false
        }
    }
}

@available(*, unavailable)
extension Forwarder: Sendable {}
