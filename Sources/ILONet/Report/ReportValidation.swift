/// A report that breaks a rule: the field's path and the rule, e.g.
/// `country: "LIBYA" is not an ISO 3166-1 alpha-2 code`. Never the field's value
/// beyond what identifies the mistake.
public struct ReportValidationError: Error, CustomStringConvertible, Equatable {
    public let field: String
    public let message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

extension Report {
    /// The fields a sender may put in a report. Origin is filled in by the node
    /// from the sender's certificate; a different claimed origin is refused.
    static let envelopeFields: Set<String> = ["id", "kind", "country", "priority", "created", "headline", "origin", "body"]

    /// Validates a document received from `sender` and returns the report with its
    /// origin taken from the sender's certificate.
    public static func validate(_ document: JSONValue, sender: Origin) throws(ReportValidationError) -> Report {
        guard case .object(let fields) = document else {
            throw ReportValidationError(field: "", "a report must be a JSON object, not \(document.typeName)")
        }
        for key in fields.keys.sorted() where !envelopeFields.contains(key) {
            throw ReportValidationError(field: key, "unknown field")
        }
        let idText = try requiredString(fields, "id")
        guard let id = ReportID(idText) else {
            throw ReportValidationError(field: "id", "\"\(idText.prefix(40))\" is not a lower-case UUIDv7")
        }
        let kindText = try requiredString(fields, "kind")
        guard let kind = ReportKind(rawValue: kindText) else {
            throw ReportValidationError(
                field: "kind", "\"\(kindText.prefix(40))\" is not a report kind (\(ReportKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let country = try requiredString(fields, "country")
        guard country.utf8.count == 2, country.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            throw ReportValidationError(field: "country", "\"\(country.prefix(40))\" is not an ISO 3166-1 alpha-2 code")
        }
        var priority = Priority.routine
        if fields["priority"] != nil {
            let text = try requiredString(fields, "priority")
            guard let p = Priority(rawValue: text) else {
                throw ReportValidationError(
                    field: "priority", "\"\(text.prefix(40))\" is not a priority (flash, immediate, priority, routine)")
            }
            priority = p
        }
        let createdText = try requiredString(fields, "created")
        guard let created = Timestamp.parse(createdText) else {
            throw ReportValidationError(field: "created", "\"\(createdText.prefix(40))\" is not a UTC time like 2026-11-22T09:30:00Z")
        }
        var headline = ""
        if fields["headline"] != nil {
            headline = try requiredString(fields, "headline")
            guard headline.count <= 200 else { throw ReportValidationError(field: "headline", "longer than 200 characters") }
        }
        if let claimed = fields["origin"], claimed != sender.json {
            throw ReportValidationError(field: "origin", "does not match the sender's certificate; leave it out and the node fills it in")
        }
        guard let body = fields["body"] else { throw ReportValidationError(field: "body", "required field is missing") }
        guard case .object = body else { throw ReportValidationError(field: "body", "expected an object, found \(body.typeName)") }
        return Report(
            id: id, kind: kind, country: country, priority: priority, createdMilliseconds: created,
            headline: headline, origin: sender, body: body)
    }

    static func requiredString(_ fields: [String: JSONValue], _ name: String) throws(ReportValidationError) -> String {
        guard let value = fields[name] else { throw ReportValidationError(field: name, "required field is missing") }
        guard case .string(let s) = value else {
            throw ReportValidationError(field: name, "expected a string, found \(value.typeName)")
        }
        return s
    }
}
