/// Every `queue.expiry-sweep`, moves queued reports whose `expires` has passed to
/// the dead letters and writes a notice to each one's origin. Lives on one loop.
final class ExpirySweeper {
    let loop: EventLoop
    let services: NodeServices

    init(loop: EventLoop, services: NodeServices) {
        self.loop = loop
        self.services = services
    }

    func start() { schedule(after: services.configuration.expirySweepInterval) }

    private func schedule(after delay: Double) {
        loop.schedule(after: delay) { [self] in sweep() }
    }

    private func sweep() {
        let services = self.services
        let bound = LoopBound(self, loop: loop)
        services.store.submit({ store throws(SQLiteError) -> (hops: [String], expired: Int) in
            let now = Timestamp.nowMilliseconds()
            let letters = try store.expire(now: now, limit: 500)
            var hops: [String] = []
            for letter in letters { hops += try services.notify(letter, store: store, now: now) }
            return (hops, letters.count)
        }) { result in
            var again = services.configuration.expirySweepInterval
            if case .success(let outcome) = result {
                services.peers.poke(Set(outcome.hops))
                if outcome.expired == 500 { again = 0.1 }  // more waiting: keep going
            }
            let delay = again
            bound.loop.execute { bound.value.schedule(after: delay) }
        }
    }
}

@available(*, unavailable)
extension ExpirySweeper: Sendable {}
