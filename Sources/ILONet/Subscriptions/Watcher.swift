/// Streams one identity's deliveries over its connection (`ilo watch`): its
/// backlog first, most urgent first, then new reports as they arrive. At most
/// `limits.subscriber-window-bytes` of reports are out unconfirmed; a subscriber
/// that stays at that cap without confirming for `limits.subscriber-stall` is
/// disconnected. Its reports stay queued for it; nobody else is slowed.
///
/// The stream reads on the node's stream reader (`NodeServices.streamReader`),
/// a read-only connection beside the writer: a read sees what was committed
/// when it began, and a new report's watchers are told after its commit. So a
/// read no longer waits for the writer's next batch and commit (issue 32: at
/// the benchmark's full load that wait bounded one subscriber near 6,500
/// reports a second, whatever the intake).
/// Confined to the connection's loop.
final class Watcher {
    let identity: PeerIdentity
    let loop: EventLoop
    let services: NodeServices
    private weak var connection: Connection?
    private let filter: TopicFilter?
    private let requestID: UInt32
    private var inFlight: [String: (seq: Int64, bytes: Int)] = [:]
    /// Confirmed by the subscriber, the update not yet committed: a read may
    /// still find them pending, so reads skip them until it is.
    private var confirming: [String: Int64] = [:]
    /// The (priority, seq) of the last delivery sent in order; reading goes on from here.
    private var cursor = ReportStore.DeliveryCursor(priority: -1, seq: 0)
    private var inFlightBytes = 0
    private var pulling = false
    private var repull = false
    /// The last read stopped at the window's room (or none was made for want
    /// of room): a confirmation's room is then worth a read of its own. When
    /// the subscriber keeps up, new reports come with the writer's pokes, and
    /// confirmations cost no read (each read is a transaction of its own on
    /// the stream reader: its locks and the pages the writer changed).
    private var moreWaiting = true
    /// The store's committed batches when the last read was submitted
    /// (`StoreWorker.committedBatches`): that read sees all of them.
    private var readThrough: UInt64 = 0
    private var stopped = false
    private var lastProgress = Timestamp.monotonicNanoseconds()
    private var timer: TimerHandle?
    var onStall: (() -> Void)?

    init(identity: PeerIdentity, connection: Connection, filter: TopicFilter?, requestID: UInt32, services: NodeServices) {
        self.identity = identity
        self.connection = connection
        self.loop = connection.loop
        self.filter = filter
        self.requestID = requestID
        self.services = services
    }

    func start() {
        services.watchers.add(self)
        pull()
        tick()
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        timer?.cancel()
        services.watchers.remove(self)
    }

    private func tick() {
        timer = loop.schedule(after: 1) { [weak self] in
            guard let self, !self.stopped else { return }
            let stalled = Double(Timestamp.monotonicNanoseconds() - self.lastProgress) / 1e9
            if self.inFlightBytes >= self.services.configuration.subscriberWindowBytes, stalled > self.services.configuration.subscriberStall {
                self.services.logger.warning(
                    "slow subscriber disconnected; its reports stay queued",
                    ["identity": self.identity.id, "unconfirmed_bytes": String(self.inFlightBytes), "stalled_s": String(Int(stalled))])
                self.onStall?()
                return
            }
            self.pull()
            self.tick()
        }
    }

    /// Deliveries read per pull at most; the window's room bounds their bytes.
    static let pullLimit = 256

    /// `poked`: new deliveries were committed. A read that began after the
    /// latest commit (on its way or done) already has them: no second read.
    func pull(poked: Bool = false) {
        guard !stopped, let connection, connection.isOpen else { return }
        if poked && services.store.committedBatches.load(ordering: .acquiring) <= readThrough { return }
        guard !pulling else {
            repull = true
            return
        }
        let room = services.configuration.subscriberWindowBytes - inFlightBytes
        guard room > 0 else {
            moreWaiting = true
            return
        }
        pulling = true
        repull = false
        // Read before the job is submitted: its transaction begins later and sees at least these commits.
        readThrough = services.store.committedBatches.load(ordering: .acquiring)
        let identity = self.identity
        let disclosure = Disclosure(rules: services.access.rules, now: Timestamp.nowMilliseconds())
        let filter = self.filter
        let skip = Set(inFlight.values.map(\.seq)).union(confirming.values)
        let cursor = self.cursor
        let bound = LoopBound(self, loop: loop)
        services.streamReader.submit({ store throws(SQLiteError) in
            try store.streamDeliveries(
                for: identity, disclosure: disclosure, filter: filter, limit: Watcher.pullLimit, bytes: room, after: cursor, skipping: skip)
        }) { result in
            bound.loop.execute { bound.value.send(result) }
        }
    }

    private func send(_ result: Result<ReportStore.StreamPage, SQLiteError>) {
        pulling = false
        guard case .success(let page) = result else {
            readThrough = 0  // it found nothing: the next poke reads again
            return
        }
        guard !stopped, let connection, connection.isOpen else { return }
        moreWaiting = page.more
        if !page.withdrawn.isEmpty {
            let identity = self.identity.id
            let withdrawn = page.withdrawn
            services.store.submit({ store throws(SQLiteError) in try store.withdrawDeliveries(withdrawn, for: identity) }) { _ in }
        }
        let window = services.configuration.subscriberWindowBytes
        for delivery in page.deliveries where inFlight[delivery.id] == nil {
            guard inFlightBytes < window else {
                moreWaiting = true
                break
            }
            inFlight[delivery.id] = (delivery.seq, delivery.document.count)
            inFlightBytes += delivery.document.count
            cursor = max(cursor, ReportStore.DeliveryCursor(priority: delivery.priority, seq: delivery.seq))
            connection.send(Message.reportFrame(.deliver, requestID: requestID, document: delivery.document))
        }
        if repull || (moreWaiting && inFlightBytes < window) { pull() }
    }

    /// The subscriber confirmed these reports (their update is submitted, not
    /// yet committed): the window has room again at once.
    func confirmed(_ ids: [String]) {
        for id in ids {
            if let entry = inFlight.removeValue(forKey: id) {
                inFlightBytes -= entry.bytes
                confirming[id] = entry.seq
            }
        }
        lastProgress = Timestamp.monotonicNanoseconds()
        if moreWaiting { pull() }
    }

    /// The confirmations' update committed (or failed: then the reports stay
    /// pending and come again on the next watch).
    func confirmationsStored(_ ids: [String]) {
        for id in ids { confirming[id] = nil }
    }
}

@available(*, unavailable)
extension Watcher: Sendable {}
