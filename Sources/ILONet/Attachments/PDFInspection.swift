/// What a PDF attachment may not carry (docs/REPORTS.md, attachments): active
/// content — JavaScript, embedded files, launch actions, forms — refused; and a
/// document information dictionary naming an author or a creator, warned of as
/// the personal-data screen warns of names. PDFs are never rewritten.
///
/// The names are looked for in the file's plain bytes and inside every
/// Flate-compressed stream (object streams hold objects too), inflated with a
/// bound on the total output (`Inflate`), so that a decompression bomb is
/// refused at the bound. Names are compared after `#xx` escapes are decoded
/// (`/Java#53cript` is `/JavaScript`).
public enum PDFInspection {
    public struct Finding: Sendable, Equatable {
        public let name: String
        /// True: the PDF is refused; false: a warning.
        public let refused: Bool
        public let message: String
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case notPDF
        case inflate(Inflate.Failure)

        public var description: String {
            switch self {
            case .notPDF: "not a PDF (it does not begin with %PDF-)"
            case .inflate(let failure): "a compressed object in it could not be checked: \(failure)"
            }
        }
    }

    /// Names that make a PDF active, and what each is.
    static let active: [String: String] = [
        "JavaScript": "JavaScript", "JS": "JavaScript",
        "EmbeddedFile": "an embedded file", "EmbeddedFiles": "embedded files", "FileAttachment": "a file attachment annotation",
        "Launch": "a launch action (it starts a program)",
        "AcroForm": "a form", "XFA": "an XFA form",
        "RichMedia": "rich media (Flash or video)",
    ]
    /// Document information that names people.
    static let naming: [String: String] = ["Author": "an author", "Creator": "a creator"]

    /// How much all compressed streams of one PDF may inflate to, in all.
    public static let defaultInflateBound = 64 << 20

    public static func inspect(_ pdf: [UInt8], inflateBound: Int = defaultInflateBound) throws(Failure) -> [Finding] {
        guard AttachmentType.sniff(pdf) == .pdf else { throw .notPDF }
        var names = Set<String>()
        collectNames(pdf[...], into: &names)
        var budget = inflateBound
        for stream in flateStreams(pdf) {
            let out: [UInt8]
            do throws(Inflate.Failure) {
                out = try Inflate.zlib(Array(stream), limit: budget)
            } catch .tooLarge(let limit) {
                throw .inflate(.tooLarge(limit: limit == budget ? inflateBound : limit))
            } catch {
                throw .inflate(error)
            }
            budget -= out.count
            collectNames(out[...], into: &names)
        }
        var findings: [Finding] = []
        for name in names.sorted() {
            if let what = active[name] {
                findings.append(Finding(name: name, refused: true, message: "the PDF carries \(what) (/\(name)); save it without active content (print to PDF) and attach it again"))
            } else if let what = naming[name] {
                findings.append(Finding(name: name, refused: false, message: "the PDF's document information names \(what) (/\(name)): check that it names no one it should not"))
            }
        }
        return findings
    }

    /// PDF delimiters and white space end a name.
    static func endsName(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00, 0x09, 0x0A, 0x0C, 0x0D, 0x20, 0x28, 0x29, 0x3C, 0x3E, 0x5B, 0x5D, 0x7B, 0x7D, 0x2F, 0x25: true
        default: false
        }
    }

    /// Every `/Name` in `bytes`, `#xx` escapes decoded, of the names looked for.
    static func collectNames(_ bytes: ArraySlice<UInt8>, into names: inout Set<String>) {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes[index] == 0x2F else {
                index += 1
                continue
            }
            var name: [UInt8] = []
            var at = index + 1
            while at < bytes.endIndex, !endsName(bytes[at]), name.count <= 64 {
                if bytes[at] == 0x23, at + 2 < bytes.endIndex, let high = hex(bytes[at + 1]), let low = hex(bytes[at + 2]) {
                    name.append(high << 4 | low)
                    at += 3
                } else {
                    name.append(bytes[at])
                    at += 1
                }
            }
            let text = String(decoding: name, as: UTF8.self)
            if active[text] != nil || naming[text] != nil { names.insert(text) }
            index = at
        }
    }

    static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// The data of every stream whose dictionary names /FlateDecode (its
    /// `/Length` is not trusted: the data ends at `endstream`).
    static func flateStreams(_ pdf: [UInt8]) -> [ArraySlice<UInt8>] {
        let open = Array("stream".utf8), close = Array("endstream".utf8), flate = Array("FlateDecode".utf8)
        var streams: [ArraySlice<UInt8>] = []
        var searchFrom = 0
        while let start = find(open, in: pdf, from: searchFrom) {
            // Not the end of an `endstream`.
            if start >= 3, pdf[start - 3..<start].elementsEqual(Array("end".utf8)) {
                searchFrom = start + open.count
                continue
            }
            var dataStart = start + open.count
            if dataStart < pdf.count, pdf[dataStart] == 0x0D { dataStart += 1 }
            if dataStart < pdf.count, pdf[dataStart] == 0x0A { dataStart += 1 }
            guard let end = find(close, in: pdf, from: dataStart) else { break }
            // The dictionary before: back to the object's start, at most 4 KiB.
            let dictionaryStart = max(0, start - 4096)
            let dictionary = pdf[dictionaryStart..<start]
            let objectStart = lastIndex(of: Array(" obj".utf8), in: dictionary) ?? dictionaryStart
            if find(flate, in: Array(pdf[objectStart..<start]), from: 0) != nil {
                var dataEnd = end
                while dataEnd > dataStart, pdf[dataEnd - 1] == 0x0A || pdf[dataEnd - 1] == 0x0D { dataEnd -= 1 }
                streams.append(pdf[dataStart..<dataEnd])
            }
            searchFrom = end + close.count
        }
        return streams
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = from
        while index + needle.count <= haystack.count {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    static func lastIndex(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        var index = haystack.endIndex - needle.count
        while index >= haystack.startIndex {
            if haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index -= 1
        }
        return nil
    }
}
