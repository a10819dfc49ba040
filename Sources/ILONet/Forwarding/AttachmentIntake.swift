/// UPLOAD and CHUNK as a node takes them (docs/PROTOCOL.md §3.8), from an
/// officer (`ServerSession`) or from a peer node on either side of a link
/// (`ServerSession`, `PeerDialer`): the request checked, the store job, and
/// the answer. The same checks whoever sends: a peer's files are checked as
/// an officer's are.
enum AttachmentIntake {
    struct Job: Sendable {
        let run: @Sendable (ReportStore) throws(SQLiteError) -> ReportStore.UploadState
        let reportID: String
        let number: Int
        let requestID: UInt32

        /// UPLOAD-STATE, or the ERROR for a refusal.
        func answer(_ result: Result<ReportStore.UploadState, SQLiteError>) -> Message {
            var body: [String: JSONValue] = ["report": .string(reportID), "attachment": .integer(Int64(number))]
            switch result {
            case .success(.offset(let offset)):
                body["offset"] = .integer(Int64(offset))
                return Message(.uploadState, requestID: requestID, .object(body))
            case .success(.held):
                body["held"] = true
                return Message(.uploadState, requestID: requestID, .object(body))
            case .success(.complete(let attachment)):
                body["offset"] = .integer(Int64(attachment.bytes))
                return Message(.uploadState, requestID: requestID, .object(body))
            case .success(.refused(let error)):
                return .error(ProtocolError(error.code, error.message, field: error.field, requestID: requestID))
            case .failure:
                return .error(ProtocolError(.storeUnavailable, "the chunk was not stored; send it again (UPLOAD says from where)", requestID: requestID))
            }
        }
    }

    /// The answer to the job, once a file whose last chunk came in was checked:
    /// read back and checked on a reader thread, the verdict committed, then
    /// answered (`answer` runs on the writer's thread; hop to your loop). The
    /// sender sends the report only after this answer, so the verdict is there.
    static func finish(_ result: Result<ReportStore.UploadState, SQLiteError>, job: Job, services: NodeServices, answer: @escaping @Sendable (Message) -> Void) {
        guard case .success(.complete(let declared)) = result else { return answer(job.answer(result)) }
        let (id, number) = (job.reportID, job.number)
        services.readers.submit({ store throws(SQLiteError) -> String? in
            declared.contentProblem(try store.attachmentContent(id, number: number) ?? [])
        }) { verdict in
            guard case .success(let problem) = verdict else { return answer(job.answer(.failure(SQLiteError(code: 1, message: "the file could not be read back", context: "check")))) }
            if let problem { services.logger.warning("attachment refused", ["report": id, "attachment": String(number), "reason": problem]) }
            services.store.submit({ store throws(SQLiteError) in try store.recordCheck(reportID: id, number: number, problem: problem) }) { recorded in
                answer(job.answer(recorded.map { _ in .complete(declared) }))
            }
        }
    }

    static func upload(_ message: Message, from sender: String, limit: Int) throws(ProtocolError) -> Job {
        let (reportID, number) = try address(message, idField: "report")
        let sha = try message.requireString("sha256")
        guard Attachment.isDigest(sha) else {
            throw ProtocolError(.badMessage, "sha256: 64 lower-case hex digits (SHA-256 of the file)", field: "sha256", requestID: message.requestID)
        }
        let typeName = try message.requireString("media_type")
        guard let type = AttachmentType(rawValue: typeName) else {
            throw ProtocolError(
                .badMessage, "media_type: one of \(AttachmentType.allCases.map(\.rawValue).joined(separator: ", "))", field: "media_type", requestID: message.requestID)
        }
        let bytes = try message.requireInteger("bytes")
        guard (1...Int64(limit)).contains(bytes) else {
            throw ProtocolError(
                .reportTooLarge, "bytes: the file has \(bytes) bytes; this node takes files of 1 to \(limit) bytes (limits.max-attachment-bytes)", field: "bytes",
                requestID: message.requestID)
        }
        return Job(
            run: { store throws(SQLiteError) in
                try store.startUpload(
                    reportID: reportID, number: number, sender: sender, sha256: sha, mediaType: type, bytes: Int(bytes), now: Timestamp.nowMilliseconds())
            }, reportID: reportID, number: number, requestID: message.requestID)
    }

    static func chunk(_ message: Message, from sender: String) throws(ProtocolError) -> Job {
        let (reportID, number) = try address(message, idField: "report")
        let offset = try message.requireInteger("offset")
        guard offset >= 0, offset < Int64(Attachment.maximumReportBytes) else {
            throw ProtocolError(.badMessage, "offset: the byte of the file this chunk starts at", field: "offset", requestID: message.requestID)
        }
        guard (1...Attachment.maximumChunkBytes).contains(message.data.count) else {
            throw ProtocolError(
                .badMessage, "a chunk carries 1 to \(Attachment.maximumChunkBytes) bytes of the file after its JSON (flag 0x01); this one \(message.data.count)",
                requestID: message.requestID)
        }
        let data = message.data
        return Job(
            run: { store throws(SQLiteError) in try store.appendChunk(reportID: reportID, number: number, sender: sender, offset: Int(offset), data: data) },
            reportID: reportID, number: number, requestID: message.requestID)
    }

    /// A request's report id and attachment number (1 to 10).
    static func address(_ message: Message, idField: String) throws(ProtocolError) -> (String, Int) {
        let id = try message.requireString(idField)
        guard ReportID(id) != nil else { throw ProtocolError(.badMessage, "\(idField): a report id", field: idField, requestID: message.requestID) }
        let number = try message.requireInteger("attachment")
        guard (1...Int64(Attachment.maximumCount)).contains(number) else {
            throw ProtocolError(
                .badMessage, "attachment: the file's number in the report's attachments, 1 to \(Attachment.maximumCount)", field: "attachment",
                requestID: message.requestID)
        }
        return (id, Int(number))
    }
}
