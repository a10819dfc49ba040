/// A report's files in the web view (docs/WEB.md §2.2): images shown on the
/// report page, scaled by the browser; every file offered as a download. The
/// node never decodes an image: it serves the bytes whose SHA-256 matches the
/// signed list, with their exact media type, `nosniff`, and a page CSP that
/// loads images from this node only. Each view and each download is one ATTACHMENT-GET
/// from offset 0: a `read` audit record naming the file.
extension WebSession {
    enum FileOutcome {
        case file(Attachment, [UInt8])
        /// The node's ERROR (not found, a reason required, …).
        case refused(Message)
    }

    /// `GET /file/ID/N`: file N inline (images only); `?download=1`: as a download (always for a PDF).
    func filePage(_ request: HTTPRequest) {
        let parts = request.path.dropFirst("/file/".count).split(separator: "/")
        guard parts.count == 2, ReportID(String(parts[0])) != nil, let number = Int(parts[1]), (1...Attachment.maximumCount).contains(number) else {
            finish(.html(errorPage(404, "no such file: /file/REPORT-ID/N"), status: 404))
            return
        }
        let id = String(parts[0])
        let download = request.query["download"] == "1"
        var base: [String: JSONValue] = ["id": .string(id), "attachment": .integer(Int64(number))]
        if let reason = request.query["reason"], !reason.isEmpty { base["reason"] = .string(reason) }
        fetchFile(base, offset: 0, into: []) { session, result in
            switch result {
            case .refused(let reply):
                let error = ProtocolError(message: reply)
                let text = error.code == .notFound ? "No file \(number) of a report \(id) that you may read is held here." : error.message
                session.finish(.html(session.page("File", "<p class=\"refusal\">\(HTML.escape(text))</p>"), status: WebSession.status(for: reply)))
            case .file(let attachment, let content):
                let suffix = attachment.mediaType == .pdf ? "pdf" : attachment.mediaType == .png ? "png" : "jpg"
                let disposition = download || !attachment.mediaType.isImage ? "attachment" : "inline"
                session.finish(
                    HTTPResponse(
                        status: 200, contentType: attachment.mediaType.rawValue, body: content,
                        extraHeaders: [("Content-Disposition", "\(disposition); filename=\"\(id)-\(number).\(suffix)\"")]))
            }
        }
    }

    /// The whole file, piece by piece, checked against the hash the report's signed list gives.
    private func fetchFile(
        _ base: [String: JSONValue], offset: Int, into content: [UInt8], _ done: @escaping (WebSession, FileOutcome) -> Void
    ) {
        var request = base
        request["offset"] = .integer(Int64(offset))
        ask(.attachmentGet, .object(request)) { session, reply in
            guard reply.type == .chunk, let bytes = reply.body["bytes"]?.integerValue.map(Int.init), let sha = reply.body["sha256"]?.stringValue,
                let type = reply.body["media_type"]?.stringValue.flatMap(AttachmentType.init), !reply.data.isEmpty
            else {
                done(session, .refused(reply))
                return
            }
            let content = content + reply.data
            guard content.count < bytes else {
                let attachment = Attachment(sha256: sha, mediaType: type, bytes: bytes, caption: nil, personalData: false)
                guard content.count == bytes, ILONet.sha256(content).hexString == sha else {
                    done(session, .refused(.error(ProtocolError(.storeUnavailable, "the file held here does not match its signed SHA-256; it is not shown"))))
                    return
                }
                done(session, .file(attachment, content))
                return
            }
            session.fetchFile(base, offset: content.count, into: content, done)
        }
    }

    /// The report page's section of files: images shown (scaled by the browser), each file a download link.
    static func attachmentsSection(_ report: JSONValue, reason: String?) -> String {
        let files = Attachment.list(in: report)
        guard !files.isEmpty, let id = report["id"]?.stringValue else { return "" }
        var out = "<h2>Attachments</h2><ul class=\"attachments\">"
        for (index, file) in files.enumerated() {
            let path = "/file/\(id)/\(index + 1)"
            let size = file.bytes >= 1 << 20 ? "\(file.bytes * 10 / (1 << 20) / 10).\(file.bytes * 10 / (1 << 20) % 10) MiB" : "\(max(1, file.bytes / 1024)) KiB"
            let label = HTML.escape(file.caption ?? "file \(index + 1)")
            out += "<li>"
            if file.mediaType.isImage { out += "<img class=\"attachment\" src=\"\(HTML.link(path, [("reason", reason)]))\" alt=\"\(label)\"><br>" }
            out += "\(label) (\(HTML.escape(file.mediaType.rawValue)), \(size)\(file.personalData ? ", personal data" : "")) "
            out += "<a href=\"\(HTML.link(path, [("download", "1"), ("reason", reason)]))\" download>Download</a></li>"
        }
        return out + "</ul><p class=\"muted\">Each view and each download is recorded in this node's audit trail.</p>"
    }
}
