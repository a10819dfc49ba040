/// UPLOAD, CHUNK and ATTACHMENT-GET: the files reports carry (docs/PROTOCOL.md
/// §3.8). A file goes up before its report, chunk by chunk, each committed
/// before it is acknowledged; a download is a sequence of ATTACHMENT-GETs, each
/// answered by one CHUNK, under the report's own disclosure decision.
extension ServerSession {
    /// UPLOAD: the sender announces file N of a report; the answer says from which byte to send.
    func upload(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let job = try AttachmentIntake.upload(message, from: identity.id, limit: node.configuration.reportDefaults.maximumAttachmentBytes)
        withStore(job.run) { session, result in session.finish(job, result) }
    }

    /// CHUNK: a piece of a file announced by UPLOAD, at `offset`; answered once committed.
    func chunk(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let job = try AttachmentIntake.chunk(message, from: identity.id)
        withStore(job.run) { session, result in session.finish(job, result) }
    }

    /// The answer, once a file complete with this request is checked (`AttachmentIntake.finish`).
    private func finish(_ job: AttachmentIntake.Job, _ result: Result<ReportStore.UploadState, SQLiteError>) {
        let bound = LoopBound(self, loop: connection.loop)
        AttachmentIntake.finish(result, job: job, services: node) { answer in
            bound.loop.execute { bound.value.send(answer) }
        }
    }

    /// ATTACHMENT-GET: up to 64 KiB of file N of a report the caller may read,
    /// from `offset`, as a CHUNK. The first piece (offset 0) is the read the
    /// audit trail records, naming the file; a report with personal data needs
    /// its `reason` as GET does.
    func attachmentGet(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let (reportID, number) = try AttachmentIntake.address(message, idField: "id")
        let offset = try message.optionalInteger("offset") ?? 0
        guard offset >= 0 else { throw ProtocolError(.badMessage, "offset: 0 or more", field: "offset", requestID: message.requestID) }
        let reason = try ReadReason.parse(message)
        let requestID = message.requestID
        let disclosure = Disclosure(rules: node.access.rules, now: Timestamp.nowMilliseconds())
        let room = min(Attachment.maximumChunkBytes, node.configuration.maximumFrameSize - AnswerBudget.reserve)
        withStore({ store throws(SQLiteError) -> Result<(Attachment, [UInt8]), ProtocolError> in
            let read = try store.report(id: reportID, for: identity, disclosure: disclosure, reason: reason, attachment: number, audited: offset == 0)
            let document: [UInt8]
            switch read {
            case .found(let found): document = found.document
            case .notFound: return .failure(ProtocolError(.notFound, "no report \(reportID) that you may read", requestID: requestID))
            case .contentless:
                return .failure(ProtocolError(.forbidden, "\(identity.role.rawValue) identities read no report content (docs/ACCESS.md §1.1)", requestID: requestID))
            case .reasonRequired(let category):
                return .failure(ProtocolError(
                    .forbidden, "report \(reportID) carries personal data (\(category)): say why you read its file, ilo attachment get \(reportID) \(number) --reason TEXT",
                    field: "reason", requestID: requestID))
            }
            guard let value = try? JSONValue(parsing: document), case .array(let list)? = value["attachments"], number <= list.count,
                let attachment = Attachment(list[number - 1])
            else {
                return .failure(ProtocolError(.notFound, "report \(reportID) has no attachment \(number)", field: "attachment", requestID: requestID))
            }
            guard let slice = try store.attachmentSlice(reportID, number: number, offset: Int(offset), limit: room) else {
                return .failure(ProtocolError(
                    .notFound, "attachment \(number) of report \(reportID) is not held at \(store.nodeName)", field: "attachment", requestID: requestID))
            }
            return .success((attachment, slice.data))
        }) { session, result in
            switch result {
            case .success(.success(let (attachment, data))):
                session.send(
                    Message(
                        .chunk, requestID: requestID,
                        ["report": .string(reportID), "attachment": .integer(Int64(number)), "offset": .integer(offset), "bytes": .integer(Int64(attachment.bytes)),
                         "sha256": .string(attachment.sha256), "media_type": .string(attachment.mediaType.rawValue)], data: data))
            case .success(.failure(let refusal)): session.refuse(refusal)
            case .failure: session.refuse(ProtocolError(.storeUnavailable, "the file could not be read; try again later", requestID: requestID))
            }
        }
    }
}
