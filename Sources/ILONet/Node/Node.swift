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
        var bound: [Endpoint] = []
        var metricsSocket: (fd: Int32, endpoint: Endpoint)?
        do throws(SystemError) {
            for endpoint in configuration.listen {
                var actual = endpoint
                for index in 0..<threadCount {
                    let fd = try Socket.listen(on: actual, reusePort: true)
                    if index == 0 { actual = Endpoint(host: endpoint.host, port: Socket.localPort(fd)) }
                    socketsPerLoop[index].append(fd)
                }
                bound.append(actual)
            }
            if let endpoint = configuration.metricsListen {
                let (fd, actual) = try MetricsServer.bind(endpoint)
                metricsSocket = (fd, actual)
            }
        } catch {
            for fd in socketsPerLoop.joined() { close(fd) }
            throw .listen(error)
        }
        boundEndpoints = bound

        if let user = configuration.user {
            do throws(Privileges.DropError) {
                try Privileges.drop(toUser: user, group: configuration.group)
            } catch {
                for fd in socketsPerLoop.joined() { close(fd) }
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
            for fd in socketsPerLoop.joined() { close(fd) }
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
        do throws(SQLiteError) {
            readers = try StoreReaders(path: configuration.storePath, threads: 2, budget: configuration.readBudget, health: store.health)
        } catch {
            for fd in socketsPerLoop.joined() { close(fd) }
            store.stop()
            throw .store(.sqlite(error))
        }
        services = NodeServices(
            configuration: configuration, logger: logger, store: store, readers: readers, credentials: credentials,
            tlsContext: tlsContexts.server, clientTLSContext: tlsContexts.client,
            router: Router(nodeName: configuration.name, table: table), access: AccessControl(access), clock: NodeClock(), nodeOrigin: nodeOrigin)
        if let (fd, endpoint) = metricsSocket {
            metrics = MetricsServer(fd: fd, endpoint: endpoint, services: services)
        } else {
            metrics = nil
        }
        if let file = services.clock.file {
            logger.warning("digests use the time in a file, not the system clock (testing only)", ["ILONET_CLOCK_FILE": file])
        }

        var loops: [EventLoop] = []
        var contexts: [LoopBound<LoopContext>] = []
        for index in 0..<threadCount {
            let loop: EventLoop
            do throws(SystemError) { loop = try EventLoop(name: "ilonet-loop-\(index)") } catch {
                for fd in socketsPerLoop.joined() { close(fd) }
                store.stop()
                throw .listen(error)
            }
            loop.start()
            let services = self.services
            let fds = socketsPerLoop[index]
            let context = loop.runAndWait {
                let context = LoopContext(loop: loop, services: services)
                do throws(SystemError) { try context.start(listeningOn: fds) } catch {
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
        sweeperLoop.execute {
            ExpirySweeper(loop: sweeperLoop, services: services).start()
            DigestScheduler(loop: sweeperLoop, services: services).start()
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

    /// SIGHUP: re-reads the routing table and the access rules. A file with errors
    /// is refused, every error is logged, and the node keeps what it had.
    /// Connections are not touched.
    @discardableResult
    public func reload() -> Bool {
        let routes = reloadRoutes()
        let access = reloadAccess()
        let tls = reloadTLS()
        reauthorizeOpenConnections()
        return tls && routes && access
    }

    /// Revocation and rule changes reach open connections at once, not only new
    /// ones: each loop re-checks its sessions (docs/ACCESS.md §1.2).
    public func reauthorizeOpenConnections() {
        for context in contexts { context.loop.execute { context.value.reauthorize() } }
    }

    /// Rebuilds the TLS contexts from the trust roots and the revocation list on
    /// disk (the certificate and key stay those read at start-up). New connections
    /// use the new contexts; a broken file is refused and the old contexts kept.
    @discardableResult
    public func reloadTLS() -> Bool {
        do throws(OpenSSLError) {
            let contexts = try NodeServices.makeTLSContexts(configuration, credentials: services.credentials)
            services.replaceTLSContexts(server: contexts.server, client: contexts.client)
            Node.logRevocationList(contexts.server, configuration: configuration, logger: services.logger)
            services.logger.info("TLS trust roots and revocation list reloaded", ["ca": configuration.tls.trustRootsPath])
            return true
        } catch {
            services.logger.error("reload failed; keeping the previous TLS trust roots and revocation list", ["error": error.description])
            return false
        }
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

    @discardableResult
    public func reloadAccess() -> Bool {
        guard let path = configuration.accessPath else { return true }
        do throws(ConfigErrors) {
            let rules = try AccessRules.load(path)
            services.access.replace(rules)
            services.logger.info("access rules reloaded", ["file": path, "rules": String(rules.rules.count)])
            return true
        } catch {
            for problem in error.errors { services.logger.error("access rules refused", ["problem": problem.description]) }
            services.logger.error("reload failed; keeping the previous access rules", ["file": path])
            return false
        }
    }

    @discardableResult
    public func reloadRoutes() -> Bool {
        guard let path = configuration.routesPath else {
            services.logger.info("reload: no routing table configured")
            return true
        }
        do throws(ConfigErrors) {
            let table = try RoutingTable.load(path, knownHops: Set(configuration.peers.map(\.name)))
            services.router.replace(table)
            services.logger.info("routing table reloaded", ["table": path, "rules": String(table.rules.count)])
            return true
        } catch {
            for problem in error.errors { services.logger.error("routing table refused", ["problem": problem.description]) }
            services.logger.error("reload failed; keeping the previous routing table", ["table": path, "rules": String(services.router.table.rules.count)])
            return false
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
        services.store.stop()
        services.logger.info("node stopped", ["node": configuration.name])
    }
}
