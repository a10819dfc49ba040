import Synchronization

/// The roles of the identities that have connected to this node since it
/// started (from their certificates), so that a peer's claims about who is a
/// node can be checked against what this node has seen itself. Bounded: past
/// `capacity` identities it forgets them all and starts again.
final class IdentityDirectory: Sendable {
    private let roles = Mutex<[String: Role]>([:])
    private let capacity: Int

    init(capacity: Int = 100_000) { self.capacity = capacity }

    func record(_ identity: PeerIdentity) {
        roles.withLock {
            if $0.count >= capacity { $0.removeAll() }
            $0[identity.id] = identity.role
        }
    }

    func role(of id: String) -> Role? { roles.withLock { $0[id] } }
}
