/// The files reports carry (docs/REPORTS.md §1.1, docs/PROTOCOL.md §3.8). A
/// file is uploaded in chunks before its report, by the sender (the officer,
/// or the peer node forwarding it), each chunk committed before it is
/// acknowledged; after a cut the upload resumes from the bytes held. When the
/// last chunk is in, the node reads the file back, checks its size, hash and
/// content once and keeps the verdict; the report is then taken only if every
/// file it names is held and passed. Files are kept by their report's id and
/// erased with it.
extension ReportStore {
    /// Where an upload stands at this node.
    public enum UploadState: Sendable, Equatable {
        /// Bytes held from the start; the sender goes on from there.
        case offset(Int)
        /// The report is already held (or was erased) here: nothing more to send.
        case held
        /// The file's last byte is in: check it (`Attachment.contentProblem`, off
        /// the writer: hashing and inflating 10 MiB must not hold up commits),
        /// then `recordCheck`, then answer with its size.
        case complete(Attachment)
        case refused(ProtocolError)
    }

    /// Files waiting for their report, per sender: at most this many bytes (50 MiB).
    public static let maximumStagedBytes = 50 << 20
    /// A file whose report did not come within a week is deleted.
    public static let stagedLifetimeMilliseconds: Int64 = 7 * 86_400_000

    /// UPLOAD: file `number` of report `reportID`, as `sender` announces it.
    public func startUpload(
        reportID: String, number: Int, sender: String, sha256: String, mediaType: AttachmentType, bytes: Int, now: Int64
    ) throws(SQLiteError) -> UploadState {
        if try holdsOrErased(reportID) { return .held }
        let existing = try database.cached(
            "SELECT sender, sha256, media_type, bytes, received, checked FROM attachment_files WHERE report_id = ? AND number = ?")
        existing.bind(1, reportID)
        existing.bind(2, Int64(number))
        if try existing.step() {
            let (owner, sha, type, size, received) = (existing.text(0), existing.text(1), existing.text(2), Int(existing.int(3)), Int(existing.int(4)))
            let checked = existing.int(5) != 0
            try existing.step()
            guard owner == sender else {
                return .refused(ProtocolError(.forbidden, "attachment \(number) of report \(reportID) is being uploaded here by another identity", field: "report"))
            }
            if sha == sha256 && type == mediaType.rawValue && size == bytes {
                // All here but not yet checked (the node stopped in between): check it now.
                if received == size && !checked { return .complete(Attachment(sha256: sha, mediaType: mediaType, bytes: size, caption: nil, personalData: false)) }
                return .offset(received)
            }
            // Announced again as another file: what was held of the old one goes.
            try deleteFile(reportID, number: number)
        }
        let staged = try database.cached(
            "SELECT coalesce(sum(bytes), 0) FROM attachment_files f WHERE sender = ? AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = f.report_id)")
        staged.bind(1, sender)
        _ = try staged.step()
        let waiting = Int(staged.int(0))
        try staged.step()
        if waiting + bytes > ReportStore.maximumStagedBytes {
            return .refused(
                ProtocolError(
                    .queueFull,
                    "\(sender) has \(waiting) bytes of files here whose reports have not come; a sender may have at most \(ReportStore.maximumStagedBytes) "
                        + "waiting: send those reports first (they are deleted after a week)", field: "bytes"))
        }
        let insert = try database.cached(
            "INSERT INTO attachment_files (report_id, number, sender, sha256, media_type, bytes, started_ms) VALUES (?, ?, ?, ?, ?, ?, ?)")
        insert.bind(1, reportID)
        insert.bind(2, Int64(number))
        insert.bind(3, sender)
        insert.bind(4, sha256)
        insert.bind(5, mediaType.rawValue)
        insert.bind(6, Int64(bytes))
        insert.bind(7, now)
        try insert.run()
        return .offset(0)
    }

