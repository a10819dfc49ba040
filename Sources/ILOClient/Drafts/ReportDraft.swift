import ILONet
/// Assembles the report `ilo send` and `ilo validate` work on, from a file and
/// flags. The file holds either a whole report (it has a `body` member) or just
/// the body; flags set envelope fields and win over the file. Adds `id` and
/// `created` when absent; the node completes the rest.
public enum ReportDraft {
    /// Envelope flags: flag name → (field, how the value is written).
    public static let flags: [(flag: String, field: String, list: Bool)] = [
        ("kind", "kind", false), ("country", "country", false), ("headline", "headline", false),
        ("priority", "priority", false), ("handling", "handling", false), ("addressees", "addressees", true),
        ("conditions", "conditions", false), ("reliability", "reliability", false), ("accuracy", "accuracy", false),
        ("level", "level", false), ("personal-data", "personal_data", false), ("erase-by", "erase_by", false),
        ("on-behalf-of", "on_behalf_of", true), ("follow-up-of", "follow_up_of", false), ("expires", "expires", false),
        ("corrects", "corrects", false), ("related", "related", true),
    ]

    /// Reads the envelope flags from the command line.
    public static func flagValues(_ arguments: inout Arguments) throws(UsageError) -> [String: String] {
        var values: [String: String] = [:]
        for entry in flags { values[entry.flag] = try arguments.option(entry.flag) }
        return values
    }

    public static func assemble(file: JSONValue?, flags values: [String: String], now: Int64 = Timestamp.nowMilliseconds()) throws(UsageError) -> JSONValue {
        var document: [String: JSONValue] = [:]
        if let file {
            guard case .object(let members) = file else { throw UsageError("the file must hold a JSON object (a report or its body)") }
            if members["body"] != nil { document = members } else { document["body"] = file }
        }
        for entry in flags {
            guard let value = values[entry.flag] else { continue }
            if entry.list {
                document[entry.field] = .array(value.split(separator: ",").map { .string($0.trimmingCharacters(in: .whitespaces)) })
            } else if entry.field == "accuracy" {
                guard let n = Int64(value) else { throw UsageError("--accuracy must be 1, 2, 3 or 4") }
                document[entry.field] = .integer(n)
            } else {
                document[entry.field] = .string(value)
            }
        }
        if document["body"] == nil { throw UsageError("give the body with --file FILE or on standard input") }
        if document["id"] == nil { document["id"] = .string(ReportID.generate().description) }
        if document["created"] == nil { document["created"] = .string(Timestamp.format(milliseconds: now)) }
        return .object(document)
    }
}
