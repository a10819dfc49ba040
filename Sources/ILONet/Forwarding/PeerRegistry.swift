import Synchronization

/// The node's peers: which ones have a live link now (and the forwarder that
/// drains their queue on it), and each link's state for `ilo queue` and status.
final class PeerRegistry: Sendable {
    struct LinkStatus: Sendable {
        var state: String = "down"  // up | down | connecting
        var since: Int64 = Timestamp.nowMilliseconds()
        var lastError: String?
        var nextAttempt: Int64?
        let dials: Bool

        var json: JSONValue {
            var fields: [String: JSONValue] = [
                "state": .string(state), "since": .string(Timestamp.format(milliseconds: since)),
                "direction": .string(dials ? "dial" : "accept"),
            ]
            if let lastError { fields["last_error"] = .string(lastError) }
            if let nextAttempt { fields["next_attempt"] = .string(Timestamp.format(milliseconds: nextAttempt)) }
            return .object(fields)
        }
    }

    let configured: [String: Peer]
    private let channels = Mutex<[String: (owner: ObjectIdentifier, forwarder: LoopBound<Forwarder>)]>([:])
    private let statuses: Mutex<[String: LinkStatus]>
    private let dialers = Mutex<[LoopBound<PeerDialer>]>([])

    init(peers: [Peer]) {
        configured = Dictionary(uniqueKeysWithValues: peers.map { ($0.name, $0) })
        statuses = Mutex(Dictionary(uniqueKeysWithValues: peers.map { ($0.name, LinkStatus(dials: $0.endpoint != nil)) }))
    }

    func isPeer(_ identity: PeerIdentity) -> Bool { identity.role == .node && configured[identity.id] != nil }

    /// Makes `forwarder` the one draining `peer`'s queue; false if another link already does.
    func attach(_ forwarder: Forwarder, peer: String) -> Bool {
        let bound = LoopBound(forwarder, loop: forwarder.loop)
        let attached = channels.withLock { table -> Bool in
            guard table[peer] == nil else { return false }
            table[peer] = (ObjectIdentifier(forwarder), bound)
            return true
        }
        if attached { update(peer) { $0.state = "up"; $0.since = Timestamp.nowMilliseconds(); $0.lastError = nil; $0.nextAttempt = nil } }
        return attached
    }

    func detach(_ forwarder: Forwarder, peer: String, reason: String) {
        let detached = channels.withLock { table -> Bool in
            guard table[peer]?.owner == ObjectIdentifier(forwarder) else { return false }
            table[peer] = nil
            return true
        }
        if detached { update(peer) { $0.state = "down"; $0.since = Timestamp.nowMilliseconds(); $0.lastError = reason } }
    }

    /// New reports wait for these peers: wake the forwarders that serve them.
    func poke(_ peers: some Sequence<String>) {
        let targets = channels.withLock { table in peers.compactMap { table[$0]?.forwarder } }
        for target in targets { target.loop.execute { target.value.pull() } }
    }

    func pokeAll() { poke(configured.keys) }

    /// Sends an interest announcement on every live link but to `except`.
    func broadcastInterest(_ document: [UInt8], except: Set<String>) {
        let targets = channels.withLock { table in table.filter { !except.contains($0.key) }.map(\.value.forwarder) }
        for target in targets { target.loop.execute { target.value.sendInterest([document]) } }
    }

    func update(_ peer: String, _ change: (inout LinkStatus) -> Void) {
        statuses.withLock { table in
            guard var status = table[peer] else { return }
            change(&status)
            table[peer] = status
        }
    }

    func status(_ peer: String) -> LinkStatus? { statuses.withLock { $0[peer] } }
    var allStatuses: [String: LinkStatus] { statuses.withLock { $0 } }

    func register(_ dialer: LoopBound<PeerDialer>) { dialers.withLock { $0.append(dialer) } }

    /// `ilo queue flush`: links that are down try again now.
    func reconnectAll() {
        for dialer in dialers.withLock({ $0 }) { dialer.loop.execute { dialer.value.connectNow() } }
    }

    func stopDialers() {
        for dialer in dialers.withLock({ $0 }) { dialer.loop.runAndWait { dialer.value.stop() } }
    }
}
