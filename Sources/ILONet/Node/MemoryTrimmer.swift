internal import CILOShims
import Synchronization

/// Gives memory back to the system after many connections closed. glibc keeps
/// freed heap in its arenas; after a flood of half-open handshakes (15,000 SSL
/// objects) the node's RSS stayed at 690 MB with nobody connected. `malloc_trim`
/// returns what is free; it is called from the loops' sweeps at most every ten
/// seconds, and only after the connection count fell by 1,000 or more.
final class MemoryTrimmer: Sendable {
    private struct State {
        var peak = 0
        var lastTrim: UInt64 = 0
    }

    private let state = Mutex(State())
    static let drop = 1000
    static let interval: UInt64 = 10_000_000_000

    func returnFreedMemory(connections: Int, now: UInt64) {
        let due = state.withLock { s -> Bool in
            s.peak = max(s.peak, connections)
            guard s.peak - connections >= MemoryTrimmer.drop, now &- s.lastTrim >= MemoryTrimmer.interval else { return false }
            s.peak = connections
            s.lastTrim = now
            return true
        }
        if due { _ = ilo_malloc_trim() }
    }
}
