/// `ilo template KIND`: a commented fill-in report, generated from the schemas.
///
/// Required fields start empty (`""`, `[]` or `null`) so the report does not
/// validate until they are filled in; optional fields are `null` (= absent) or
/// show their default. `//` comments are accepted by `ilo send` and `ilo validate`.
public enum ReportTemplate {
    public static func render(kind: ReportKind, dataClass: DataClass = .strategic) -> String {
        var out: [String] = [
            "// ILONet report template: \(BodySchemas.schema(for: kind).name) (data class \(dataClass.rawValue)).",
            "// Fill in the values; null means \"not given\" and may stay. Then:",
            "//   ilo validate report.json && ilo send --file report.json",
            "// id and created are added by ilo; origin, topic and (if null) expires by the node.",
        ]
        if dataClass == .strategic {
            out.append("// Strategic reports carry no personal data; for names, document numbers or")
            out.append("// passenger lists use `ilo template \(kind.rawValue) --case`.")
        }
        out.append("{")
        var lines: [String] = []
        lines.append(member("kind", .string(kind.rawValue), comment: "report kind", indent: 1))
        let defaults: [String: JSONValue] = [
            "priority": "routine", "handling": "H1", "reliability": "X", "accuracy": 4,
            "data_class": .string(dataClass.rawValue), "on_behalf_of": [], "addressees": [],
        ]
        let skipped: Set<String> = ["id", "kind", "created", "origin", "topic"]
        for field in EnvelopeSchema.schema.fields where !skipped.contains(field.name) {
            if dataClass == .strategic && (field.name == "purpose" || field.name == "erase_by") { continue }
            let value: JSONValue =
                defaults[field.name] ?? (dataClass == .case && field.name == "purpose" ? "" : placeholder(field))
            var comment = describe(field)
            if field.name == "purpose" {
                comment += "\n" + Purpose.allCases.map { "\($0.rawValue): \($0.summary)" }.joined(separator: "\n")
            }
            lines.append(member(field.name, value, comment: comment, indent: 1))
        }
        lines.append(comment("body of the report: \(BodySchemas.schema(for: kind).name)", indent: 1) + "\n  \"body\": "
            + object(BodySchemas.schema(for: kind), dataClass: dataClass, indent: 1))
        out.append(lines.joined(separator: ",\n"))
        out.append("}")
        return out.joined(separator: "\n") + "\n"
    }

    static func object(_ schema: ObjectSchema, dataClass: DataClass, indent: Int) -> String {
        var lines: [String] = []
        for field in schema.fields {
            if field.personalData != nil && dataClass == .strategic { continue }
            var value = placeholder(field)
            var rendered: String?
            if case .object(let inner) = field.type, field.required {
                rendered = object(inner, dataClass: dataClass, indent: indent + 1)
                value = .null
            }
            var comment = describe(field)
            if let personal = field.personalData {
                comment += " — personal data, only for purpose \(personal.map(\.rawValue).sorted().joined(separator: " or "))"
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
        case .string, .text, .choice, .country, .memberState, .currency, .date, .timestamp, .reportID: return ""
        default: return .null
        }
    }

    static func describe(_ field: Field) -> String {
        var shape = field.type.summary
        if case .object(let schema) = field.type, !field.required {
            shape = "object {" + schema.fields.map { "\"\($0.name)\": \($0.type.summary)" }.joined(separator: ", ") + "}"
        }
        return "\(field.required ? "required" : "optional") — \(field.summary): \(shape)"
    }

    static func member(_ name: String, _ value: JSONValue, comment text: String, indent: Int) -> String {
        comment(text, indent: indent) + "\n" + String(repeating: "  ", count: indent) + "\"\(name)\": " + value.encodedString()
    }

    static func comment(_ text: String, indent: Int) -> String {
        let pad = String(repeating: "  ", count: indent)
        return text.split(separator: "\n").map { "\(pad)// \($0)" }.joined(separator: "\n")
    }
}
