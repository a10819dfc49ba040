/// SUBSCRIBE, UNSUBSCRIBE, SUBSCRIPTIONS and WATCH (docs/PROTOCOL.md, docs/ACCESS.md).
extension ServerSession {
    static let digestPeriods = ["hourly", "daily", "weekly"]

    func subscribe(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let filter = try topicFilter(message)
        let verdict = node.access.rules.decide(.subscribe(filter), for: identity)
        // A digest rule gives digests only: counts, and the headlines of what one may read.
        let digestOnly = message.body["digest"] != nil && node.access.rules.decide(.digest(filter), for: identity).allowed
        guard verdict.allowed || digestOnly else {
            node.logger.warning("subscription refused", ["identity": identity.id, "filter": filter.text, "access": verdict.description])
            let hint = node.access.rules.decide(.digest(filter), for: identity).allowed ? " (a digest of it is allowed: add --digest daily)" : ""
            throw ProtocolError(.forbidden, "subscribing to \(filter.text): \(verdict)\(hint)", requestID: message.requestID)
        }
        var mode = "each"
        var period: String?
        var atMinute: Int?
        if let digest = message.body["digest"] {
            guard let p = digest["period"]?.stringValue, ServerSession.digestPeriods.contains(p) else {
                throw ProtocolError(.badMessage, "digest.period: one of hourly, daily, weekly", field: "digest.period", requestID: message.requestID)
            }
            mode = "digest"
            period = p
            atMinute = 0
            if let at = digest["at"]?.stringValue {
                let parts = at.split(separator: ":").compactMap { Int($0) }
                guard parts.count == 2, (0..<24).contains(parts[0]), (0..<60).contains(parts[1]) else {
                    throw ProtocolError(.badMessage, "digest.at: a UTC time HH:MM", field: "digest.at", requestID: message.requestID)
                }
                atMinute = parts[0] * 60 + parts[1]
            }
        }
        let requestID = message.requestID
        let now = node.clock.now()
        let owner = identity.id
        let limit = node.configuration.maximumSubscriptionsPerIdentity
        withStore({ [mode, period, atMinute] store throws(SQLiteError) -> ReportStore.Subscription?? in
            let existing = try store.subscriptions(of: owner)
            let replaces = existing.contains { $0.filter == filter.text && $0.mode == mode }
            if !replaces && existing.count >= limit { return .none }  // over the limit: nothing added
            try store.addSubscription(owner, filter: filter.text, mode: mode, period: period, atMinute: atMinute, now: now)
            return .some(try store.subscriptions(of: owner).first { $0.filter == filter.text && $0.mode == mode })
        }) { session, result in
            switch result {
            case .success(.none):
                session.node.logger.warning("subscription refused: limit reached", ["identity": owner, "limit": String(limit)])
                session.refuse(
                    ProtocolError(
                        .subscriptionLimit,
                        "\(owner) already holds \(limit) subscriptions at this node (limits.max-subscriptions-per-identity); "
                            + "nothing was added. Remove some (ilo unsubscribe) or use a wider filter such as smuggling/#", requestID: requestID))
            case .success(.some(let subscription)):
                session.node.logger.info("subscribed", ["identity": owner, "filter": filter.text, "mode": mode])
                session.send(Message(.ok, requestID: requestID, ["subscription": subscription?.json ?? .null]))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the subscription was not stored; try again", requestID: requestID))
            }
        }
    }

    func unsubscribe(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let filter = try topicFilter(message)
        let mode = message.body["digest"] == .bool(true) ? "digest" : "each"
        let requestID = message.requestID
        let owner = identity.id
        withStore({ store throws(SQLiteError) in
            try store.removeSubscription(owner, filter: filter.text, mode: mode)
        }) { session, result in
            switch result {
            case .success(let removed):
                session.send(Message(.ok, requestID: requestID, ["removed": .integer(Int64(removed))]))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "nothing was changed; try again", requestID: requestID))
            }
        }
    }

    func listSubscriptions(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let requestID = message.requestID
        let owner = identity.id
        withStore({ store throws(SQLiteError) in try store.subscriptions(of: owner) }) { session, result in
            switch result {
            case .success(let subscriptions):
                session.send(Message(.subscriptionList, requestID: requestID, ["subscriptions": .array(subscriptions.map(\.json))]))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "subscriptions could not be read; try again", requestID: requestID))
            }
        }
    }

    /// WATCH: stream deliveries (optionally only those matching a filter, which
    /// is then also subscribed to) until the connection closes.
    func watch(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        guard watcher == nil else { throw ProtocolError(.badMessage, "this connection is already watching", requestID: message.requestID) }
        var filter: TopicFilter?
        if message.body["filter"] != nil {
            let requested = try topicFilter(message)
            let verdict = node.access.rules.decide(.subscribe(requested), for: identity)
            guard verdict.allowed else { throw ProtocolError(.forbidden, "watching \(requested.text): \(verdict)", requestID: message.requestID) }
            filter = requested
            let owner = identity.id
            let now = node.clock.now()
            node.store.submit({ store throws(SQLiteError) in
                try store.addSubscription(owner, filter: requested.text, mode: "each", period: nil, atMinute: nil, now: now)
            }) { _ in }
        }
        let watcher = Watcher(identity: identity, connection: connection, filter: filter, requestID: message.requestID, services: node)
        watcher.onStall = { [weak self] in
            self?.refuse(ProtocolError(.overloaded, "slow subscriber: nothing confirmed while at the in-flight cap; your reports stay queued"))
        }
        self.watcher = watcher
        send(Message(.ok, requestID: message.requestID, ["watching": .string(filter?.text ?? "all deliveries")]))
        watcher.start()
    }

}

