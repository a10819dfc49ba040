/// Sends the files of queued reports to a peer before their FORWARD, on that
/// peer's link and its loop (docs/ROUTING.md §9). One report's files at a
/// time: UPLOAD asks the peer what it holds (after a cut, the upload resumes
/// there), then CHUNKs read from the store, at most `AttachmentSender.window`
/// bytes unanswered. The Forwarder sends other reports meanwhile, so a flash
/// report queued during an upload waits only for the chunks on their way.
final class AttachmentSender {
    /// A report whose files go first; its FORWARD follows when all are there.
    struct Job {
        let item: ReportStore.OutboundItem
        let attachments: [Attachment]
    }

    enum Outcome {
        /// All the files are at the peer (or it holds the report): send the FORWARD.
        case ready(ReportStore.OutboundItem)
        /// The peer refused a request: the Forwarder handles it like a refused FORWARD.
        case refused(ReportStore.OutboundItem, ProtocolError)
    }

    static let chunk = 16 << 10
    static let window = 48 << 10

    private let connection: Connection
    private let services: NodeServices
    private let nextRequestID: () -> UInt32
    private let finished: (Outcome) -> Void
    private var jobs: [Job] = []
    private var current: Job?
    private var number = 1
    private var size = 0
    private var acknowledged = 0
    private var next = 0
    private var reading = false
    /// Requests on their way: UPLOAD (end nil) or CHUNK (the byte it ends at), per generation.
    private var requests: [UInt32: (end: Int?, generation: Int)] = [:]
    private var generation = 0

    init(connection: Connection, services: NodeServices, nextRequestID: @escaping () -> UInt32, finished: @escaping (Outcome) -> Void) {
        self.connection = connection
        self.services = services
        self.nextRequestID = nextRequestID
        self.finished = finished
    }

    /// The report's files, when its document lists some (a byte search first:
    /// most reports carry none and are not parsed here).
    static func job(for item: ReportStore.OutboundItem) -> Job? {
        guard item.document.firstRange(of: Array(#""attachments":["#.utf8)) != nil, let document = try? JSONValue(parsing: item.document) else { return nil }
        let attachments = Attachment.list(in: document)
        return attachments.isEmpty ? nil : Job(item: item, attachments: attachments)
    }

    var pendingSeqs: [Int64] { (current.map { [$0.item.seq] } ?? []) + jobs.map(\.item.seq) }

    func add(_ job: Job) {
        jobs.append(job)
        if current == nil { startNext() }
    }

    /// The link went down: whatever was on its way is asked for again on the next link.
    func stop() {
        jobs.removeAll()
        current = nil
        requests.removeAll()
    }

    /// An answer to one of our UPLOADs or CHUNKs; false if it is not ours.
    func handleAnswer(_ message: Message) -> Bool {
        guard let request = requests.removeValue(forKey: message.requestID) else { return false }
        guard request.generation == generation, let job = current else { return true }
        if message.type == .error {
            abort(job, ProtocolError(message: message))
            return true
        }
        if message.body["held"] == .bool(true) {
            done(job)
            return true
        }
        guard message.type == .uploadState, let offset = message.body["offset"]?.integerValue.map(Int.init), (0...size).contains(offset) else {
            abort(job, ProtocolError(.badMessage, "the peer's answer to an upload has no offset within the file"))
            return true
        }
        if request.end == nil || offset != request.end {
            // UPLOAD's answer, or the peer holds something else than expected: go on from what it holds.
            generation += 1
            requests.removeAll()
            next = offset
        }
        acknowledged = offset
        if acknowledged == size {
            nextFile(job)
        } else {
            fill(job)
        }
        return true
    }

    private func startNext() {
        guard current == nil, !jobs.isEmpty else { return }
        let job = jobs.removeFirst()
        current = job
        number = 1
        announce(job)
    }

    private func announce(_ job: Job) {
        let attachment = job.attachments[number - 1]
        size = attachment.bytes
        acknowledged = 0
        next = 0
        generation += 1
        let id = nextRequestID()
        requests[id] = (nil, generation)
        connection.send(
            Message(
                .upload, requestID: id,
                ["report": .string(job.item.id), "attachment": .integer(Int64(number)), "sha256": .string(attachment.sha256),
                 "media_type": .string(attachment.mediaType.rawValue), "bytes": .integer(Int64(attachment.bytes))]))
    }

    private func nextFile(_ job: Job) {
        if number < job.attachments.count {
            number += 1
            announce(job)
        } else {
            done(job)
        }
    }

    /// Reads the next piece of the file from the store and sends it as chunks, within the window.
    private func fill(_ job: Job) {
        guard !reading, connection.isOpen, next < size, next - acknowledged < AttachmentSender.window else { return }
        reading = true
        let (id, file, from) = (job.item.id, number, next)
        let limit = min(AttachmentSender.window - (next - acknowledged), size - next)
        let bound = LoopBound(self, loop: connection.loop)
        let forGeneration = generation
        services.store.submit({ store throws(SQLiteError) in try store.attachmentSlice(id, number: file, offset: from, limit: limit) }) { result in
            bound.loop.execute {
                let sender = bound.value
                sender.reading = false
                guard let current = sender.current, current.item.seq == job.item.seq, sender.number == file, sender.generation == forGeneration,
                    sender.next == from
                else {
                    if let current = sender.current { sender.fill(current) }
                    return
                }
                guard case .success(let slice?) = result, !slice.data.isEmpty else {
                    sender.abort(job, ProtocolError(.storeUnavailable, "file \(file) of report \(id) could not be read here"))
                    return
                }
                sender.send(slice.data, of: job)
            }
        }
    }

    private func send(_ data: [UInt8], of job: Job) {
        var start = 0
        while start < data.count {
            let end = min(data.count, start + AttachmentSender.chunk)
            let id = nextRequestID()
            requests[id] = (next + end - start, generation)
            connection.send(
                Message(
                    .chunk, requestID: id, ["report": .string(job.item.id), "attachment": .integer(Int64(number)), "offset": .integer(Int64(next))],
                    data: Array(data[start..<end])))
            next += end - start
            start = end
        }
        fill(job)
    }

    private func done(_ job: Job) {
        generation += 1
        requests.removeAll()
        current = nil
        finished(.ready(job.item))
        startNext()
    }

    private func abort(_ job: Job, _ error: ProtocolError) {
        generation += 1
        requests.removeAll()
        current = nil
        finished(.refused(job.item, error))
        startNext()
    }
}

@available(*, unavailable)
extension AttachmentSender: Sendable {}
