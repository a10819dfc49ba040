import Glibc
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
        /// Bytes of files sent in chunks (a chunk sent twice counts twice).
        public var fileBytesSent = 0

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
        ![.storeUnavailable, .shuttingDown, .overloaded, .queueFull, .rateLimited, .timeout, .attachmentMissing].contains(error.code)
    }

    /// Sends every queued entry (or only `only`) over `client`; records each outcome in the outbox.
    /// `pipelined`: the entry already sent with HELLO (`ClientConnection(_:pipelining:)`), whose answer is waited for, not sent again.
    ///
    /// A report with files has them uploaded first (`AttachmentUpload`), by one
    /// ilo at a time (`Outbox.takeUploadLock`; another ilo leaves them to it).
    /// Between two chunks, queued reports without files go out on the same
    /// connection, most urgent first: queued meanwhile by another `ilo send`,
    /// they wait only for the chunks already on their way.
    public static func run(_ outbox: Outbox, over client: ClientConnection, only: Set<String>? = nil, pipelined: String? = nil) throws(OutboxError) -> Result {
        var result = Result()
        let queued = try outbox.queued().filter { only?.contains($0.id) ?? true }
        let node = client.nodeIdentity.id
        var done: Set<String> = []
        var uploadLock: Int32?
        defer { if let uploadLock { close(uploadLock) } }

        /// PUBLISH of one entry and its outcome recorded; the error that stops the flush, if any.
        func publish(_ entry: Outbox.Entry, document: JSONValue) throws(OutboxError) -> ClientError? {
            done.insert(entry.id)
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
                return error
            }
            return nil
        }

        for entry in queued where !done.contains(entry.id) {
            guard let document = try? JSONValue(parsing: entry.document) else {
                try outbox.markRefused(entry.id, reason: "the stored report cannot be read back; write it again")
                continue
            }
            let attachments = Attachment.list(in: document)
            if !attachments.isEmpty {
                if uploadLock == nil { uploadLock = outbox.takeUploadLock() }
                guard uploadLock != nil else { continue }  // another ilo is sending the files now
                var stop: ClientError?
                var uploadFailure: OutboxError?
                // Urgent reports without files, between two chunks (their own outcomes recorded as they go).
                func between() throws(ClientError) {
                    guard stop == nil, uploadFailure == nil else { return }
                    var failed: ClientError?
                    do throws(OutboxError) {
                        for urgent in try outbox.withoutFiles(skipping: done) {
                            guard let value = try? JSONValue(parsing: urgent.document) else { continue }
                            if let error = try publish(urgent, document: value) {
                                failed = error
                                break
                            }
                        }
                    } catch {
                        uploadFailure = error
                    }
                    if let failed { throw failed }
                }
                do throws(ClientError) {
                    for (index, attachment) in attachments.enumerated() {
                        guard let content = try? outbox.file(entry.id, number: index + 1) else {
                            throw ClientError.malformed("file \(index + 1) of report \(entry.id) is missing from this computer's outbox")
                        }
                        var upload = AttachmentUpload(client: client, reportID: entry.id, number: index + 1, attachment: attachment, content: content)
                        let outcome: AttachmentUpload.Outcome
                        do throws(ClientError) {
                            outcome = try upload.run(between: between)
                            result.fileBytesSent += upload.sentBytes
                        } catch {
                            result.fileBytesSent += upload.sentBytes
                            throw error
                        }
                        if outcome.held { break }
                    }
                } catch .malformed(let why) where why.contains("missing from this computer") {
                    try outbox.markRefused(entry.id, reason: why)
                    result.refused.append((entry.id, ProtocolError(.invalidReport, why)))
                    continue
                } catch .refused(let refusal) where isPermanent(refusal) {
                    try outbox.markRefused(entry.id, reason: "\(refusal.code.rawValue): \(refusal.message)")
                    result.refused.append((entry.id, refusal))
                    continue
                } catch {
                    stop = error
                }
                if let uploadFailure { throw uploadFailure }
                if let stop {
                    try outbox.markFailed(entry.id, error: stop.description)
                    result.stoppedBy = stop
                    result.remaining = queued.filter { !done.contains($0.id) }.count
                    return result
                }
            }
            if let error = try publish(entry, document: document) {
                result.stoppedBy = error
                result.remaining = queued.filter { !done.contains($0.id) }.count + 1
                return result
            }
        }
        return result
    }
}
