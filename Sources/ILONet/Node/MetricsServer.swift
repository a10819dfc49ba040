import Foundation
import Glibc
import Synchronization

/// `GET /metrics` in the Prometheus text format (version 0.0.4) on
/// `metrics.listen`, off unless configured. Plain HTTP without authentication:
/// bind it to loopback or a management network only. One thread, one request
/// per connection, a 2-second deadline for each; it never touches an event loop.
final class MetricsServer: Sendable {
    private let fd: Int32
    private let services: NodeServices
    private let stopped = Atomic<Bool>(false)
    let endpoint: Endpoint

    /// Binds (before the node drops root, so that start-up fails if the port is taken).
    static func bind(_ endpoint: Endpoint) throws(SystemError) -> (fd: Int32, bound: Endpoint) {
        let fd = try Socket.listen(on: endpoint, reusePort: false, backlog: 64)
        return (fd, Endpoint(host: endpoint.host, port: Socket.localPort(fd)))
    }

    /// Serves on a socket from `bind` once `start` is called.
    init(fd: Int32, endpoint: Endpoint, services: NodeServices) {
        self.fd = fd
        self.endpoint = endpoint
        self.services = services
        // The listening socket is non-blocking (made for the event loops); this thread blocks.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
    }

    func start() {
        let thread = Thread { [self] in serve() }
        thread.name = "ilonet-metrics"
        thread.start()
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private func serve() {
        while !stopped.load(ordering: .relaxed) {
            let client = accept(fd, nil, nil)
            guard client >= 0 else {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            var deadline = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &deadline, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &deadline, socklen_t(MemoryLayout<timeval>.size))
            answer(client)
            close(client)
        }
    }

    private func answer(_ client: Int32) {
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while request.count < 8192 && request.firstRange(of: Array("\r\n\r\n".utf8)) == nil {
            let count = read(client, &buffer, buffer.count)
            guard count > 0 else { return }
            request += buffer[0..<count]
        }
        let line = String(decoding: request.prefix { $0 != 0x0D }, as: UTF8.self)
        let parts = line.split(separator: " ")
        let (status, body): (String, String)
        if parts.count >= 2, parts[0] == "GET", parts[1] == "/metrics" {
            (status, body) = ("200 OK", render())
        } else if parts.first == "GET" {
            (status, body) = ("404 Not Found", "only /metrics is served here\n")
        } else {
            (status, body) = ("405 Method Not Allowed", "only GET /metrics\n")
        }
        let response = "HTTP/1.1 \(status)\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
        let bytes = Array(response.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { send(client, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// Counters, then gauges read now (the store's part through a store job).
    func render() -> String {
        var out = services.metrics.renderCounters()
        func gauge(_ name: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for sample in samples { out += sample.labels.isEmpty ? "\(name) \(sample.value)\n" : "\(name){\(sample.labels)} \(sample.value)\n" }
        }
        func label(_ name: String, _ value: String) -> String { "\(name)=\"\(NodeMetrics.escape(value))\"" }
        let node = services.configuration.name
        gauge("ilonet_node_info", "The node's name, role and version.", [
            ("\(label("node", node)),\(label("role", services.configuration.role.rawValue)),\(label("version", ILONetVersion.current))", "1"),
        ])
        gauge("ilonet_uptime_seconds", "Seconds since the node started.", [("", String((Timestamp.nowMilliseconds() - services.startedAt) / 1000))])
        gauge("ilonet_connections", "Open connections (people and peers).", [("", String(services.connections.load(ordering: .relaxed)))])
        gauge("ilonet_peer_up", "1 while the link to a peer is up.", services.peers.allStatuses.sorted { $0.key < $1.key }.map {
            (label("peer", $0.key), $0.value.state == "up" ? "1" : "0")
        })
        gauge("ilonet_store_failed", "1 once the store was found damaged or its files replaced: nothing is acknowledged until it is recovered.", [
            ("", services.store.health.failureReason == nil ? "0" : "1"),
        ])
        // Health (docs/OPERATIONS.md): every gauge has a sample from the start.
        let now = Timestamp.nowMilliseconds()
        let reload = services.lastReload.withLock { $0 }
        gauge("ilonet_last_reload_success", "1 when the last reload (SIGHUP) was applied, 0 when it was refused; 1 before any.", [
            ("", reload.map { $0.succeeded ? "1" : "0" } ?? "1"),
        ])
        gauge("ilonet_last_reload_timestamp_seconds", "When the last reload was tried (0: none since start).", [
            ("", String((reload?.milliseconds ?? 0) / 1000)),
        ])
        if let path = services.configuration.tls.revocationListPath {
            gauge("ilonet_crl_next_update_seconds", "Seconds until the revocation list's next update (negative: past it; -1e9 when unreadable).", [
                ("", TLSContext.revocationListNextUpdate(path).map { String(($0 - now) / 1000) } ?? "-1000000000"),
            ])
        }
        gauge("ilonet_certificate_expiry_seconds", "Seconds until this node's certificate expires.", [
            ("", PeerIdentity.validity(certificateFile: services.configuration.tls.certificatePath).map { String(($0.notAfter - now) / 1000) } ?? "0"),
        ])
        let done = DispatchSemaphore(value: 0)
        let status = Mutex<ReportStore.Status?>(nil)
        let path = services.configuration.storePath
        services.readers.submit({ store throws(SQLiteError) in try store.status(path: path, countingReports: false) }) { result in
            status.withLock { $0 = try? result.get() }
            done.signal()
        }
        if done.wait(timeout: .now() + 5) == .success, let status = status.withLock({ $0 }) {
            var depths: [(String, String)] = []
            for (hop, byPriority) in status.queued.sorted(by: { $0.key < $1.key }) {
                for (priority, count) in byPriority.sorted(by: { $0.key < $1.key }) {
                    depths.append(("\(label("next_hop", hop)),\(label("priority", priority))", String(count)))
                }
            }
            gauge("ilonet_queue_depth", "Reports queued for a next hop, by priority.", depths)
            gauge("ilonet_dead_letters", "Reports dead-lettered at this node.", [("", String(status.deadLetters))])
            gauge("ilonet_subscriber_backlog", "Deliveries a reader has not confirmed yet.", status.backlog.sorted { $0.key < $1.key }.map {
                (label("identity", $0.key), String($0.value))
            })
            gauge("ilonet_store_bytes", "Size of the store's files.", [
                (label("file", "database"), String(status.databaseBytes)), (label("file", "wal"), String(status.walBytes)),
            ])
        }
        let statistics = services.store.statistics
        out += "# HELP ilonet_store_commit_seconds Time from BEGIN to the end of COMMIT (the WAL fsync included), per group commit.\n"
        out += "# TYPE ilonet_store_commit_seconds histogram\n"
        for (index, bound) in StoreWorker.commitBounds.enumerated() {
            out += "ilonet_store_commit_seconds_bucket{le=\"\(bound)\"} \(statistics.commitBuckets[index])\n"
        }
        out += "ilonet_store_commit_seconds_bucket{le=\"+Inf\"} \(statistics.batches)\n"
        out += "ilonet_store_commit_seconds_sum \(statistics.commitSeconds)\n"
        out += "ilonet_store_commit_seconds_count \(statistics.batches)\n"
        out += "# HELP ilonet_store_wal_restarts_total Times the WAL was made to start again from its beginning: by the store thread, which copied its last frames between two batches (no commit waited), or by a RESTART checkpoint that held commits back.\n"
        out += "# TYPE ilonet_store_wal_restarts_total counter\n"
        out += "ilonet_store_wal_restarts_total{how=\"caught-up\"} \(statistics.walRestartsCaughtUp)\n"
        out += "ilonet_store_wal_restarts_total{how=\"blocking\"} \(statistics.walRestartsBlocking)\n"
        return out
    }
}