extension ServerSession {
    /// DIGEST-PREVIEW: a digest built now for a filter and a time span, not stored.
    func digestPreview(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let filter = try topicFilter(message)
        let verdict = node.access.rules.decide(.subscribe(filter), for: identity)
        guard verdict.allowed || node.access.rules.decide(.digest(filter), for: identity).allowed else {
            throw ProtocolError(.forbidden, "digest of \(filter.text): \(verdict)", requestID: message.requestID)
        }
        let now = node.clock.now()
        func time(_ field: String) throws(ProtocolError) -> Int64? {
            guard let text = message.body[field]?.stringValue else { return nil }
            if let t = Timestamp.parse(text) { return t }
            // A day alone is its midnight UTC: --since 2026-11-01 --until 2026-11-30 covers November up to the 30th's start.
            if let day = ReportDate.parse(text), day >= Timestamp.earliest { return day }
            if let seconds = ConfigFile.parseDuration(text) { return now - Int64(seconds * 1000) }
            throw ProtocolError(
                .badMessage, "\(field): a UTC time (2026-11-30T12:00:00Z) or day (2026-11-30) from 1970 to 9999, or a duration such as 24h, 7d or 52w (at most 36500d)",
                field: field, requestID: message.requestID)
        }
        // Durations are at most 100 years (ConfigFile.maximumDuration) and times
        // 1970–9999 (Timestamp), so none of this overflows; a span reaching back
        // before 1970 starts there.
        let until = try time("until") ?? now
        let since = max(Timestamp.earliest, try time("since") ?? (until - DigestPeriod.day))
        guard since < until else { throw ProtocolError(.badMessage, "since: must be before until", field: "since", requestID: message.requestID) }
        let disclosure = Disclosure(rules: node.access.rules, now: Timestamp.nowMilliseconds())
        let requestID = message.requestID
        withReader("the digest of \(filter.text)", requestID: requestID, { store throws(SQLiteError) in
            try store.digestBody(filter: filter, reader: identity, disclosure: disclosure, period: "preview", from: since, to: until)
        }) { session, body in
            session.send(Message(.digest, requestID: requestID, ["digest": body]))
        }
    }

    func topicFilter(_ message: Message) throws(ProtocolError) -> TopicFilter {
        let text = try message.requireString("filter")
        let filter: TopicFilter
        do throws(TopicFilter.Invalid) { filter = try TopicFilter(text) } catch {
            throw ProtocolError(.badMessage, "filter: \(error)", field: "filter", requestID: message.requestID)
        }
        // A filter that can never match a topic (docs/REPORTS.md §6) is a mistake, not a subscription.
        if let problem = ServerSession.neverMatches(filter) { throw ProtocolError(.badMessage, "filter: \(problem)", field: "filter", requestID: message.requestID) }
        return filter
    }

    /// Why `filter` can match no topic: its first level is not a kind, or its second not a country.
    static func neverMatches(_ filter: TopicFilter) -> String? {
        let levels = filter.levels.map(String.init)
        if let kind = levels.first, kind != "+", kind != "#", ReportKind(rawValue: kind) == nil {
            return "\"\(kind)\" is not a report kind (\(ReportKind.allCases.map(\.rawValue).joined(separator: ", ")), or + or #)"
        }
        if levels.count > 1 {
            let country = levels[1]
            if country != "+", country != "#", country != ISOCodes.severalCountries, !ISOCodes.isCountry(country) {
                return "\"\(country)\" is not a country code, so the filter can match nothing"
                    + (ISOCodes.suggestion(for: country).map { "; did you mean \($0)?" } ?? "") + " (topics are KIND/COUNTRY/…, docs/REPORTS.md §6)"
            }
        }
        return nil
    }
}
