/// Keeps this node's interest announcement (docs/ROUTING.md §8) in step with
/// the subscriptions of the people who read here: after a change (checked every
/// second, when subscriptions or the register changed) and when half of the
/// announcement's lifetime has passed, it writes and signs a new one and sends
/// it on every live link (INTEREST); a link that comes up later gets it with
/// the rest of the table.
/// Every node announces, with no filters too: the announcement is also the way
/// towards the node for reports addressed to its readers. Lives on one loop.
final class InterestAnnouncer {
    static let checkInterval = 1.0
    static let lifetime = 7.0 * 86400

    let loop: EventLoop
    let services: NodeServices
    /// HOST:PORT where people reach this node (node.address, else the listening address).
    let address: String?

    init(loop: EventLoop, services: NodeServices, address: String?) {
        self.loop = loop
        self.services = services
        self.address = address
    }

    func start() { check() }

    private func check() {
        let services = self.services
        let bound = LoopBound(self, loop: loop)
        let address = self.address
        let logger = services.logger
        services.store.submit({ store throws(SQLiteError) -> [UInt8]? in
            let now = Timestamp.nowMilliseconds()
            let own = try store.ownInterest()
            let refreshDue = own.map { $0.expires - now < Int64(InterestAnnouncer.lifetime * 500) } ?? true
            guard store.interestInputsChanged || refreshDue else { return nil }
            let day = String(Timestamp.format(milliseconds: now).prefix(10))
            var filters = try store.homeInterestFilters(on: day)
            if filters.count > Interest.maximumFilters {
                logger.warning(
                    "more topic filters than one announcement carries; the rest are not announced",
                    ["filters": String(filters.count), "announced": String(Interest.maximumFilters)])
                filters = Array(filters.prefix(Interest.maximumFilters))
            }
            // Compared, and (below) announced: the flag goes down only once nothing can fail.
            guard filters != own?.filters || address != own?.address || refreshDue else {
                store.interestInputsChanged = false
                return nil
            }
            let sequence = max((own?.sequence ?? 0) + 1, now)
            guard let draft = Interest.draft(
                node: services.nodeOrigin, filters: filters, address: address, sequence: sequence, now: now, lifetime: InterestAnnouncer.lifetime)
            else { return nil }
            let announcement = services.signedByNode(draft)
            let document = announcement.canonicalEncoding
            guard try store.applyInterest(announcement, document: document, via: "", now: now) else { return nil }
            store.interestInputsChanged = false
            logger.info("interest announced", ["report": announcement.id.description, "filters": String(filters.count), "sequence": String(sequence)])
            return document
        }) { result in
            switch result {
            case .success(let document?): services.peers.broadcastInterest(document, except: [])
            case .success(nil): break
            case .failure(let error): logger.error("interest announcement failed; will try again", ["error": error.description])
            }
            bound.loop.execute { bound.value.loop.schedule(after: InterestAnnouncer.checkInterval) { bound.value.check() } }
        }
    }
}

@available(*, unavailable)
extension InterestAnnouncer: Sendable {}
