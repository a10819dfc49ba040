/// Streams one identity's deliveries over its connection (`ilo watch`): its
/// backlog first, most urgent first, then new reports as they arrive. At most
/// `limits.subscriber-window-bytes` of reports are out unconfirmed; a subscriber
/// that stays at that cap without confirming for `limits.subscriber-stall` is
/// disconnected. Its reports stay queued for it; nobody else is slowed.
/// Confined to the connection's loop.
final class Watcher {
    let identity: PeerIdentity
    let loop: EventLoop
    let services: NodeServices
    private weak var connection: Connection?
    private let filter: TopicFilter?
    private let requestID: UInt32
    private var inFlight: [String: (seq: Int64, bytes: Int)] = [:]
    /// The (priority, seq) of the last delivery sent in order; reading goes on from here.
    private var cursor = ReportStore.DeliveryCursor(priority: -1, seq: 0)
    private var inFlightBytes = 0
    private var pulling = false
    private var repull = false
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

    func pull() {
        guard !stopped, let connection, connection.isOpen else { return }
        guard !pulling else {
            repull = true
            return
        }
        guard inFlightBytes < services.configuration.subscriberWindowBytes else { return }
        pulling = true
        repull = false
        let identity = self.identity
        let disclosure = Disclosure(rules: services.access.rules, now: Timestamp.nowMilliseconds())
        let filter = self.filter
        let skip = Set(inFlight.values.map(\.seq))
        let cursor = self.cursor
        let bound = LoopBound(self, loop: loop)
        services.store.submit({ store throws(SQLiteError) in
            try store.streamDeliveries(for: identity, disclosure: disclosure, filter: filter, limit: 256, after: cursor, skipping: skip)
        }) { result in
            bound.loop.execute { bound.value.send(result) }
        }
    }

    private func send(_ result: Result<[ReportStore.Delivery], SQLiteError>) {
        pulling = false
        guard !stopped, let connection, connection.isOpen, case .success(let deliveries) = result else { return }
        let window = services.configuration.subscriberWindowBytes
        for delivery in deliveries where inFlight[delivery.id] == nil {
            guard inFlightBytes < window else { break }
            inFlight[delivery.id] = (delivery.seq, delivery.document.count)
            inFlightBytes += delivery.document.count
            cursor = max(cursor, ReportStore.DeliveryCursor(priority: delivery.priority, seq: delivery.seq))
            connection.send(Message.reportFrame(.deliver, requestID: requestID, document: delivery.document))
        }
        if repull { pull() }
    }

    /// The subscriber confirmed these reports.
    func confirmed(_ ids: [String]) {
        for id in ids {
            if let entry = inFlight.removeValue(forKey: id) { inFlightBytes -= entry.bytes }
        }
        lastProgress = Timestamp.monotonicNanoseconds()
        pull()
    }
}

@available(*, unavailable)
extension Watcher: Sendable {}
