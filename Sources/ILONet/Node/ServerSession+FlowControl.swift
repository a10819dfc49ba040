/// How much one connection has on its way, and when it stops reading (docs/RELIABILITY.md §4).
///
/// A request that is answered later (by the store or a reader) counts while
/// it is computed, and keeps room for its answer: a frame for a listing
/// (FETCH, GET, SEARCH…), a little for an acknowledgement. A connection stops
/// reading requests — TCP then pushes back on its peer, nothing is dropped —
/// while too many requests wait for the store, while two long reads run, while
/// the room kept plus the answers not yet sent reach
/// `limits.max-answer-bytes-per-connection`, or while all of its identity's
/// connections together keep `limits.max-answer-bytes-per-identity`. So a client
/// that pipelines requests and reads nothing holds at most those bytes of the
/// node's memory, however many requests it sends.
extension ServerSession {
    /// The room an acknowledgement, an OK or an ERROR keeps.
    static let smallAnswer = 4096

    /// The room the answer to a request of `type` keeps while it is computed.
    static func answerRoom(for type: MessageType, frameBytes: Int) -> Int {
        switch type {
        case .fetch, .get, .sent, .directory, .activity, .search, .queue, .status, .audit, .subscriptions, .digestPreview, .routeTest, .orders, .record, .subjectFind,
            .attachmentGet, .events, .event, .export:
            frameBytes
        // A CHUNK's bytes are held until its commit: counted like an answer's, so that the
        // connection's and the identity's bounds cover pipelined chunks too.
        case .chunk:
            smallAnswer + Attachment.maximumChunkBytes
        default:
            smallAnswer
        }
    }

    /// Keeps room for the answer of the request being handled; returns how much.
    func keepAnswerRoom() -> Int {
        let bytes = answerRoomForRequest
        answerBytesInFlight += bytes
        chargeIdentity()
        return bytes
    }

    func releaseAnswerRoom(_ bytes: Int) {
        answerBytesInFlight -= bytes
    }

    /// Brings what this connection charges its identity (`IdentityLimits`) in
    /// line with what it has on its way now: room kept for answers being
    /// computed plus answers not yet sent. Over the identity's bound, reading
    /// waits until the identity's connections together are below it again.
    /// Called as requests start and answer, and every second (output drains).
    func chargeIdentity() {
        guard let identity = countedIdentity else { return }
        let target = connection.isOpen ? answerBytesInFlight + connection.pendingOutputBytes : 0
        let delta = target - identityCharged
        identityCharged = target
        if delta > 0 {
            let bound = LoopBound(self, loop: connection.loop)
            let fits = node.identityLimits.reserveAnswer(identity, bytes: delta) {
                bound.loop.execute {
                    let session = bound.value
                    session.waitingForIdentityRoom = false
                    session.updateReading()
                }
            }
            if !fits && !waitingForIdentityRoom {
                waitingForIdentityRoom = true
                node.logger.debug("reading paused: the identity's answers on their way", ["peer": connection.peerAddress, "identity": identity])
            }
        } else if delta < 0 {
            node.identityLimits.releaseAnswer(identity, bytes: -delta)
        }
    }

    /// Pauses or resumes reading by everything this connection has on its way.
    /// The web view's sessions leave that to their `WebSession` (one request at a time).
    func updateReading() {
        guard outlet == nil else { return }
        let configuration = node.configuration
        let answers = answerBytesInFlight + connection.pendingOutputBytes
        if storeRequestsInFlight >= configuration.maximumInFlightPerConnection || readsInFlight >= ServerSession.maximumReadsInFlight
            || answers >= configuration.maximumAnswerBytesPerConnection || waitingForIdentityRoom || admissionPending
        {
            connection.pauseReading()
        } else if storeRequestsInFlight < configuration.maximumInFlightPerConnection / 2 + 1 {
            connection.resumeReading()
        }
    }

