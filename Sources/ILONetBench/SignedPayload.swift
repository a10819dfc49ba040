import Foundation
import ILONet

/// A signed report for the load generator, as bytes with places for the report
/// id and the send time: per publication it writes both into the canonical
/// signed content, signs that (one ECDSA signature, as `ilo send` makes), and
/// writes id, time and signature into the PUBLISH payload, without parsing or
/// validating anything again. The node receives what `ilo send` would send
/// and checks the signature as it checks every officer's.
struct SignedPayload {
    private let signer: TLSCredentials
    private var content: [UInt8]
    private let contentID: Int, contentTime: Int
    /// The payload up to the signature's value, and after it.
    private var head: [UInt8]
    private let tail: [UInt8]
    /// Where the id and the send time are in every payload.
    let headID: Int, headTime: Int

    /// `document` is a report as an officer writes it, whose `headline` ends in
    /// `timeMark` (20 characters) and whose `id` is left out.
    init(document: JSONValue, timeMark: String, certificate: String, key: String) throws {
        signer = try TLSCredentials(certificate: certificate, privateKey: key, checkKeyPermissions: false)
        let origin = Origin(try PeerIdentity(certificateFile: certificate))
        let placeholder = ReportID.generate().description
        guard case .object(var fields) = document else { throw LoadError("the report template is not an object") }
        fields["id"] = .string(placeholder)
        let report = try signer.sign(try Report.validate(.object(fields), sender: origin))
        content = report.signedContent
        let payload = JSONValue.object(["report": report.document]).encoded()
        let value = Array(Data(report.signature!.value).base64EncodedString().utf8)
        func offset(_ needle: String, in bytes: [UInt8]) throws -> Int {
            guard let range = bytes.firstRange(of: Array(needle.utf8)) else { throw LoadError("\(needle) not found in the signed report") }
            return range.lowerBound
        }
        contentID = try offset(placeholder, in: content)
        contentTime = try offset(timeMark, in: content)
        let valueAt = try offset(String(decoding: value, as: UTF8.self), in: payload)
        head = Array(payload[..<valueAt])
        tail = Array(payload[(valueAt + value.count)...])
        headID = try offset(placeholder, in: head)
        headTime = try offset(timeMark, in: head)
    }

    /// The PUBLISH payload of a report with this id and send time (20 digits).
    mutating func payload(id: [UInt8], time: [UInt8]) throws -> [UInt8] {
        content.replaceSubrange(contentID..<(contentID + id.count), with: id)
        content.replaceSubrange(contentTime..<(contentTime + time.count), with: time)
        head.replaceSubrange(headID..<(headID + id.count), with: id)
        head.replaceSubrange(headTime..<(headTime + time.count), with: time)
        let value = Data(try signer.signature(over: content)).base64EncodedString()
        return head + Array(value.utf8) + tail
    }
}
