import ILONet

/// Sends what waits in the outbox over one connection, most urgent first, with
/// the stored bytes (same id, same signature). Stops at the first failure that
/// is not a refusal of one report on its merits: the others would meet it too.
public enum OutboxFlush {
    public struct Sent: Sendable {
        public let id: String
        /// The node already held it (an earlier try whose acknowledgement was lost).
        public let duplicate: Bool
        /// The node's ACCEPTED, for what it says about next hops.
        public let answer: JSONValue
    }

    public struct Result: Sendable {
        public var sent: [Sent] = []
        public var refused: [(id: String, error: ProtocolError)] = []
        /// Why the flush stopped with reports still queued (nil: it did not stop).
        public var stoppedBy: ClientError?
        public var remaining = 0

        public init() {}

        public var isEmpty: Bool { sent.isEmpty && refused.isEmpty && stoppedBy == nil }

        /// One line for people: "outbox: 2 sent (1 already held by the node), 1 refused, 3 still queued".
        public var summary: String {
            var parts: [String] = []
            let duplicates = sent.filter(\.duplicate).count
            if !sent.isEmpty { parts.append("\(sent.count) sent" + (duplicates > 0 ? " (\(duplicates) already held by the node)" : "")) }
            if !refused.isEmpty { parts.append("\(refused.count) refused for good (ilo outbox)") }
            if remaining > 0 { parts.append("\(remaining) still queued" + (stoppedBy.map { ": \($0)" } ?? "")) }
            return "outbox: " + (parts.isEmpty ? "nothing to send" : parts.joined(separator: ", "))
        }
    }

    /// Refusals that will never pass: the entry leaves the queue with the reason.
    public static func isPermanent(_ error: ProtocolError) -> Bool {
        ![.storeUnavailable, .shuttingDown, .overloaded, .queueFull, .rateLimited, .timeout].contains(error.code)
    }

    /// Sends every queued entry (or only `only`) over `client`; records each outcome in the outbox.
    /// `pipelined`: the entry already sent with HELLO (`ClientConnection(_:pipelining:)`), whose answer is waited for, not sent again.
    public static func run(_ outbox: Outbox, over client: ClientConnection, only: Set<String>? = nil, pipelined: String? = nil) throws(OutboxError) -> Result {
        var result = Result()
        let queued = try outbox.queued().filter { only?.contains($0.id) ?? true }
        let node = client.nodeIdentity.id
        for (index, entry) in queued.enumerated() {
            guard let document = try? JSONValue(parsing: entry.document) else {
                try outbox.markRefused(entry.id, reason: "the stored report cannot be read back; write it again")
                continue
            }
            let outcome: Swift.Result<Message, ClientError>
            do throws(ClientError) {
                if entry.id == pipelined, let answer = try client.pipelinedAnswer() {
                    outcome = .success(answer)
                } else {
                    outcome = .success(try client.request(.publish, ["report": document]))
                }
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let answer):
                try outbox.markAccepted(entry.id, by: node)
                result.sent.append(Sent(id: entry.id, duplicate: answer.body["duplicate"] == .bool(true), answer: answer.body))
            case .failure(.refused(let refusal)) where isPermanent(refusal):
                try outbox.markRefused(entry.id, reason: "\(refusal.code.rawValue): \(refusal.message)")
                result.refused.append((entry.id, refusal))
            case .failure(let error):
                try outbox.markFailed(entry.id, error: error.description)
                result.stoppedBy = error
                result.remaining = queued.count - index
                return result
            }
        }
        return result
    }
}
