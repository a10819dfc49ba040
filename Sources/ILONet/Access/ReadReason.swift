/// Why someone reads a report with personal data (docs/ACCESS.md §1.3): GET's
/// `reason`, kept in the `read` audit record. Directive (EU) 2016/680 Art. 25
/// has consultations logged with their justification; the reason is free text
/// and passes the personal-data screen like any (no identifiers in it).
enum ReadReason {
    static let lengths = 4...500

    static func parse(_ message: Message) throws(ProtocolError) -> String? {
        guard let value = message.body["reason"] else { return nil }
        guard case .string(let raw) = value else {
            throw ProtocolError(.badMessage, "reason: a text of \(lengths.lowerBound) to \(lengths.upperBound) characters", field: "reason", requestID: message.requestID)
        }
        let reason = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard lengths.contains(reason.count), !reason.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw ProtocolError(
                .badMessage, "reason: say why you read the report in \(lengths.lowerBound) to \(lengths.upperBound) characters (one line)", field: "reason",
                requestID: message.requestID)
        }
        if let finding = PersonalDataScreen.scan(reason, field: "reason").first(where: \.refused) {
            throw ProtocolError(
                .badMessage, "reason: \(finding.issue.message); the reason goes into the audit trail and must not identify anyone", field: "reason",
                requestID: message.requestID)
        }
        return reason
    }
}

extension ReadReason {
    /// A report with personal data as a mailbox or a watch stream gives it to
    /// anyone but its author: the envelope without `body` and `signature`, and
    /// `"sealed": true`. Reading the body is a GET with a reason.
    static func seal(_ document: [UInt8]) -> [UInt8] {
        guard case .object(var fields)? = try? JSONValue(parsing: document) else { return document }
        fields["body"] = nil
        fields["signature"] = nil
        fields["sealed"] = true
        return JSONValue.object(fields).encoded()
    }
}
