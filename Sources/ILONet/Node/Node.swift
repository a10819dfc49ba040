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
        case listen(SystemError)

        public var description: String {
            switch self {
            case .store(let e): e.description
            case .tls(let e): "TLS: \(e)"
            case .listen(let e): "listen: \(e)"
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

    public var configuration: NodeConfiguration { services.configuration }
    public var store: StoreWorker { services.store }
    public var connectionCount: Int { services.connections.load(ordering: .relaxed) }

    public init(configuration: NodeConfiguration, logger: Logger) throws(StartError) {
        // The store's directory is made on first start (owner only), never by --check-config.
        let directory = (configuration.storePath as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let store: StoreWorker
        do throws(ReportStore.StoreSetupError) {
            store = try StoreWorker(path: configuration.storePath, logger: logger)
        } catch {
            throw .store(error)
        }
        let tls: TLSContext
        do throws(OpenSSLError) {
            tls = try TLSContext(configuration.tls)
        } catch {
            store.stop()
            throw .tls(error)
        }
        services = NodeServices(configuration: configuration, logger: logger, store: store, tlsContext: tls)

        // Bind on this thread so that a port in use fails start-up. Every loop gets
        // its own socket per address (SO_REUSEPORT); port 0 is resolved once.
        let threadCount = configuration.threadCount
        var socketsPerLoop = Array(repeating: [Int32](), count: threadCount)
        var bound: [Endpoint] = []
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
        } catch {
            for fd in socketsPerLoop.joined() { close(fd) }
            store.stop()
            throw .listen(error)
        }
        boundEndpoints = bound

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
        logger.info(
            "node ready",
            ["node": configuration.name, "role": configuration.role.rawValue, "listen": bound.map(\.description).joined(separator: ","),
             "threads": String(threadCount), "tls-min": configuration.tls.minimumVersion.rawValue, "store": configuration.storePath])
    }

    /// Closes every connection, finishes the commits in flight and stops the
    /// loops and the store. Reports already acknowledged are on disk.
    public func stop() {
        let wasRunning = state.withLock { s -> Bool in
            defer { s = .stopped }
            return s == .running
        }
        guard wasRunning else { return }
        for context in contexts {
            context.loop.runAndWait { context.value.shutdown() }
        }
        for loop in loops { loop.stop() }
        services.store.stop()
        services.logger.info("node stopped", ["node": configuration.name])
    }
}