    /// For work that answers later from another thread (custody): counts it as in
    /// flight, and sends the answer on this loop when `start`'s reply comes. The
    /// reply is a closure that makes the answer, run on this loop: the store
    /// thread, which calls it after a commit, only hands it over (issue 32: the
    /// answer and its log line were a twentieth of that one thread's work).
    func replyLater(_ start: (_ reply: @escaping @Sendable (_ answer: @escaping @Sendable () -> Message) -> Void) -> Void) {
        let room = storeRequestStarted()
        let bound = LoopBound(self, loop: connection.loop)
        start { answer in
            bound.loop.execute {
                let session = bound.value
                guard session.storeRequestFinished(room) else { return }
                session.send(answer())
                session.answered()
            }
        }
    }

    /// Runs `body` in the store's next group commit and `completion` back on this
    /// loop once the batch committed. Pauses reading while too much is on its way.
    func withStore<T: Sendable>(
        _ body: @escaping @Sendable (ReportStore) throws(SQLiteError) -> T,
        completion: @escaping (ServerSession, Result<T, SQLiteError>) -> Void
    ) {
        let room = storeRequestStarted()
        let bound = LoopBound(self, loop: connection.loop)
        let done = UncheckedTransfer(completion)  // runs only on this loop, via `bound`
        node.store.submit(body) { result in
            bound.loop.execute {
                let session = bound.value
                guard session.storeRequestFinished(room) else { return }
                done.take()(session, result)
                session.answered()
            }
        }
    }

    /// Long reads a connection may have running on the readers at once: more
    /// pipelined ones wait unread, so one connection's previews take turns with
    /// everybody else's.
    static let maximumReadsInFlight = 2

    /// Runs `body` on a reader (a read-only connection beside the writer) and
    /// `completion` back on this loop. Over its time budget, the request is
    /// refused with what to narrow.
    func withReader<T: Sendable>(
        _ what: String, requestID: UInt32,
        _ body: @escaping @Sendable (ReportStore) throws(SQLiteError) -> T,
        completion: @escaping (ServerSession, T) -> Void
    ) {
        readsInFlight += 1
        let room = keepAnswerRoom()
        updateReading()
        let bound = LoopBound(self, loop: connection.loop)
        let done = UncheckedTransfer(completion)  // runs only on this loop, via `bound`
        let budget = node.configuration.readBudget
        node.readers.submit(body) { result in
            bound.loop.execute {
                let session = bound.value
                session.readsInFlight -= 1
                session.releaseAnswerRoom(room)
                guard session.connection.isOpen else {
                    session.chargeIdentity()
                    return
                }
                defer { session.answered() }
                switch result {
                case .success(let value): done.take()(session, value)
                case .failure(let error) where error.isOverBudget:
                    session.refuse(
                        ProtocolError(
                            .overBudget, "\(what) would take more than \(Int(budget))s to compute (limits.read-budget); "
                                + "ask for a shorter span or a narrower filter", requestID: requestID))
                case .failure(let error):
                    session.refuse(ProtocolError(.storeUnavailable, "\(what) could not be read: \(error.plainCause); try again", requestID: requestID))
                }
            }
        }
    }

    /// After an answer was queued: what it holds now counts against the connection and its identity.
    func answered() {
        chargeIdentity()
        updateReading()
    }

    /// Counts a request waiting for the store and keeps room for its answer.
    private func storeRequestStarted() -> Int {
        storeRequestsInFlight += 1
        let room = keepAnswerRoom()
        updateReading()
        return room
    }

    /// Back on the loop with the store's answer: gives its room back and reads
    /// again if nothing else holds it; false when the connection closed
    /// meanwhile (nobody to answer).
    private func storeRequestFinished(_ room: Int) -> Bool {
        storeRequestsInFlight -= 1
        releaseAnswerRoom(room)
        guard connection.isOpen else {
            chargeIdentity()
            return false
        }
        return true
    }
}
