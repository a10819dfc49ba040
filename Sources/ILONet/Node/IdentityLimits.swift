import Synchronization

/// Per-identity limits shared by every loop of a node: how many connections an
/// identity holds, and a token bucket for the reports it publishes. Identities
/// are certificate CNs, so one officer's laptop and phone share their limits.
final class IdentityLimits: Sendable {
    private struct Entry {
        var connections = 0
        var tokens: Double
        var refilledAt: UInt64  // monotonic nanoseconds
    }

    private let maximumConnections: Int
    private let rate: Double
    private let burst: Double
    private let entries = Mutex<[String: Entry]>([:])

    init(maximumConnections: Int, publishRate: Double, publishBurst: Int) {
        self.maximumConnections = maximumConnections
        self.rate = publishRate
        self.burst = Double(max(1, publishBurst))
    }

    /// Counts a new connection for `id`; false (and nothing counted) at the limit.
    func admitConnection(_ id: String, now: UInt64) -> Bool {
        entries.withLock { entries in
            var entry = entries[id] ?? Entry(tokens: burst, refilledAt: now)
            guard entry.connections < maximumConnections else { return false }
            entry.connections += 1
            entries[id] = entry
            return true
        }
    }

    func releaseConnection(_ id: String) {
        entries.withLock { entries in
            guard var entry = entries[id] else { return }
            entry.connections -= 1
            // Forget an identity with no connection and a full bucket.
            if entry.connections <= 0 && (rate == 0 || entry.tokens >= burst) { entries[id] = nil } else { entries[id] = entry }
        }
    }

    /// Takes one publish token for `id`; false when its bucket is empty.
    func takePublishToken(_ id: String, now: UInt64) -> Bool {
        guard rate > 0 else { return true }
        return entries.withLock { entries in
            var entry = entries[id] ?? Entry(tokens: burst, refilledAt: now)
            let elapsed = Double(now &- entry.refilledAt) / 1e9
            entry.tokens = min(burst, entry.tokens + elapsed * rate)
            entry.refilledAt = now
            let allowed = entry.tokens >= 1
            if allowed { entry.tokens -= 1 }
            entries[id] = entry
            return allowed
        }
    }
}
