import Synchronization

/// Connections that have not finished their TLS handshake, per source address,
/// shared by all loops. (The overall cap is kept per loop by `LoopContext`, so
/// that a loop whose share is full can make room among its own connections.)
/// Together they keep sockets without a certificate — plain TCP, half-open
/// handshakes — from taking every slot (docs/RELIABILITY.md §4).
final class HandshakeLimits: Sendable {
    private let byAddress = Mutex<[String: Int]>([:])
    let maximumPerAddress: Int

    init(maximumPerAddress: Int) {
        self.maximumPerAddress = maximumPerAddress
    }

    /// Counts a new connection from `address`; false if that address is at its cap.
    func admit(_ address: String) -> Bool {
        byAddress.withLock { counts in
            let current = counts[address, default: 0]
            guard current < maximumPerAddress else { return false }
            counts[address] = current + 1
            return true
        }
    }

    /// The connection finished its handshake, or closed before.
    func release(_ address: String) {
        byAddress.withLock { counts in
            let left = counts[address, default: 1] - 1
            if left <= 0 { counts.removeValue(forKey: address) } else { counts[address] = left }
        }
    }

    /// `192.0.2.7:51234` → `192.0.2.7`; `[2001:db8::1]:51234` → `2001:db8::1`.
    static func host(of peer: String) -> String {
        if peer.hasPrefix("["), let end = peer.firstIndex(of: "]") { return String(peer[peer.index(after: peer.startIndex)..<end]) }
        if let colon = peer.lastIndex(of: ":"), peer.filter({ $0 == ":" }).count == 1 { return String(peer[..<colon]) }
        return peer
    }
}
