import ILONet
import Synchronization

/// Which reports a resilient load run (`ilo bench load --resilient`) had
/// acknowledged, and which each subscriber received and had confirmed — the
/// accounting of the crash loop (scripts/crash-loop.sh). Shared by the load
/// clients of all loops.
///
/// A report delivered again before its confirmation was answered is a
/// *redelivery*, which at-least-once delivery allows and the report id
/// de-duplicates. A report delivered after the node answered its confirmation
/// is a *duplicate*, and one acknowledged but never delivered is *lost*; both
/// must stay at zero.
public final class DeliveryLedger: Sendable {
    public struct Figures: Sendable {
        public var sent = 0
        public var acknowledged = 0
        public var abandoned = 0
        public var delivered: [Int] = []
        public var lost: [Int] = []
        public var duplicated: [Int] = []
        public var redelivered: [Int] = []
    }

    private struct Reader {
        var delivered = Set<String>()
        var confirmed = Set<String>()
        var redelivered = 0
        var duplicated = 0
    }

    private struct State {
        var outstanding = Set<String>()
        var acknowledged = Set<String>()
        var abandoned = 0
        var sent = 0
        var readers: [Reader]
    }

    private let state: Mutex<State>

    public init(subscribers: Int) {
        state = Mutex(State(readers: Array(repeating: Reader(), count: subscribers)))
    }

    func sent(_ id: String) {
        state.withLock {
            $0.sent += 1
            $0.outstanding.insert(id)
        }
    }

    func acknowledged(_ id: String) {
        state.withLock {
            $0.outstanding.remove(id)
            $0.acknowledged.insert(id)
        }
    }

    /// Refused for good (not transient): not acknowledged, so nobody owes a delivery.
    func abandoned(_ id: String) {
        state.withLock {
            if $0.outstanding.remove(id) != nil { $0.abandoned += 1 }
        }
    }

    func delivered(_ id: String, to reader: Int) {
        state.withLock {
            if $0.readers[reader].confirmed.contains(id) {
                $0.readers[reader].duplicated += 1
            } else if !$0.readers[reader].delivered.insert(id).inserted {
                $0.readers[reader].redelivered += 1
            }
        }
    }

    func confirmed(_ ids: [String], by reader: Int) {
        state.withLock { $0.readers[reader].confirmed.formUnion(ids) }
    }

    /// Nothing waits for an acknowledgement and every acknowledged report reached every subscriber.
    public var settled: Bool {
        state.withLock { state in
            state.outstanding.isEmpty && state.readers.allSatisfy { state.acknowledged.isSubset(of: $0.delivered) }
        }
    }

    public var figures: Figures {
        state.withLock { state in
            var figures = Figures(sent: state.sent, acknowledged: state.acknowledged.count, abandoned: state.abandoned)
            for reader in state.readers {
                figures.delivered.append(reader.delivered.count)
                figures.lost.append(state.acknowledged.subtracting(reader.delivered).count)
                figures.duplicated.append(reader.duplicated)
                figures.redelivered.append(reader.redelivered)
            }
            return figures
        }
    }
}
