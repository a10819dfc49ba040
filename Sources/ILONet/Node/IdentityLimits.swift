import Synchronization

/// Per-identity limits shared by every loop of a node: how many connections an
/// identity holds, and a token bucket for the reports it publishes. Identities
/// are certificate CNs, so one officer's laptop and phone share their limits.
final class IdentityLimits: Sendable {
    private struct Entry {
        var connections = 0
        var tokens: Double
        var refilledAt: UInt64  // monotonic nanoseconds
        /// Bytes kept for this identity's answers being computed, all connections together.
        var answerBytes = 0
        /// Connections that stopped reading because `answerBytes` reached its bound.
        var waiting: [@Sendable () -> Void] = []
    }

    private let maximumConnections: Int
    private let rate: Double
    private let burst: Double
    /// `limits.max-answer-bytes-per-identity`.
    let maximumAnswerBytes: Int
    private let entries = Mutex<[String: Entry]>([:])

    init(maximumConnections: Int, publishRate: Double, publishBurst: Int, maximumAnswerBytes: Int = 16 << 20) {
        self.maximumConnections = maximumConnections
        self.rate = publishRate
        self.burst = Double(max(1, publishBurst))
        self.maximumAnswerBytes = maximumAnswerBytes
    }

    /// Keeps `bytes` for an answer of `id`'s. When its answers on their way reach
    /// the bound, `wake` is kept to be called once they fall below it again, and
    /// the result is false: the caller stops reading that connection meanwhile.
    func reserveAnswer(_ id: String, bytes: Int, wake: @escaping @Sendable () -> Void) -> Bool {
        entries.withLock { entries in
            var entry = entries[id] ?? Entry(tokens: burst, refilledAt: 0)
            entry.answerBytes += bytes
            let room = entry.answerBytes < maximumAnswerBytes
            if !room { entry.waiting.append(wake) }
            entries[id] = entry
            return room
        }
    }

    /// The answer that `bytes` were kept for was computed; wakes the connections
    /// that waited once the identity is below its bound.
    func releaseAnswer(_ id: String, bytes: Int) {
        let woken: [@Sendable () -> Void] = entries.withLock { entries in
            guard var entry = entries[id] else { return [] }
            entry.answerBytes = max(0, entry.answerBytes - bytes)
            var wake: [@Sendable () -> Void] = []
            if entry.answerBytes < maximumAnswerBytes {
                wake = entry.waiting
                entry.waiting.removeAll()
            }
            if entry.connections <= 0 && entry.answerBytes == 0 && entry.waiting.isEmpty && (rate == 0 || entry.tokens >= burst) {
                entries[id] = nil
            } else {
                entries[id] = entry
            }
            return wake
        }
        for wake in woken { wake() }
    }

    /// The bytes kept for `id`'s answers now (tests, status).
    func answerBytes(_ id: String) -> Int { entries.withLock { $0[id]?.answerBytes ?? 0 } }

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
            // Forget an identity with no connection, no answer on its way and a full bucket.
            if entry.connections <= 0 && entry.answerBytes == 0 && entry.waiting.isEmpty && (rate == 0 || entry.tokens >= burst) {
                entries[id] = nil
            } else {
                entries[id] = entry
            }
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
