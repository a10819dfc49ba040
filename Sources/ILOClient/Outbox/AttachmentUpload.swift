import ILONet

/// Sends one file of a report to the node in chunks (docs/PROTOCOL.md §3.8):
/// UPLOAD says from which byte (0, or what the node holds after a cut), then
/// CHUNKs of `chunkBytes`, at most `windowBytes` of them unanswered. Each
/// answer comes once the node committed the chunk. The window is what keeps an
/// urgent report from waiting: between two answers `between` may send one on
/// the same connection, and it waits only for the chunks already on their way.
public struct AttachmentUpload {
    /// 16 KiB: half a second of a 256 kbit/s uplink.
    public static let chunkBytes = 16 << 10
    /// 48 KiB unanswered: the bandwidth-delay product of a satellite uplink
    /// (256 kbit/s × 600 ms ≈ 19 KiB) and two chunks more, so the link never
    /// idles, and a flash report waits behind at most about 1.5 s of file.
    public static let windowBytes = 48 << 10

    public struct Outcome: Sendable, Equatable {
        /// Bytes of the file sent in CHUNKs this time (those sent twice count twice).
        public var sentBytes = 0
        /// Where this upload started: what the node held already.
        public var resumedAt = 0
        /// The node already held the report (and so its files).
        public var held = false
    }

    let client: ClientConnection
    let reportID: String
    let number: Int
    let attachment: Attachment
    let content: [UInt8]
    /// Bytes of the file sent in CHUNKs so far, also when the upload broke off.
    public private(set) var sentBytes = 0

    public init(client: ClientConnection, reportID: String, number: Int, attachment: Attachment, content: [UInt8]) {
        self.client = client
        self.reportID = reportID
        self.number = number
        self.attachment = attachment
        self.content = content
    }

    /// Uploads the file; `between` runs after each chunk the node acknowledged.
    public mutating func run(between: () throws(ClientError) -> Void = {}) throws(ClientError) -> Outcome {
        var outcome = Outcome()
        let address: [String: JSONValue] = ["report": .string(reportID), "attachment": .integer(Int64(number))]
        var announce = address
        announce["sha256"] = .string(attachment.sha256)
        announce["media_type"] = .string(attachment.mediaType.rawValue)
        announce["bytes"] = .integer(Int64(content.count))
        let state = try client.request(.upload, .object(announce))
        if state.body["held"] == .bool(true) {
            outcome.held = true
            return outcome
        }
        var acknowledged = try offset(in: state)
        outcome.resumedAt = acknowledged
        // Nothing of the file is on the wire yet: a report queued meanwhile goes first.
        try between()
        var next = acknowledged
        var inFlight: [(id: UInt32, end: Int)] = []
        while acknowledged < content.count {
            while next < content.count, next - acknowledged < AttachmentUpload.windowBytes {
                let end = min(content.count, next + AttachmentUpload.chunkBytes)
                var header = address
                header["offset"] = .integer(Int64(next))
                let id = try client.sendRequest(.chunk, .object(header), data: Array(content[next..<end]))
                inFlight.append((id, end))
                outcome.sentBytes += end - next
                sentBytes += end - next
                next = end
            }
            let (id, end) = inFlight.removeFirst()
            let answer = try client.answer(to: id)
            if answer.body["held"] == .bool(true) {
                for rest in inFlight { _ = try? client.answer(to: rest.id) }
                outcome.held = true
                return outcome
            }
            let held = try offset(in: answer)
            if held != end {
                // The node holds something else than expected (a chunk lost in a cut
                // before it was committed): go on from what it holds.
                for rest in inFlight { _ = try? client.answer(to: rest.id) }
                inFlight.removeAll()
                next = held
            }
            acknowledged = held
            try between()
        }
        return outcome
    }

    private func offset(in answer: Message) throws(ClientError) -> Int {
        guard answer.type == .uploadState, let offset = answer.body["offset"]?.integerValue, offset >= 0, offset <= Int64(content.count) else {
            throw .malformed("the node's answer to an upload has no offset within the file")
        }
        return Int(offset)
    }
}
