import Foundation
import ILONet
import ILOClient

/// `ilo attachment get ID N`: a report's file N, fetched in pieces and checked
/// against the SHA-256 its author signed (docs/REPORTS.md §1.1).
enum AttachmentCommand {
    static let help = """
        usage: ilo attachment get ID N [--output FILE | -o FILE] [--reason TEXT]

        Fetches file N (1 for the first, as ilo show lists them) of report ID and
        writes it to FILE (default: ID-N.jpg, .png or .pdf in the current
        directory; "-" for standard output). ilo checks the bytes against the
        SHA-256 in the report's signed attachments list and the report's signature
        against your CA (--ca); a file that does not match is not written. The
        node records the download in its audit trail, naming the file. A file of
        someone else's report with personal data is read with a reason, as ilo
        show: --reason says why (4 to 500 characters, no names or numbers).

        examples:
          ilo attachment get 7401edde 1
          ilo attachment get 01a203e3-9a9d-7569-96cb-d3307401edde 2 -o stamp.jpg --reason "document check for the embassy"
        """

    static func run(_ arguments: inout Arguments) throws(UsageError) -> Int32 {
        if arguments.flag("help") {
            print(help + "\n\n" + connectionHelp)
            return Exit.ok
        }
        guard arguments.positional() == "get" else { throw UsageError("ilo attachment get ID N: see ilo attachment --help") }
        arguments.alias("-o", for: "output")
        let output = try arguments.option("output")
        let reason = try arguments.option("reason")
        let options = try ClientProfile.resolve(&arguments)
        guard let given = arguments.positional(), let numberText = arguments.positional() else { throw UsageError("name the report and the file: ilo attachment get ID N") }
        guard let number = Int(numberText), (1...Attachment.maximumCount).contains(number) else {
            throw UsageError("N is the file's number in the report, 1 to \(Attachment.maximumCount), as ilo show lists them")
        }
        try arguments.finish()
        do throws(ClientError) {
            let client = try connect(options, followHome: true)
            defer { client.close() }
            // The report first: its signed list says what the file must be.
            var get: [String: JSONValue] = ["id": .string(given)]
            if let reason { get["reason"] = .string(reason) }
            let answer = try client.request(.get, .object(get))
            let report = answer.body["report"] ?? .null
            guard let id = report["id"]?.stringValue else { throw ClientError.malformed("the node's answer holds no report") }
            let attachments = Attachment.list(in: report)
            guard number <= attachments.count else {
                printError("report \(id) has \(attachments.count == 0 ? "no attachments" : "\(attachments.count) attachment\(attachments.count == 1 ? "" : "s")")")
                return Exit.failed
            }
            let signature = ShowCommand.signatureVerdict(report, options: options)
            if signature["verified"] != JSONValue.bool(true) {
                guard report["signature"] == nil else {
                    printError("the report's signature does not verify here (\(signature["reason"]?.stringValue ?? "?")): its list of files cannot be trusted; nothing was written")
                    return Exit.failed
                }
                printError("warning: the report is not signed: the file is checked against the hash the node gave")
            }
            let expected = attachments[number - 1]
            var content: [UInt8] = []
            content.reserveCapacity(expected.bytes)
            while content.count < expected.bytes {
                var request: [String: JSONValue] = ["id": .string(id), "attachment": .integer(Int64(number)), "offset": .integer(Int64(content.count))]
                if let reason { request["reason"] = .string(reason) }
                let piece = try client.request(.attachmentGet, .object(request))
                guard piece.type == .chunk, !piece.data.isEmpty, piece.body["offset"]?.integerValue == Int64(content.count) else {
                    throw ClientError.malformed("the node's piece of the file does not continue it")
                }
                content.append(contentsOf: piece.data)
            }
            guard content.count == expected.bytes, sha256(content).hexString == expected.sha256 else {
                printError("the file the node sent does not match the SHA-256 its author signed (\(expected.sha256)); it was not written. Tell the node's administrator")
                return Exit.failed
            }
            let suffix = expected.mediaType == .pdf ? "pdf" : expected.mediaType == .png ? "png" : "jpg"
            let path = output ?? "\(id)-\(number).\(suffix)"
            if path == "-" {
                FileHandle.standardOutput.write(Data(content))
            } else {
                guard FileManager.default.createFile(atPath: path, contents: Data(content), attributes: [.posixPermissions: 0o600]) else {
                    printError("cannot write \(path); nothing was written")
                    return Exit.failed
                }
                printError("\(path): \(expected.mediaType.rawValue), \(content.count) bytes, SHA-256 verified")
            }
            return Exit.ok
        } catch {
            printError("\(error)")
            return exitFor(error)
        }
    }
}
