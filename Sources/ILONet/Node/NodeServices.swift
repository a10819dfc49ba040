import Synchronization

/// What every loop of a node shares: configuration, log, store, TLS context and
/// the connection count. Everything here is immutable or thread-safe.
final class NodeServices: Sendable {
    let configuration: NodeConfiguration
    let logger: Logger
    let store: StoreWorker
    let tlsContext: TLSContext
    let connections = Atomic<Int>(0)

    init(configuration: NodeConfiguration, logger: Logger, store: StoreWorker, tlsContext: TLSContext) {
        self.configuration = configuration
        self.logger = logger
        self.store = store
        self.tlsContext = tlsContext
    }
}