    /// CHUNK: `data` at `offset` of a file `sender` announced. A chunk the node
    /// already holds is acknowledged again; one that would leave a gap is
    /// answered with the offset to go on from. The last chunk triggers the check.
    public func appendChunk(reportID: String, number: Int, sender: String, offset: Int, data: [UInt8]) throws(SQLiteError) -> UploadState {
        if try holdsOrErased(reportID) { return .held }
        let file = try database.cached("SELECT sender, sha256, media_type, bytes, received FROM attachment_files WHERE report_id = ? AND number = ?")
        file.bind(1, reportID)
        file.bind(2, Int64(number))
        guard try file.step() else {
            return .refused(ProtocolError(.notFound, "attachment \(number) of report \(reportID) was not announced here: send UPLOAD first", field: "attachment"))
        }
        let (owner, sha, type, size, received) = (file.text(0), file.text(1), file.text(2), Int(file.int(3)), Int(file.int(4)))
        try file.step()
        guard owner == sender else {
            return .refused(ProtocolError(.forbidden, "attachment \(number) of report \(reportID) is being uploaded here by another identity", field: "report"))
        }
        // A resent chunk the node holds, or one ahead of what it holds: go on from what is held.
        guard offset == received else { return .offset(received) }
        guard received + data.count <= size else {
            return .refused(
                ProtocolError(.badMessage, "the chunk ends at byte \(received + data.count), after the file's \(size) bytes announced in UPLOAD", field: "offset"))
        }
        let insert = try database.cached("INSERT INTO attachment_chunks (report_id, number, offset, data) VALUES (?, ?, ?, ?)")
        insert.bind(1, reportID)
        insert.bind(2, Int64(number))
        insert.bind(3, Int64(offset))
        insert.bind(4, data)
        try insert.run()
        let now = received + data.count
        let update = try database.cached("UPDATE attachment_files SET received = ? WHERE report_id = ? AND number = ?")
        update.bind(1, Int64(now))
        update.bind(2, reportID)
        update.bind(3, Int64(number))
        try update.run()
        if now == size, let mediaType = AttachmentType(rawValue: type) {
            return .complete(Attachment(sha256: sha, mediaType: mediaType, bytes: size, caption: nil, personalData: false))
        }
        return .offset(now)
    }

    /// The check's verdict for a complete file (nil: it passed).
    public func recordCheck(reportID: String, number: Int, problem: String?) throws(SQLiteError) {
        let update = try database.cached("UPDATE attachment_files SET checked = 1, problem = ? WHERE report_id = ? AND number = ? AND received = bytes")
        if let problem { update.bind(1, problem) } else { update.bindNull(1) }
        update.bind(2, reportID)
        update.bind(3, Int64(number))
        try update.run()
    }

    /// Why `report`, sent by `sender`, cannot be taken for its files (nil: it
    /// can): a file not (all) here, uploaded by someone else, or one that
    /// failed its check. A report already held or erased here has none: it is
    /// a duplicate either way.
    public func attachmentProblem(_ report: Report, sender: String) throws(SQLiteError) -> ProtocolError? {
        guard !report.attachments.isEmpty, try !holdsOrErased(report.id.description) else { return nil }
        let file = try database.cached(
            "SELECT sha256, media_type, bytes, received, checked, problem, sender FROM attachment_files WHERE report_id = ? AND number = ?")
        for (index, attachment) in report.attachments.enumerated() {
            let field = "attachments[\(index)]"
            file.bind(1, report.id.description)
            file.bind(2, Int64(index + 1))
            guard try file.step() else {
                return ProtocolError(
                    .attachmentMissing, "\(field): the file has not arrived at \(nodeName): upload it (UPLOAD, CHUNK) and send the report again", field: field)
            }
            let (sha, type, bytes, received, checked, problem) = (
                file.text(0), file.text(1), Int(file.int(2)), Int(file.int(3)), file.int(4) != 0, file.isNull(5) ? nil : file.text(5)
            )
            let uploader = file.text(6)
            try file.step()
            guard uploader == sender else {
                return ProtocolError(.forbidden, "\(field): the file at \(nodeName) was uploaded by another identity, not by the report's sender", field: field)
            }
            guard sha == attachment.sha256, type == attachment.mediaType.rawValue, bytes == attachment.bytes else {
                return ProtocolError(
                    .invalidReport, "\(field): the file uploaded here (\(type), \(bytes) bytes, SHA-256 \(sha)) is not the one the report names", field: field)
            }
            guard received == bytes else {
                return ProtocolError(
                    .attachmentMissing, "\(field): \(received) of the file's \(bytes) bytes are at \(nodeName): upload the rest and send the report again",
                    field: field)
            }
            guard checked else {
                return ProtocolError(.attachmentMissing, "\(field): the file is being checked at \(nodeName): send the report again in a moment", field: field)
            }
            if let problem { return ProtocolError(.invalidReport, "\(field): \(problem)", field: field) }
        }
        return nil
    }

