import ILONet
/// `ilo template KIND`: a commented fill-in report, generated from the schemas.
///
/// Required fields start empty (`""`, `[]` or `null`) so the report does not
/// validate until they are filled in; optional fields are `null` (= absent) or
/// show their default. `//` comments are accepted by `ilo send` and `ilo validate`.
public enum ReportTemplate {
    /// - Parameter personalData: the Art. 10(3) category the report will carry; nil: none.
    public static func render(kind: ReportKind, personalData: Purpose? = nil) -> String {
        var out: [String] = [
            "// ILONet report template: \(BodySchemas.schema(for: kind).name), format \(Report.format)"
                + (personalData.map { ", personal data: \($0.rawValue)" } ?? ", no personal data") + ".",
            "// Fill in the values; null means \"not given\" and may stay where a field is optional. Then:",
            "//   ilo validate report.json && ilo send --file report.json",
            "// id and created are added by ilo; origin, topic and (if null) expires by the node.",
            "// The evaluation (reliability, accuracy) and the level are yours to state: there is no default.",
        ]
        if personalData == nil {
            out.append("// This report carries no personal data; for names, document numbers or passenger")
            out.append("// lists use `ilo template \(kind.rawValue) --personal-data CATEGORY`.")
        }
        out.append("{")
        var lines: [String] = []
        lines.append(member("kind", .string(kind.rawValue), comment: "report kind", indent: 1))
        let defaults: [String: JSONValue] = [
            "priority": "routine", "handling": "H1", "format": .integer(Int64(Report.format)),
            "personal_data": .string(personalData?.rawValue ?? "none"), "on_behalf_of": [], "addressees": [],
        ]
        let skipped: Set<String> = ["id", "kind", "created", "origin", "topic", "signature"]
        for field in EnvelopeSchema.schema.fields where !skipped.contains(field.name) {
            if personalData == nil && field.name == "erase_by" { continue }
            let value: JSONValue = defaults[field.name] ?? placeholder(field)
            lines.append(member(field.name, value, comment: describe(field), indent: 1))
        }
        lines.append(comment("body of the report: \(BodySchemas.schema(for: kind).name)", indent: 1) + "\n  \"body\": "
            + object(BodySchemas.schema(for: kind), personalData: personalData, indent: 1))
        out.append(lines.joined(separator: ",\n"))
        out.append("}")
        return out.joined(separator: "\n") + "\n"
    }

    static func object(_ schema: ObjectSchema, personalData: Purpose?, indent: Int) -> String {
        var lines: [String] = []
        for field in schema.fields {
            if let allowed = field.personalData, !(personalData.map(allowed.contains) ?? false) { continue }
            var value = placeholder(field)
            var rendered: String?
            if case .object(let inner) = field.type, field.required {
                rendered = object(inner, personalData: personalData, indent: indent + 1)
                value = .null
            }
            var comment = describe(field)
            if let personal = field.personalData {
                comment += " — personal data, only with personal_data \(personal.map(\.rawValue).sorted().joined(separator: " or "))"
            }
            let pad = String(repeating: "  ", count: indent + 1)
            lines.append(self.comment(comment, indent: indent + 1) + "\n\(pad)\"\(field.name)\": " + (rendered ?? value.encodedString()))
        }
        let pad = String(repeating: "  ", count: indent)
        return "{\n" + lines.joined(separator: ",\n") + "\n\(pad)}"
    }

    static func placeholder(_ field: Field) -> JSONValue {
        guard field.required else { return .null }
        switch field.type {
        case .list: return []
        case .string, .text, .choice, .country, .subjectCountry, .participatingState, .currency, .date, .timestamp, .reportID: return ""
        default: return .null
        }
    }

    static func describe(_ field: Field) -> String {
        var shape = field.type.summary
        if case .object(let schema) = field.type, !field.required {
            shape = "object {" + schema.fields.map { "\"\($0.name)\": \($0.type.summary)" }.joined(separator: ", ") + "}"
        }
        var text = "\(field.required ? "required" : "optional") — \(field.summary): \(shape)"
        var type = field.type
        if case .list(let element, _, _, _) = type { type = element }
        if case .code(let code) = type {
            text += "\n" + code.values.map { "  \($0.value): \($0.label)" }.joined(separator: "\n") + "\n  (\(code.source))"
        }
        return text
    }

    static func member(_ name: String, _ value: JSONValue, comment text: String, indent: Int) -> String {
        comment(text, indent: indent) + "\n" + String(repeating: "  ", count: indent) + "\"\(name)\": " + value.encodedString()
    }

    static func comment(_ text: String, indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent)
        return text.split(separator: "\n").map { "\(pad)// \($0)" }.joined(separator: "\n")
    }
}
