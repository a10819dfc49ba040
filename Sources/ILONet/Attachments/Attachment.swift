/// One file a report carries (docs/REPORTS.md §1.1): an entry of the envelope's
/// `attachments` list. The list is part of what the author signs, so each
/// entry's `sha256` binds the file's bytes to the report; the file itself
/// travels beside the report in chunks (docs/PROTOCOL.md §3.8) and every node
/// and reader checks it against that hash.
public struct Attachment: Sendable, Equatable {
    /// SHA-256 of the file's bytes (after `ilo` stripped an image's metadata), lower-case hex.
    public let sha256: String
    public let mediaType: AttachmentType
    public let bytes: Int
    public let caption: String?
    /// Whether the file shows a person or an identity document (Art. 10(3)
    /// personal data): only in a report whose `personal_data` names a category.
    public let personalData: Bool

    public init(sha256: String, mediaType: AttachmentType, bytes: Int, caption: String?, personalData: Bool) {
        self.sha256 = sha256
        self.mediaType = mediaType
        self.bytes = bytes
        self.caption = caption
        self.personalData = personalData
    }

    /// At most this many files per report.
    public static let maximumCount = 10
    /// All the files of one report together: at most this many bytes (25 MiB).
    public static let maximumReportBytes = 25 << 20
    /// One file, unless the node says otherwise (`limits.max-attachment-bytes`; 10 MiB).
    public static let defaultMaximumBytes = 10 << 20
    /// The largest chunk a node takes in one CHUNK frame (64 KiB).
    public static let maximumChunkBytes = 64 << 10

    var json: JSONValue {
        var fields: [String: JSONValue] = [
            "sha256": .string(sha256), "media_type": .string(mediaType.rawValue), "bytes": .integer(Int64(bytes)),
            "personal_data": .bool(personalData),
        ]
        if let caption { fields["caption"] = .string(caption) }
        return .object(fields)
    }

    /// The files a report document names (its `attachments`), in order.
    public static func list(in document: JSONValue) -> [Attachment] {
        (document["attachments"]?.arrayValue ?? []).compactMap(Attachment.init)
    }

    /// The entry in a document's list (already checked against the schema); nil if it is not one.
    init?(_ value: JSONValue) {
        guard let sha = value["sha256"]?.stringValue, Attachment.isDigest(sha), let type = value["media_type"]?.stringValue.flatMap(AttachmentType.init),
            let bytes = value["bytes"]?.integerValue, case .bool(let personal)? = value["personal_data"]
        else { return nil }
        self.init(sha256: sha, mediaType: type, bytes: Int(bytes), caption: value["caption"]?.stringValue, personalData: personal)
    }

    /// 64 lower-case hex digits.
    public static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Why the file's `content` may not travel as this entry (nil: it may):
    /// its size or hash differ from what the report says; its first bytes are
    /// not the media type it claims; an image still carries metadata (GPS
    /// position, camera serial, owner); a PDF carries active content or could
    /// not be checked. Run by every node when the last chunk is in, and by `ilo`.
    public func contentProblem(_ content: [UInt8]) -> String? {
        if content.count != bytes { return "the file has \(content.count) bytes, the report says \(bytes)" }
        let digest = ILONet.sha256(content).hexString
        if digest != sha256 { return "the file's SHA-256 is \(digest), the report says \(sha256): it was damaged or replaced on the way" }
        guard let actual = AttachmentType.sniff(content) else {
            return "the file is not a JPEG, PNG or PDF (its first bytes say so, whatever its name)"
        }
        if actual != mediaType { return "the file is \(actual.rawValue) (its first bytes say so), the report says \(mediaType.rawValue)" }
        if mediaType.isImage {
            do throws(ImageMetadata.Failure) {
                let found = try ImageMetadata.find(content)
                if !found.isEmpty {
                    return "the image still carries metadata (\(found.joined(separator: ", "))); ilo send --attach strips it before hashing: attach it with ilo"
                }
            } catch {
                return "\(error)"
            }
            return nil
        }
        do throws(PDFInspection.Failure) {
            let refused = try PDFInspection.inspect(content).filter(\.refused)
            if !refused.isEmpty { return refused.map(\.message).joined(separator: "; ") }
        } catch {
            return "the PDF could not be checked: \(error)"
        }
        return nil
    }
}

extension Report {
    /// All the bytes of the report's files.
    public var attachmentBytes: Int { attachments.reduce(0) { $0 + $1.bytes } }
}
