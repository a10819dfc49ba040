import Synchronization

/// What every loop of a node shares: configuration, log, store, TLS context and
/// the connection count. Everything here is immutable or thread-safe.
final class NodeServices: Sendable {
    let configuration: NodeConfiguration
    let logger: Logger
    let store: StoreWorker
    let tlsContext: TLSContext
    /// For outgoing links: this node's certificate as a client certificate.
    let clientTLSContext: TLSContext
    let connections = Atomic<Int>(0)
    let router: Router
    let access: AccessControl
    /// Sessions watching for new deliveries, by identity.
    let watchers = WatcherRegistry()
    /// The node's clock for digests (a file can stand in for it in tests).
    let clock: NodeClock
    let peers: PeerRegistry
    /// This node as the author of notices (from its certificate).
    let nodeOrigin: Origin

    init(
        configuration: NodeConfiguration, logger: Logger, store: StoreWorker, tlsContext: TLSContext, clientTLSContext: TLSContext,
        router: Router, access: AccessControl, clock: NodeClock, nodeOrigin: Origin
    ) {
        self.configuration = configuration
        self.logger = logger
        self.store = store
        self.tlsContext = tlsContext
        self.clientTLSContext = clientTLSContext
        self.router = router
        self.access = access
        self.clock = clock
        self.peers = PeerRegistry(peers: configuration.peers)
        self.nodeOrigin = nodeOrigin
    }
}
