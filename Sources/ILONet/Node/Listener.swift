import Glibc

/// A listening socket on one loop: accepts connections while the node is under
/// its connection limit. Confined to its loop.
final class Listener: IOHandler {
    let fd: Int32
    unowned let context: LoopContext
    /// The web view's port (HTTPS) rather than the ILONet protocol's.
    let web: Bool
    private var paused = false

    init(fd: Int32, context: LoopContext, web: Bool = false) {
        self.fd = fd
        self.context = context
        self.web = web
    }

    func handle(_ events: IOEvents) {
        let services = context.services
        // A bounded number per wake-up, so one loop's accepts do not starve its connections.
        for _ in 0..<128 {
            switch Socket.accept(fd) {
            case .accepted(let client, let peer):
                let count = services.connections.add(1, ordering: .relaxed).newValue
                if count > services.configuration.maximumConnections {
                    services.connections.subtract(1, ordering: .relaxed)
                    services.logger.warning(
                        "connection refused: limit reached",
                        ["peer": peer, "limit": String(services.configuration.maximumConnections)])
                    Glibc.close(client)
                    continue
                }
                context.adopt(fd: client, peer: peer, web: web)
            case .wouldBlock:
                return
            case .exhausted(let error):
                // Level-triggered epoll would wake us at once again: pause for a moment.
                services.logger.error("cannot accept connections for now", ["error": error.description])
                pause(for: 0.1)
                return
            case .failed(let error):
                services.logger.warning("accept failed", ["error": error.description])
                return
            }
        }
    }

    private func pause(for seconds: Double) {
        guard !paused else { return }
        paused = true
        context.loop.setInterest(fd: fd, read: false, write: false)
        context.loop.schedule(after: seconds) { [weak self] in
            guard let self, self.paused else { return }
            self.paused = false
            self.context.loop.setInterest(fd: self.fd, read: true, write: false)
        }
    }

    func close() {
        context.loop.deregister(fd: fd)
        Glibc.close(fd)
    }
}

@available(*, unavailable)
extension Listener: Sendable {}
