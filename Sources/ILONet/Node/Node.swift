import Dispatch
import Foundation
import Glibc
import Synchronization

/// A running ILONet node: its store, its TLS context and its event loops.
///
/// Start-up order: open (and migrate) the store, build the TLS context (reads the
/// key and certificates), bind every listening socket; any failure stops start-up
/// before a single connection is accepted. Then the loops start.
public final class Node: Sendable {
    public enum StartError: Error, CustomStringConvertible {
        case store(ReportStore.StoreSetupError)
        case tls(OpenSSLError)
        case identity(String)
        case routes(ConfigErrors)
        case access(ConfigErrors)
        case listen(SystemError)
        case privileges(String)

        public var description: String {
            switch self {
            case .store(let e): e.description
            case .tls(let e): "TLS: \(e)"
            case .identity(let e): e
            case .routes(let e): "routing table: \(e)"
            case .access(let e): "access rules: \(e)"
            case .listen(let e) where e.errno == EADDRINUSE:
                "listen: \(e.call.replacingOccurrences(of: "bind ", with: "")) is in use by another process (another ilod?); "
                    + "stop it (ss -ltnp shows which), or give this node another address"
            case .listen(let e): "listen: \(e)"
            case .privileges(let e): e
            }
        }
    }

    private enum State { case running, stopped }

    let services: NodeServices
    private let loops: [EventLoop]
    private let contexts: [LoopBound<LoopContext>]
    private let state = Mutex(State.running)
    /// The addresses actually bound (a configured port 0 becomes a real port).
    public let boundEndpoints: [Endpoint]
    /// Where the web view listens (`web.listen`, a port 0 resolved), if it is on.
    public let webEndpoint: Endpoint?
    private let metrics: MetricsServer?

    public var configuration: NodeConfiguration { services.configuration }
    public var store: StoreWorker { services.store }
    public var connectionCount: Int { services.connections.load(ordering: .relaxed) }

