/// The media types an attachment may have, told by the file's first bytes
/// (never by its name or by what the sender says).
public enum AttachmentType: String, Sendable, CaseIterable {
    case jpeg = "image/jpeg"
    case png = "image/png"
    case pdf = "application/pdf"

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The type the bytes are, or nil: not one ILONet takes.
    public static func sniff(_ bytes: [UInt8]) -> AttachmentType? {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: pngSignature) { return .png }
        if bytes.starts(with: Array("%PDF-".utf8)) { return .pdf }
        return nil
    }

    public var isImage: Bool { self != .pdf }
}

/// Image metadata (GPS position, camera serial, owner name, comments) is
/// removed by `ilo` before an image is hashed and signed, and its absence is
/// checked again at the first node (docs/REPORTS.md, attachments). A rewrite at
/// the level of JPEG segments and PNG chunks: the pixels are never decoded.
///
/// - JPEG: APP1 (EXIF, XMP), APP13 (IPTC / Photoshop), the other application
///   segments except APP0 (JFIF) and APP2 (the ICC colour profile), and COM
///   (comments); anything after the end-of-image marker.
/// - PNG: tEXt, zTXt, iTXt (text, including XMP), eXIf and tIME; anything after IEND.
public enum ImageMetadata {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed(String)

        public var description: String {
            switch self {
            case .malformed(let why): "not a well-formed image: \(why)"
            }
        }
    }

    /// What metadata `bytes` carries (segment or chunk names); empty: none.
    public static func find(_ bytes: [UInt8]) throws(Failure) -> [String] {
        switch AttachmentType.sniff(bytes) {
        case .jpeg: try jpeg(bytes).found
        case .png: try png(bytes).found
        default: []
        }
    }

    /// `bytes` without its metadata (unchanged if it has none).
    public static func strip(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        switch AttachmentType.sniff(bytes) {
        case .jpeg: try jpeg(bytes).kept
        case .png: try png(bytes).kept
        default: bytes
        }
    }

    /// Markers without a length: SOI, EOI, RST0–7, TEM.
    static func standalone(_ marker: UInt8) -> Bool { marker == 0xD8 || marker == 0xD9 || (0xD0...0xD7).contains(marker) || marker == 0x01 }

    static func jpeg(_ bytes: [UInt8]) throws(Failure) -> (kept: [UInt8], found: [String]) {
        var kept: [UInt8] = [0xFF, 0xD8]
        var found: [String] = []
        var index = 2
        while index < bytes.count {
            guard bytes[index] == 0xFF else { throw .malformed("no segment marker at byte \(index)") }
            var markerAt = index + 1
            while markerAt < bytes.count && bytes[markerAt] == 0xFF { markerAt += 1 }  // fill bytes
            guard markerAt < bytes.count else { throw .malformed("ends inside a marker") }
            let marker = bytes[markerAt]
            if marker == 0xD9 {  // EOI: what follows is not part of the image
                kept += [0xFF, 0xD9]
                if markerAt + 1 < bytes.count { found.append("data after the end of the image") }
                return (kept, found)
            }
            if standalone(marker) {
                kept += [0xFF, marker]
                index = markerAt + 1
                continue
            }
            guard markerAt + 2 < bytes.count else { throw .malformed("ends inside a segment header") }
            let length = Int(bytes[markerAt + 1]) << 8 | Int(bytes[markerAt + 2])
            guard length >= 2, markerAt + 1 + length <= bytes.count else { throw .malformed("a segment runs past the end of the file") }
            let segment = bytes[(markerAt + 1)..<(markerAt + 1 + length)]
            let payload = Array(segment.dropFirst(2).prefix(32))
            let name: String?
            switch marker {
            case 0xE1: name = payload.starts(with: Array("Exif".utf8)) ? "EXIF (APP1)" : payload.starts(with: Array("http://ns.adobe.com/xap".utf8)) ? "XMP (APP1)" : "APP1"
            case 0xED: name = "IPTC (APP13)"
            case 0xFE: name = "comment (COM)"
            case 0xE0, 0xE2: name = nil  // JFIF, ICC colour profile
            case 0xE3...0xEF: name = "APP\(marker - 0xE0)"
            default: name = nil
            }
            if let name {
                found.append(name)
            } else {
                kept += [0xFF, marker] + segment
            }
            index = markerAt + 1 + length
            if marker == 0xDA {
                // Start of scan: entropy-coded data up to the next marker that is not a restart or a stuffed byte.
                var scan = index
                while scan + 1 < bytes.count {
                    if bytes[scan] == 0xFF, bytes[scan + 1] != 0x00, !(0xD0...0xD7).contains(bytes[scan + 1]), bytes[scan + 1] != 0xFF { break }
                    scan += 1
                }
                guard scan + 1 < bytes.count else { throw .malformed("the scan data has no end marker") }
                kept += bytes[index..<scan]
                index = scan
            }
        }
        throw .malformed("no end-of-image marker")
    }

    static let pngMetadataChunks: Set<String> = ["tEXt", "zTXt", "iTXt", "eXIf", "tIME"]

    static func png(_ bytes: [UInt8]) throws(Failure) -> (kept: [UInt8], found: [String]) {
        var kept = AttachmentType.pngSignature
        var found: [String] = []
        var index = AttachmentType.pngSignature.count
        while index + 12 <= bytes.count {
            let length = bytes[index..<index + 4].reduce(0) { $0 << 8 | Int($1) }
            let type = String(decoding: bytes[index + 4..<index + 8], as: UTF8.self)
            guard length <= bytes.count - index - 12 else { throw .malformed("chunk \(type) runs past the end of the file") }
            let end = index + 12 + length
            if pngMetadataChunks.contains(type) {
                found.append(type)
            } else {
                kept += bytes[index..<end]
            }
            index = end
            if type == "IEND" {
                if index < bytes.count { found.append("data after IEND") }
                return (kept, found)
            }
        }
        throw .malformed("no IEND chunk")
    }
}