    /// The whole file (nil: not all here), for the check and for small readers.
    public func attachmentContent(_ reportID: String, number: Int) throws(SQLiteError) -> [UInt8]? {
        let chunks = try database.cached("SELECT offset, data FROM attachment_chunks WHERE report_id = ? AND number = ? ORDER BY offset")
        chunks.bind(1, reportID)
        chunks.bind(2, Int64(number))
        var content: [UInt8] = []
        while try chunks.step() {
            guard chunks.int(0) == Int64(content.count) else { return nil }
            content.append(contentsOf: chunks.blob(1))
        }
        return content
    }

    /// Up to `limit` bytes of a complete, checked file from `offset`, and the
    /// file's size (nil: the file is not complete here).
    public func attachmentSlice(_ reportID: String, number: Int, offset: Int, limit: Int) throws(SQLiteError) -> (data: [UInt8], bytes: Int)? {
        let file = try database.cached(
            "SELECT bytes FROM attachment_files WHERE report_id = ? AND number = ? AND checked = 1 AND problem IS NULL AND received = bytes")
        file.bind(1, reportID)
        file.bind(2, Int64(number))
        guard try file.step() else { return nil }
        let size = Int(file.int(0))
        try file.step()
        let chunks = try database.cached(
            "SELECT offset, data FROM attachment_chunks WHERE report_id = ? AND number = ? AND offset + length(data) > ? ORDER BY offset")
        chunks.bind(1, reportID)
        chunks.bind(2, Int64(number))
        chunks.bind(3, Int64(offset))
        var data: [UInt8] = []
        while data.count < limit, try chunks.step() {
            let start = Int(chunks.int(0))
            let chunk = chunks.blob(1)
            let from = max(0, offset + data.count - start)
            guard from < chunk.count else { continue }
            data.append(contentsOf: chunk[from..<min(chunk.count, from + limit - data.count)])
        }
        chunks.reset()
        return (data, size)
    }

    /// Files of reports that never came, older than `stagedLifetimeMilliseconds`: deleted.
    public func sweepStagedAttachments(now: Int64) throws(SQLiteError) -> Int {
        let stale = try database.cached(
            "SELECT report_id, number FROM attachment_files f WHERE started_ms <= ? AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = f.report_id) LIMIT 100")
        stale.bind(1, now - ReportStore.stagedLifetimeMilliseconds)
        var files: [(String, Int)] = []
        while try stale.step() { files.append((stale.text(0), Int(stale.int(1)))) }
        for (id, number) in files { try deleteFile(id, number: number) }
        return files.count
    }

    /// Every file of report `id` (its erasure).
    func deleteAttachments(of id: String) throws(SQLiteError) {
        for table in ["attachment_chunks", "attachment_files"] {
            let delete = try database.cached("DELETE FROM \(table) WHERE report_id = ?")
            delete.bind(1, id)
            try delete.run()
        }
    }

    private func deleteFile(_ id: String, number: Int) throws(SQLiteError) {
        for table in ["attachment_chunks", "attachment_files"] {
            let delete = try database.cached("DELETE FROM \(table) WHERE report_id = ? AND number = ?")
            delete.bind(1, id)
            delete.bind(2, Int64(number))
            try delete.run()
        }
    }

    private func holdsOrErased(_ id: String) throws(SQLiteError) -> Bool {
        let held = try database.cached("SELECT 1 FROM reports WHERE id = ? UNION ALL SELECT 1 FROM erased WHERE id = ?")
        held.bind(1, id)
        held.bind(2, id)
        let found = try held.step()
        held.reset()
        return found
    }
}
