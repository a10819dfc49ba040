/// Once a second, builds the digests whose period ended (by the node's clock)
/// and delivers each like a report to its subscriber, who gets it when next
/// online. A period without reports still gets a short "nothing new" digest.
final class DigestScheduler {
    let loop: EventLoop
    let services: NodeServices

    init(loop: EventLoop, services: NodeServices) {
        self.loop = loop
        self.services = services
    }

    func start() { schedule() }

    private func schedule() {
        loop.schedule(after: 1) { [self] in run() }
    }

    private func run() {
        let services = self.services
        let now = services.clock.now()
        let access = services.access.rules
        let bound = LoopBound(self, loop: loop)
        // Logged once committed, never from inside the transaction: a line that
        // says a digest was delivered is true when it is read.
        typealias Written = (report: String, reader: String, filter: String, until: Int64)
        // The readers' watchers are poked after the commit (`StoreWorker.onDeliveriesCommitted`).
        services.store.submit({ store throws(SQLiteError) -> [Written] in
            var written: [Written] = []
            let (_, subscribers) = try store.subscriptionIndex()
            for (subscription, from, to) in try store.dueDigests(now: now) {
                guard let reader = subscribers[subscription.identity], let filter = try? TopicFilter(subscription.filter) else { continue }
                let disclosure = Disclosure(rules: access, now: Timestamp.nowMilliseconds())
                let body = try store.digestBody(filter: filter, reader: reader, disclosure: disclosure, period: subscription.period ?? "daily", from: from, to: to)
                if let digest = Digest.make(body: body, for: reader.id, node: services.nodeOrigin) {
                    _ = try store.accept(
                        digest, document: digest.canonicalEncoding, path: [services.router.nodeName], nextHops: [], recipient: reader.id,
                        now: disclosure.now, queueLimit: Int.max, disclosure: disclosure)
                    written.append((digest.id.description, reader.id, filter.text, to))
                }
                try store.digestDelivered(subscription, through: to)
            }
            return written
        }) { result in
            if case .success(let written) = result {
                for digest in written {
                    services.logger.info(
                        "digest delivered", ["report": digest.report, "to": digest.reader, "filter": digest.filter, "until": Timestamp.format(milliseconds: digest.until)])
                }
            }
            bound.loop.execute { bound.value.schedule() }
        }
    }
}

@available(*, unavailable)
extension DigestScheduler: Sendable {}

/// Digest reports.
public enum Digest {
    /// A digest report for `reader` with `body` (see `ReportStore.digestBody`).
    public static func make(body: JSONValue, for reader: String, node: Origin) -> Report? {
        let total = body["counts"]?["total"]?.integerValue ?? 0
        let change = body["change"]?.integerValue ?? 0
        let period = body["period"]?.stringValue ?? "daily"
        let until = String((body["to"]?.stringValue ?? "").prefix(16)).replacingOccurrences(of: "T", with: " ")
        let filter = body["filter"]?.stringValue ?? "#"
        let headline = total == 0
            ? "\(period.capitalized) digest \(filter) until \(until) UTC: nothing new"
            : "\(period.capitalized) digest \(filter) until \(until) UTC: \(total) report\(total == 1 ? "" : "s") (\(change >= 0 ? "+" : "")\(change))"
        let document: JSONValue = [
            "id": .string(ReportID.generate().description), "kind": "digest", "country": .string(ISOCodes.severalCountries),
            "headline": .string(String(headline.prefix(200))), "created": .string(Timestamp.format(milliseconds: Timestamp.nowMilliseconds())),
            "handling": "H0", "addressees": [.string(reader)], "body": body,
        ]
        return try? Report.validate(document, sender: node)
    }
}
