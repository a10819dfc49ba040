import Synchronization

/// What every loop of a node shares: configuration, log, store, TLS context and
/// the connection count. Everything here is immutable or thread-safe.
final class NodeServices: Sendable {
    let configuration: NodeConfiguration
    let logger: Logger
    let store: StoreWorker
    /// Read-only connections for long queries, beside the writer.
    let readers: StoreReaders
    /// One read-only connection for the subscribers' streams (`Watcher`): their
    /// reads run beside the writer instead of waiting for its next commit.
    let streamReader: StoreReaders
    /// The node's certificate and key, read once at start-up (before dropping root).
    let credentials: TLSCredentials
    private let contexts: Mutex<(server: TLSContext, client: TLSContext)>
    /// For accepted connections. Replaced on SIGHUP (trust roots, revocation list).
    var tlsContext: TLSContext { contexts.withLock { $0.server } }
    /// For outgoing links: this node's certificate as a client certificate.
    var clientTLSContext: TLSContext { contexts.withLock { $0.client } }
    let connections = Atomic<Int>(0)
    let memory = MemoryTrimmer()
    let identityLimits: IdentityLimits
    let router: Router
    let access: AccessControl
    /// Sessions watching for new deliveries, by identity.
    let watchers = WatcherRegistry()
    /// The node's clock for digests (a file can stand in for it in tests).
    let clock: NodeClock
    let peers: PeerRegistry
    /// This node as the author of notices (from its certificate).
    let nodeOrigin: Origin
    /// Checks authors' signatures; remembers signers' certificates that verified.
    let signatures = SignatureCheck()
    let metrics: NodeMetrics
    /// What the last SIGHUP did (`ilo status`, the metrics, systemd's STATUS).
    let lastReload = Mutex<ReloadOutcome?>(nil)
    /// The roles of the identities seen here, for checking peers' paths.
    let identities = IdentityDirectory()
    /// The highest interest sequence seen per node (docs/ROUTING.md §8), so
    /// that an announcement already known costs no signature check.
    let interestSequences = Mutex<[String: Int64]>([:])
    /// New announcements taken per announcing node (a token bucket: 5, then one
    /// a second): a node announces at most once a second, so only a node that
    /// floods the network with its own announcements is held back.
    let interestBudget = Mutex<[String: (tokens: Double, at: UInt64)]>([:])
    let startedAt = Timestamp.nowMilliseconds()

    init(
        configuration: NodeConfiguration, logger: Logger, store: StoreWorker, readers: StoreReaders, streamReader: StoreReaders, credentials: TLSCredentials, tlsContext: TLSContext, clientTLSContext: TLSContext,
        router: Router, access: AccessControl, clock: NodeClock, nodeOrigin: Origin
    ) {
        self.configuration = configuration
        self.logger = logger
        self.store = store
        self.readers = readers
        self.streamReader = streamReader
        self.credentials = credentials
        self.contexts = Mutex((tlsContext, clientTLSContext))
        self.router = router
        self.access = access
        self.clock = clock
        self.peers = PeerRegistry(peers: configuration.peers)
        self.metrics = NodeMetrics(peers: configuration.peers.map(\.name))
        self.identityLimits = IdentityLimits(
            maximumConnections: configuration.maximumConnectionsPerIdentity, publishRate: configuration.publishRate,
            publishBurst: configuration.publishBurst, maximumAnswerBytes: configuration.maximumAnswerBytesPerIdentity)
        self.nodeOrigin = nodeOrigin
        // Watchers learn of new deliveries once per batch, after its commit.
        store.onDeliveriesCommitted { [weak watchers] identities in watchers?.poke(identities) }
    }

    /// New connections use these from now on; open ones keep theirs.
    func replaceTLSContexts(server: TLSContext, client: TLSContext) {
        contexts.withLock { $0 = (server, client) }
        signatures.forget()  // a certificate may have been revoked
    }

    /// Builds the server and client contexts from the configuration's files and
    /// the credentials in memory.
    static func makeTLSContexts(
        _ configuration: NodeConfiguration, credentials: TLSCredentials
    ) throws(OpenSSLError) -> (server: TLSContext, client: TLSContext) {
        let server = try TLSContext(configuration.tls, credentials: credentials)
        var client = TLSConfiguration.makeClientConfiguration(
            certificate: configuration.tls.certificatePath, privateKey: configuration.tls.privateKeyPath,
            trustRoots: configuration.tls.trustRootsPath)
        client.minimumVersion = configuration.tls.minimumVersion
        client.revocationListPath = configuration.tls.revocationListPath
        client.revocationUnavailable = configuration.tls.revocationUnavailable
        return (server, try TLSContext(client, credentials: credentials))
    }
}

/// What a SIGHUP did: all of the reloaded files, or none of them.
public struct ReloadOutcome: Sendable, Equatable {
    public let milliseconds: Int64
    public let succeeded: Bool
    /// Why it was refused (`FILE:LINE: message`), first problem first.
    public let problems: [String]
    /// Settings changed in the configuration file that take effect only at a restart.
    public let needsRestart: [String]
}