    public init(configuration: NodeConfiguration, logger: Logger) throws(StartError) {
        // Everything that may need root comes first: the key, the certificates,
        // the listening sockets. Then the process drops to `user`, and only then
        // opens (or creates) the store, so that its files belong to that user.
        let credentials: TLSCredentials
        let tlsContexts: (server: TLSContext, client: TLSContext)
        let table: RoutingTable
        let access: AccessRules
        let nodeOrigin: Origin
        do throws(OpenSSLError) {
            credentials = try TLSCredentials(
                certificate: configuration.tls.certificatePath, privateKey: configuration.tls.privateKeyPath, checkKeyPermissions: true)
            tlsContexts = try NodeServices.makeTLSContexts(configuration, credentials: credentials)
        } catch {
            throw .tls(error)
        }
        Node.logRevocationList(tlsContexts.server, configuration: configuration, logger: logger)
        let identity: PeerIdentity
        do throws(IdentityError) {
            identity = try PeerIdentity(certificateFile: configuration.tls.certificatePath)
        } catch {
            throw .identity("tls.certificate: \(error)")
        }
        guard identity.id == configuration.name else {
            throw .identity("node.name \"\(configuration.name)\" differs from the certificate's CN \"\(identity.id)\"")
        }
        nodeOrigin = Origin(identity)
        do throws(ConfigErrors) {
            table = try configuration.routesPath.map { path throws(ConfigErrors) in
                try RoutingTable.load(path, knownHops: Set(configuration.peers.map(\.name)))
            } ?? .empty
        } catch {
            throw .routes(error)
        }
        do throws(ConfigErrors) {
            access = try configuration.accessPath.map { path throws(ConfigErrors) in try AccessRules.load(path) } ?? .defaults
        } catch {
            throw .access(error)
        }

        // Bind on this thread so that a port in use fails start-up. Every loop gets
        // its own socket per address (SO_REUSEPORT); port 0 is resolved once.
        let threadCount = configuration.threadCount
        var socketsPerLoop = Array(repeating: [Int32](), count: threadCount)
        var webSocketPerLoop: [Int32] = []
        var bound: [Endpoint] = []
        var webBound: Endpoint?
        var metricsSocket: (fd: Int32, endpoint: Endpoint)?
        do throws(SystemError) {
            for endpoint in configuration.listen + [configuration.webListen].compactMap({ $0 }) {
                try Socket.checkNoOtherListener(on: endpoint)
            }
            // Clients speak first (TLS): the kernel holds a connection that has sent
            // nothing for up to limits.handshake-timeout before the node sees it.
            let deferAccept = Int32(min(3600, (configuration.deferAccept ?? max(1, configuration.handshakeTimeout)).rounded(.up)))
            for endpoint in configuration.listen {
                var actual = endpoint
                for index in 0..<threadCount {
                    let fd = try Socket.listen(on: actual, reusePort: true, deferAccept: deferAccept)
                    if index == 0 { actual = Endpoint(host: endpoint.host, port: Socket.localPort(fd)) }
                    socketsPerLoop[index].append(fd)
                }
                bound.append(actual)
            }
            if let endpoint = configuration.webListen {
                var actual = endpoint
                for index in 0..<threadCount {
                    let fd = try Socket.listen(on: actual, reusePort: true, deferAccept: deferAccept)
                    if index == 0 { actual = Endpoint(host: endpoint.host, port: Socket.localPort(fd)) }
                    webSocketPerLoop.append(fd)
                }
                webBound = actual
            }
            if let endpoint = configuration.metricsListen {
                let (fd, actual) = try MetricsServer.bind(endpoint)
                metricsSocket = (fd, actual)
            }
        } catch {
            for fd in socketsPerLoop.joined() + webSocketPerLoop { close(fd) }
            throw .listen(error)
        }
        boundEndpoints = bound
        webEndpoint = webBound

        if let user = configuration.user {
            do throws(Privileges.DropError) {
                try Privileges.drop(toUser: user, group: configuration.group)
            } catch {
                for fd in socketsPerLoop.joined() + webSocketPerLoop { close(fd) }
                throw .privileges("cannot drop root privileges: \(error)")
            }
            logger.info("dropped root privileges", ["user": user, "uid": String(getuid()), "gid": String(getgid())])
        } else if Privileges.isRoot {
            logger.warning("running as root; set \"user\" in the configuration to drop privileges after start-up")
        }

        // The store's directory is made on first start (owner only), never by --check-config.
        let directory = (configuration.storePath as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let store: StoreWorker
        do throws(ReportStore.StoreSetupError) {
            store = try StoreWorker(path: configuration.storePath, logger: logger, checkAtStart: configuration.checkStoreAtStart)
        } catch {
            for fd in socketsPerLoop.joined() + webSocketPerLoop { close(fd) }
            throw .store(error)
        }
        // The node is the actor of what it does itself; the audit head is logged
        // so that a truncated trail can be told from a short one.
        let nodeName = configuration.name
        store.submit({ store throws(SQLiteError) -> AuditRecord? in
            store.nodeName = nodeName
            return try store.auditHead()
        }) { result in
            if case .success(let head?) = result {
                logger.info("audit trail head", ["records": String(head.seq), "hash": head.hash.hexString])
            }
        }
        let readers: StoreReaders
        let streamReader: StoreReaders
        do throws(SQLiteError) {
            readers = try StoreReaders(path: configuration.storePath, threads: 2, budget: configuration.readBudget, health: store.health)
            streamReader = try StoreReaders(
                path: configuration.storePath, threads: 1, budget: configuration.readBudget, health: store.health, niceness: 0, name: "ilonet-stream")
        } catch {
            for fd in socketsPerLoop.joined() + webSocketPerLoop { close(fd) }
            store.stop()
            throw .store(.sqlite(error))
        }
        services = NodeServices(
            configuration: configuration, logger: logger, store: store, readers: readers, streamReader: streamReader, credentials: credentials,
            tlsContext: tlsContexts.server, clientTLSContext: tlsContexts.client,
            router: Router(nodeName: configuration.name, table: table), access: AccessControl(access), clock: NodeClock(), nodeOrigin: nodeOrigin)
        if let (fd, endpoint) = metricsSocket {
            metrics = MetricsServer(fd: fd, endpoint: endpoint, services: services)
        } else {
            metrics = nil
        }
        if let file = services.clock.file {
            logger.warning("this node goes by the time in a file, not the system clock (testing only)", ["ILONET_CLOCK_FILE": file])
        }

        MemoryTrimmer.mapLargeBlocksOnTheirOwn()
        var loops: [EventLoop] = []
        var contexts: [LoopBound<LoopContext>] = []
        for index in 0..<threadCount {
            let loop: EventLoop
            do throws(SystemError) { loop = try EventLoop(name: "ilonet-loop-\(index)") } catch {
                for fd in socketsPerLoop.joined() + webSocketPerLoop { close(fd) }
                store.stop()
                throw .listen(error)
            }
            loop.start()
            let services = self.services
            let fds = socketsPerLoop[index]
            let webFD = webSocketPerLoop.isEmpty ? nil : webSocketPerLoop[index]
            let context = loop.runAndWait {
                let context = LoopContext(loop: loop, services: services)
                do throws(SystemError) { try context.start(listeningOn: fds, web: webFD) } catch {
                    services.logger.error("cannot register listening socket", ["error": error.description])
                }
                return LoopBound(context, loop: loop)
            }
            loops.append(loop)
            contexts.append(context)
        }
        self.loops = loops
        self.contexts = contexts
        // Links to the peers this node dials, spread over the loops; and the sweep
        // that dead-letters expired reports.
        for (index, peer) in configuration.peers.enumerated() where peer.endpoint != nil {
            let loop = loops[index % loops.count]
            let services = self.services
            let dialer = loop.runAndWait {
                let dialer = PeerDialer(peer: peer, loop: loop, services: services)
                dialer.connect()
                return LoopBound(dialer, loop: loop)
            }
            services.peers.register(dialer)
        }
        let sweeperLoop = loops[0]
        let services = self.services
        // Where people reach this node: node.address, else the first listening address unless it is a wildcard.
        let announced = configuration.address?.description
            ?? bound.first.flatMap { ["0.0.0.0", "::", "[::]"].contains($0.host) ? nil : $0.description }
        sweeperLoop.execute {
            ExpirySweeper(loop: sweeperLoop, services: services).start()
            DigestScheduler(loop: sweeperLoop, services: services).start()
            SearchIndexer(loop: sweeperLoop, services: services).start()
            InterestAnnouncer(loop: sweeperLoop, services: services, address: announced).start()
        }
        if let webBound {
            logger.info("web view served", ["listen": webBound.description, "url": "https://\(webBound)/"])
        }
        if let metrics {
            metrics.start()
            logger.info("metrics served", ["listen": metrics.endpoint.description, "path": "/metrics"])
        }
        logger.info(
            "node ready",
            ["node": configuration.name, "role": configuration.role.rawValue, "listen": bound.map(\.description).joined(separator: ","),
             "threads": String(threadCount), "tls-min": configuration.tls.minimumVersion.rawValue, "store": configuration.storePath])
    }

    public var lastReload: ReloadOutcome? { services.lastReload.withLock { $0 } }

    /// SIGHUP: re-reads the routing table, the access rules, the trust roots and
    /// the revocation list — all of them or none: every file is read and checked
    /// first, and only when all are good are they put in place together. A
    /// refused reload changes nothing, and every problem is logged. Settings of
    /// the configuration file itself that changed are named: they take effect
    /// at the next restart.
    @discardableResult
    public func reload() -> Bool {
        let logger = services.logger
        var problems: [String] = []
        var table: RoutingTable?
        if let path = configuration.routesPath {
            do throws(ConfigErrors) { table = try RoutingTable.load(path, knownHops: Set(configuration.peers.map(\.name))) } catch {
                problems += error.errors.map(\.description)
            }
        }
        var rules: AccessRules?
        if let path = configuration.accessPath {
            do throws(ConfigErrors) { rules = try AccessRules.load(path) } catch { problems += error.errors.map(\.description) }
        }
        var tlsContexts: (server: TLSContext, client: TLSContext)?
        do throws(OpenSSLError) { tlsContexts = try NodeServices.makeTLSContexts(configuration, credentials: services.credentials) } catch {
            problems.append("\(configuration.tls.trustRootsPath): TLS trust roots or revocation list: \(error.description)")
        }
        let needsRestart = settingsNeedingRestart()
        for setting in needsRestart { logger.warning("a changed setting takes effect at the next restart, not on reload", ["setting": setting]) }
        guard problems.isEmpty, let tlsContexts else {
            for problem in problems { logger.error("reload refused", ["problem": problem]) }
            logger.error("reload failed; nothing was changed: the previous routing table, access rules, trust roots and revocation list stay in force")
            services.lastReload.withLock { $0 = ReloadOutcome(milliseconds: Timestamp.nowMilliseconds(), succeeded: false, problems: problems, needsRestart: needsRestart) }
            services.metrics.count("ilonet_reloads_total", ["result": "refused"])
            return false
        }
        if let table, let path = configuration.routesPath {
            services.router.replace(table)
            logger.info("routing table reloaded", ["table": path, "rules": String(table.rules.count)])
        }
        if let rules, let path = configuration.accessPath {
            services.access.replace(rules)
            logger.info("access rules reloaded", ["file": path, "rules": String(rules.rules.count)])
        }
        services.replaceTLSContexts(server: tlsContexts.server, client: tlsContexts.client)
        Node.logRevocationList(tlsContexts.server, configuration: configuration, logger: logger)
        logger.info("TLS trust roots and revocation list reloaded", ["ca": configuration.tls.trustRootsPath])
        reauthorizeOpenConnections()
        services.lastReload.withLock { $0 = ReloadOutcome(milliseconds: Timestamp.nowMilliseconds(), succeeded: true, problems: [], needsRestart: needsRestart) }
        services.metrics.count("ilonet_reloads_total", ["result": "ok"])
        return true
    }

    /// Settings of the configuration file that differ from those this node
    /// started with and are read only at start-up (listen, store, metrics, …).
    func settingsNeedingRestart() -> [String] {
        guard let path = configuration.sourcePath, let now = try? ConfigFile.load(path) else { return [] }
        let started = configuration.startupValues
        var changed: [String] = []
        var current: [String: [String]] = [:]
        for entry in now.entries { current[entry.key, default: []].append(entry.value) }
        for key in Set(started.keys).union(current.keys).sorted() where !NodeConfiguration.reloadedFromFiles.contains(key) {
            if started[key] != current[key] { changed.append(key) }
        }
        return changed
    }

    /// Revocation and rule changes reach open connections at once, not only new
    /// ones: each loop re-checks its sessions (docs/ACCESS.md §1.2).
    public func reauthorizeOpenConnections() {
        for context in contexts { context.loop.execute { context.value.reauthorize() } }
    }

    private static func logRevocationList(_ context: TLSContext, configuration: NodeConfiguration, logger: Logger) {
        let path = configuration.tls.revocationListPath ?? "-"
        let refusing = configuration.tls.revocationUnavailable == .refuse
        switch context.revocationList {
        case .notConfigured:
            break
        case .current:
            logger.info("certificate revocation list loaded", ["crl": path])
        case .expired where refusing:
            logger.error("the certificate revocation list has expired; every client certificate is refused until it is renewed", ["crl": path])
        case .expired:
            logger.warning("the certificate revocation list has expired; certificates are accepted without it (tls.crl-unavailable accept)", ["crl": path])
        case .missing:
            logger.warning("no certificate revocation list; certificates are accepted without it (tls.crl-unavailable accept)", ["crl": path])
        }
    }

    /// Closes every connection, finishes the commits in flight and stops the
    /// loops and the store. Reports already acknowledged are on disk.
    public func stop() {
        let wasRunning = state.withLock { s -> Bool in
            defer { s = .stopped }
            return s == .running
        }
        guard wasRunning else { return }
        services.peers.stopDialers()
        metrics?.stop()
        for context in contexts {
            context.loop.runAndWait { context.value.shutdown() }
        }
        for loop in loops { loop.stop() }
        services.readers.stop()
        services.streamReader.stop()
        services.store.stop()
        services.logger.info("node stopped", ["node": configuration.name])
    }
}
