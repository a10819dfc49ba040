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
    let peers: PeerRegistry
    /// This node as the author of notices (from its certificate).
    let nodeOrigin: Origin

    init(
        configuration: NodeConfiguration, logger: Logger, store: StoreWorker, tlsContext: TLSContext, clientTLSContext: TLSContext,
        router: Router, nodeOrigin: Origin
    ) {
        self.configuration = configuration
        self.logger = logger
        self.store = store
        self.tlsContext = tlsContext
        self.clientTLSContext = clientTLSContext
        self.router = router
        self.peers = PeerRegistry(peers: configuration.peers)
        self.nodeOrigin = nodeOrigin
    }
}
