/// Every `queue.expiry-sweep`, moves queued reports whose `expires` has passed to
/// the dead letters and writes a notice to each one's origin, and erases the
/// reports that are due (case reports at their erase-by date, others after
/// `retention.delivered`), then has the WAL truncated. Lives on one loop.
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
        let retention = services.configuration.deliveredRetention.map { Int64($0 * 1000) }
        let logger = services.logger
        services.store.submit({ store throws(SQLiteError) -> (hops: [String], expired: Int, erased: [ReportStore.Erasure]) in
            let now = Timestamp.nowMilliseconds()
            let letters = try store.expire(now: now, limit: 500)
            var hops: [String] = []
            for letter in letters { hops += try services.notify(letter, store: store, now: now) }
            let erased = try store.eraseDue(now: services.clock.now(), retention: retention, limit: 500)
            // Files whose report never came (docs/REPORTS.md §1.1).
            let staged = try store.sweepStagedAttachments(now: now)
            if staged > 0 { logger.info("attachments deleted: their reports did not come within a week", ["files": String(staged)]) }
            return (hops, letters.count, erased)
        }) { result in
            var again = services.configuration.expirySweepInterval
            switch result {
            case .success(let outcome):
                // Logged once committed: an erasure rolled back is not reported as done.
                for erasure in outcome.erased { logger.info("report erased", ["report": erasure.reportID, "reason": erasure.reason]) }
                services.peers.poke(Set(outcome.hops))
                if !outcome.erased.isEmpty { services.store.truncateWALSoon() }
                if outcome.expired == 500 || outcome.erased.count == 500 { again = 0.1 }  // more waiting: keep going
            case .failure(let error):
                logger.error("expiry and erasure sweep failed; will try again", ["error": error.description])
            }
            let delay = again
            bound.loop.execute { bound.value.schedule(after: delay) }
        }
    }
}

@available(*, unavailable)
extension ExpirySweeper: Sendable {}
