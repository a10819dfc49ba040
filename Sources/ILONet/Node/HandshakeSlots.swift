/// Connections of one loop still in their TLS handshake (docs/RELIABILITY.md §4):
/// at most the loop's share of `limits.max-handshaking`, and of
/// `limits.max-handshaking-per-address` for each source address. When a share
/// is full, a newcomer is let in by closing a handshake of the loop's own:
/// one whose socket has sent nothing, whatever its age, the oldest first;
/// failing that, the oldest at it for more than 100 ms. A real client sends its
/// ClientHello at once, so a socket that stays silent is the one that goes —
/// and an officer behind the same address (a post's NAT) as an attacker
/// opening silent sockets still gets in. Each loop keeps its own share, so the
/// handshake to close is always one it owns. Confined to its loop.
struct HandshakeSlots {
    /// This loop's share of the overall limit and of the per-address limit.
    let overall: Int
    let perAddress: Int
    /// Oldest first.
    private(set) var connections: [Connection] = []
    private var byAddress: [String: Int] = [:]

    init(overall: Int, perAddress: Int) {
        self.overall = max(1, overall)
        self.perAddress = max(1, perAddress)
    }

    enum Full { case loop, address }

    var count: Int { connections.count }

    /// Which share a new connection from `address` finds full, if any.
    func full(for address: String) -> Full? {
        if connections.count >= overall { return .loop }
        if byAddress[address, default: 0] >= perAddress { return .address }
        return nil
    }

    mutating func add(_ connection: Connection, from address: String) {
        connections.append(connection)
        byAddress[address, default: 0] += 1
    }

    /// The handshake finished, or the connection closed before.
    mutating func remove(_ connection: Connection) {
        guard let index = connections.firstIndex(where: { $0 === connection }) else { return }
        connections.remove(at: index)
        let address = HandshakeSlots.host(of: connection.peerAddress)
        let left = byAddress[address, default: 1] - 1
        if left <= 0 { byAddress.removeValue(forKey: address) } else { byAddress[address] = left }
    }

    /// The handshake to close to make room (from `address`, or any): the
    /// oldest whose socket has sent nothing; else the oldest at it for more
    /// than 100 ms; nil when none may go.
    func victim(from address: String?, now: UInt64) -> (connection: Connection, silent: Bool)? {
        var oldest: Connection?
        for connection in connections where address == nil || HandshakeSlots.host(of: connection.peerAddress) == address {
            if oldest == nil { oldest = connection }
            if !connection.hasSpoken { return (connection, true) }
        }
        guard let oldest, now &- oldest.openedAt > 100_000_000 else { return nil }
        return (oldest, false)
    }

    /// `192.0.2.7:51234` → `192.0.2.7`; `[2001:db8::1]:51234` → `2001:db8::1`.
    static func host(of peer: String) -> String {
        if peer.hasPrefix("["), let end = peer.firstIndex(of: "]") { return String(peer[peer.index(after: peer.startIndex)..<end]) }
        if let colon = peer.lastIndex(of: ":"), peer.filter({ $0 == ":" }).count == 1 { return String(peer[..<colon]) }
        return peer
    }
}
