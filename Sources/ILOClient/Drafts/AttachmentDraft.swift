import Foundation
import ILONet

/// A file `ilo send --attach` puts in a report (docs/REPORTS.md §1.1): its type
/// told by its first bytes, an image's metadata (EXIF with the GPS position,
/// XMP, IPTC, comments) removed before it is hashed, a PDF with active content
/// refused; what becomes the envelope's entry and the bytes that are sent.
public struct AttachmentDraft: Sendable {
    public let content: [UInt8]
    public let attachment: Attachment
    /// What ilo did or warns of, for the officer ("removed EXIF (APP1) …").
    public let notes: [String]

    public static func prepare(path: String, caption: String?, personalData: Bool, maximumBytes: Int = Attachment.defaultMaximumBytes) throws(UsageError) -> AttachmentDraft {
        guard let data = FileManager.default.contents(atPath: path) else { throw UsageError("--attach \(path): cannot read the file") }
        var content = [UInt8](data)
        guard let type = AttachmentType.sniff(content) else {
            throw UsageError("--attach \(path): not a JPEG, PNG or PDF (its first bytes say so, whatever its name); scan or export it as one of those")
        }
        var notes: [String] = []
        if type.isImage {
            do throws(ImageMetadata.Failure) {
                let found = try ImageMetadata.find(content)
                if !found.isEmpty {
                    content = try ImageMetadata.strip(content)
                    notes.append("\(path): removed the image's metadata (\(found.joined(separator: ", "))) before sending; the picture is unchanged")
                }
            } catch {
                throw UsageError("--attach \(path): \(error)")
            }
        } else {
            let findings: [PDFInspection.Finding]
            do throws(PDFInspection.Failure) {
                findings = try PDFInspection.inspect(content)
            } catch {
                throw UsageError("--attach \(path): \(error)")
            }
            let refused = findings.filter(\.refused)
            if !refused.isEmpty {
                throw UsageError("--attach \(path): \(refused.map(\.message).joined(separator: "; ")); print it to a new PDF without them, or scan the paper")
            }
            notes += findings.map { "warning: \(path): \($0.message)" }
        }
        guard content.count <= maximumBytes else {
            throw UsageError("--attach \(path): \(content.count) bytes; a file may have at most \(maximumBytes) (the node's limits.max-attachment-bytes): send a smaller scan or photo")
        }
        guard !content.isEmpty else { throw UsageError("--attach \(path): the file is empty") }
        let attachment = Attachment(
            sha256: sha256(content).hexString, mediaType: type, bytes: content.count, caption: caption, personalData: personalData)
        return AttachmentDraft(content: content, attachment: attachment, notes: notes)
    }
}
