internal import CILOShims
import Synchronization

/// Gives memory back to the system after many connections closed, or after
/// connections that held large answers closed. glibc keeps freed heap in its
/// arenas; after a flood of half-open handshakes (15,000 SSL objects) the
/// node's RSS stayed at 690 MB with nobody connected. `malloc_trim` returns
/// what is free; it is called from the loops' sweeps at most every ten
/// seconds, and only after the connection count fell by 1,000 or more, or
/// after closed connections had held 8 MiB or more of answers.
final class MemoryTrimmer: Sendable {
    private struct State {
        var peak = 0
        var lastTrim: UInt64 = 0
        var freedBytes = 0
    }

    private let state = Mutex(State())
    static let drop = 1000
    static let freed = 8 << 20
    static let interval: UInt64 = 10_000_000_000

    /// Blocks of 256 KiB and more — answers of a frame, documents read for
    /// them — are mapped on their own and go back to the system when freed,
    /// instead of staying in glibc's arenas (whose threshold otherwise rises to
    /// 32 MiB as such blocks are freed). Called once, before the loops start.
    static func mapLargeBlocksOnTheirOwn() {
        _ = ilo_malloc_mmap_threshold(256 << 10)
    }

    /// A connection closed that had held up to `bytes` of answers.
    func noteFreed(bytes: Int) {
        guard bytes >= 64 << 10 else { return }
        state.withLock { $0.freedBytes += bytes }
    }

    func returnFreedMemory(connections: Int, now: UInt64) {
        let due = state.withLock { s -> Bool in
            s.peak = max(s.peak, connections)
            let many = s.peak - connections >= MemoryTrimmer.drop, large = s.freedBytes >= MemoryTrimmer.freed
            guard many || large, now &- s.lastTrim >= MemoryTrimmer.interval else { return false }
            s.peak = connections
            s.freedBytes = 0
            s.lastTrim = now
            return true
        }
        if due { _ = ilo_malloc_trim() }
    }
}
