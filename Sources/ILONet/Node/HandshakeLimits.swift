import Synchronization

/// Connections that have not finished their TLS handshake: capped overall and
/// per source address, below `limits.max-connections`, so that sockets without
/// a certificate (plain TCP, half-open handshakes) can never take every slot
/// and keep authenticated users out (docs/RELIABILITY.md §4). Shared by all loops.
final class HandshakeLimits: Sendable {
    private struct State {
        var total = 0
        var byAddress: [String: Int] = [:]
    }

    private let state = Mutex(State())
    let maximum: Int
    let maximumPerAddress: Int

    init(maximum: Int, maximumPerAddress: Int) {
        self.maximum = maximum
        self.maximumPerAddress = maximumPerAddress
    }

    enum Refusal: Equatable {
        case total
        case address
    }

    /// Counts a new connection from `address`, or says which cap it would pass.
    func admit(_ address: String) -> Refusal? {
        state.withLock { s in
            if s.total >= maximum { return .total }
            let current = s.byAddress[address, default: 0]
            if current >= maximumPerAddress { return .address }
            s.total += 1
            s.byAddress[address] = current + 1
            return nil
        }
    }

    /// The connection finished its handshake, or closed before.
    func release(_ address: String) {
        state.withLock { s in
            s.total -= 1
            let left = s.byAddress[address, default: 1] - 1
            if left <= 0 { s.byAddress.removeValue(forKey: address) } else { s.byAddress[address] = left }
        }
    }

    var count: Int { state.withLock { $0.total } }

    /// `192.0.2.7:51234` → `192.0.2.7`; `[2001:db8::1]:51234` → `2001:db8::1`.
    static func host(of peer: String) -> String {
        if peer.hasPrefix("["), let end = peer.firstIndex(of: "]") { return String(peer[peer.index(after: peer.startIndex)..<end]) }
        if let colon = peer.lastIndex(of: ":"), peer.filter({ $0 == ":" }).count == 1 { return String(peer[..<colon]) }
        return peer
    }
}
