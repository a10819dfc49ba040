/// The type of one field in a report schema.
public indirect enum FieldType: Sendable {
    /// A single-line string of at most `maxLength` characters, never empty.
    case string(maxLength: Int)
    /// Free text (several lines allowed), at most `maxLength` characters, never empty.
    case text(maxLength: Int)
    case integer(ClosedRange<Int64>)
    case number(ClosedRange<Double>)
    case boolean
    /// One of a fixed list of words.
    case choice([String])
    /// One value of a documented code (`CodeBook`): its meanings are labelled and cited.
    case code(Code)
    /// An ISO 3166-1 alpha-2 country code (plus XK).
    case country
    /// A country code, or `several` (`ISOCodes.severalCountries`): a report's subject.
    case subjectCountry
    /// A participating state: an EU member state or IS, LI, NO, CH.
    case participatingState
    /// An ISO 4217 currency code.
    case currency
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// A UTC time, `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
    case timestamp
    /// A report id (lower-case UUIDv7).
    case reportID
    case list(FieldType, minimum: Int, maximum: Int, unique: Bool)
    case object(ObjectSchema)
    /// An object whose member names are free and whose values have one type (counts by country…).
    case map(FieldType)

    /// Free text that may hold newlines and tabs.
    var isMultiline: Bool {
        if case .text = self { return true }
        return false
    }

    /// How the type is written in docs and templates.
    public var summary: String {
        switch self {
        case .string(let n): "string (≤ \(n) characters)"
        case .text(let n): "text (≤ \(n) characters)"
        case .integer(let r): "integer \(r.lowerBound)–\(r.upperBound)"
        case .number(let r): "number \(JSONValue.canonicalNumber(r.lowerBound))–\(JSONValue.canonicalNumber(r.upperBound))"
        case .boolean: "true or false"
        case .choice(let words): words.joined(separator: " | ")
        case .code(let code): code.words.joined(separator: " | ")
        case .country: "country code (ISO 3166-1 alpha-2)"
        case .subjectCountry: "country code (ISO 3166-1 alpha-2), or several"
        case .participatingState: "participating state code (EU member state, IS, LI, NO, CH)"
        case .currency: "currency code (ISO 4217)"
        case .date: "date YYYY-MM-DD"
        case .timestamp: "UTC time YYYY-MM-DDTHH:MM:SSZ"
        case .reportID: "report id"
        case .list(let element, let minimum, _, _):
            "list of \(element.summary)" + (minimum > 0 ? ", at least \(minimum)" : "")
        case .object(let schema): "object (\(schema.name))"
        case .map(let value): "object of \(value.summary)"
        }
    }
}

/// One named field of an object. A class: the validator and the screen pass
/// fields around for every field of every report, and a reference is one
/// retain where the struct's four members were four (issue 32's profile).
public final class Field: Sendable {
    public let name: String
    public let type: FieldType
    public let required: Bool
    /// Non-nil for fields that hold personal data: the Art. 10(3) purposes under
    /// which a `case` report may carry them. Such fields are refused in
    /// `strategic` reports.
    public let personalData: Set<Purpose>?
    public let summary: String

    public init(_ name: String, _ type: FieldType, required: Bool = false, personalData: Set<Purpose>? = nil, _ summary: String) {
        self.name = name
        self.type = type
        self.required = required
        self.personalData = personalData
        self.summary = summary
    }
}

/// The fields of an object, and rules that relate them to each other.
public struct ObjectSchema: Sendable {
    public typealias Rule = @Sendable (_ fields: [String: JSONValue], _ path: String, _ issues: inout [ValidationIssue]) -> Void

    public let name: String
    public let fields: [Field]
    let rules: [Rule]
    /// The fields' names, in order.
    let names: [String]

    public init(_ name: String, _ fields: [Field], rules: [Rule] = []) {
        self.name = name
        self.fields = fields
        self.rules = rules
        names = fields.map(\.name)
    }

    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }

    /// Whether the schema has a field of this name.
    func hasField(_ name: String) -> Bool { names.contains(name) }
}
