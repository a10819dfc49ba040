/// The node's state as `ilo status` shows it (STATUS → NODE-STATUS) and as the
/// metrics endpoint exposes it: identity, uptime, links, queues, readers'
/// backlogs, the store.
extension NodeServices {
    func statusJSON(_ status: ReportStore.Status) -> JSONValue {
        let now = Timestamp.nowMilliseconds()
        var peers: [String: JSONValue] = [:]
        for (name, link) in self.peers.allStatuses { peers[name] = link.json }
        let queues = status.queued.mapValues { byPriority in JSONValue.object(byPriority.mapValues { .integer(Int64($0)) }) }
        let statistics = store.statistics
        let health = healthJSON(now: now)
        return [
            "health": health,
            "node": .string(configuration.name), "role": .string(configuration.role.rawValue), "version": .string(ILONetVersion.current),
            "started": .string(Timestamp.format(milliseconds: startedAt)), "uptime_seconds": .integer((now - startedAt) / 1000),
            "connections": .integer(Int64(connections.load(ordering: .relaxed))),
            "controller": configuration.controllerJSON ?? .null,
            "peers": .object(peers), "queues": .object(queues), "dead_letters": .integer(Int64(status.deadLetters)),
            "subscribers": .object(status.backlog.mapValues { .integer(Int64($0)) }),
            "store": [
                "state": .string(store.health.failureReason == nil ? "ok" : "failed"),
                "failure": store.health.failureReason.map { .string($0) } ?? .null,
                "path": .string(configuration.storePath), "reports": .integer(Int64(status.reports ?? 0)),
                "database_bytes": .integer(status.databaseBytes), "wal_bytes": .integer(status.walBytes),
                "commits": .integer(Int64(statistics.batches)), "commit_seconds_total": .number(statistics.commitSeconds),
            ],
        ]
    }
}

extension NodeServices {
    /// Days a certificate or revocation list may have left before the node says it needs attention.
    static let certificateWarningDays: Int64 = 30
    static let revocationListWarningDays: Int64 = 7

    /// What an operator must look at (docs/OPERATIONS.md): the last reload, the
    /// revocation list's next update and the node certificate's expiry with days
    /// left, the store, links that are down; `attention` lists what needs it
    /// (`ilo status --check` exits 1 when it is not empty).
    func healthJSON(now: Int64) -> JSONValue {
        var attention: [String] = []
        func days(_ until: Int64) -> Int64 { (until - now) / 86_400_000 }
        var health: [String: JSONValue] = [:]
        if let reload = lastReload.withLock({ $0 }) {
            health["reload"] = [
                "at": .string(Timestamp.format(milliseconds: reload.milliseconds)), "result": .string(reload.succeeded ? "ok" : "refused"),
                "problems": .array(reload.problems.map { .string($0) }), "needs_restart": .array(reload.needsRestart.map { .string($0) }),
            ]
            if !reload.succeeded { attention.append("the last reload was refused, nothing changed: \(reload.problems.first ?? "?")") }
            if !reload.needsRestart.isEmpty { attention.append("changed settings wait for a restart: \(reload.needsRestart.joined(separator: ", "))") }
        }
        if let path = configuration.tls.revocationListPath {
            if let next = TLSContext.revocationListNextUpdate(path) {
                health["crl"] = ["path": .string(path), "next_update": .string(Timestamp.format(milliseconds: next)), "days_left": .integer(days(next))]
                if days(next) < NodeServices.revocationListWarningDays {
                    attention.append("the revocation list \(path) must be renewed by \(Timestamp.format(milliseconds: next)) (certs-example/make-pki.sh DIR renew-crl), then SIGHUP")
                }
            } else {
                health["crl"] = ["path": .string(path), "next_update": .null]
                attention.append("the revocation list \(path) cannot be read")
            }
        }
        if let validity = PeerIdentity.validity(certificateFile: configuration.tls.certificatePath) {
            health["certificate"] = [
                "path": .string(configuration.tls.certificatePath), "not_after": .string(Timestamp.format(milliseconds: validity.notAfter)),
                "days_left": .integer(days(validity.notAfter)),
            ]
            if days(validity.notAfter) < NodeServices.certificateWarningDays {
                attention.append("this node's certificate expires on \(Timestamp.format(milliseconds: validity.notAfter)): issue a new one")
            }
        }
        if let failure = store.health.failureReason { attention.append("the store failed: \(failure)") }
        let down = peers.allStatuses.filter { $0.value.state != "up" }.map(\.key).sorted()
        health["links_down"] = .array(down.map { .string($0) })
        if !down.isEmpty { attention.append("links down: \(down.joined(separator: ", "))") }
        health["attention"] = .array(attention.map { .string($0) })
        return .object(health)
    }
}

extension ServerSession {
    /// STATUS (administrators): the node's state.
    func nodeStatus(_ message: Message) throws(ProtocolError) {
        _ = try requireRole([.admin, .operator], "node status", message)
        let requestID = message.requestID
        let path = node.configuration.storePath
        // A failed store answers no queries: say what is known without it.
        if node.store.health.failureReason != nil {
            send(Message(.nodeStatus, requestID: requestID, node.statusJSON(ReportStore.Status())))
            return
        }
        withReader("the node's status", requestID: requestID, { store throws(SQLiteError) in try store.status(path: path, countingReports: true) }) {
            session, status in
            session.send(Message(.nodeStatus, requestID: requestID, session.node.statusJSON(status)))
        }
    }
}
