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
        return [
            "node": .string(configuration.name), "role": .string(configuration.role.rawValue), "version": .string(ILONetVersion.current),
            "started": .string(Timestamp.format(milliseconds: startedAt)), "uptime_seconds": .integer((now - startedAt) / 1000),
            "connections": .integer(Int64(connections.load(ordering: .relaxed))),
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

extension ServerSession {
    /// STATUS (administrators): the node's state.
    func nodeStatus(_ message: Message) throws(ProtocolError) {
        _ = try requireRole([.admin], "node status", message)
        let requestID = message.requestID
        let path = node.configuration.storePath
        // A failed store answers no queries: say what is known without it.
        if node.store.health.failureReason != nil {
            connection.send(Message(.nodeStatus, requestID: requestID, node.statusJSON(ReportStore.Status())))
            return
        }
        withReader("the node's status", requestID: requestID, { store throws(SQLiteError) in try store.status(path: path, countingReports: true) }) {
            session, status in
            session.connection.send(Message(.nodeStatus, requestID: requestID, session.node.statusJSON(status)))
        }
    }
}
