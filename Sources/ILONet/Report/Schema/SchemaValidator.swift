/// Checks a JSON value against a schema, collecting every issue with its path,
/// and the paths of personal-data fields that are present.
struct SchemaValidator {
    private(set) var issues: [ValidationIssue] = []
    /// (path, field) of every personal-data field found with a value.
    private(set) var personalFields: [(path: String, field: Field)] = []

    /// - Parameter path: where the object is; written out only for an issue,
    ///   a personal-data field or a rule (this runs for every field of every report).
    /// - Parameter personal: the object sits inside a personal-data field, so its
    ///   values are personal data too and are never quoted.
    mutating func check(_ value: JSONValue, against schema: ObjectSchema, at path: @autoclosure () -> String, personal: Bool = false) {
        guard case .object(let members) = value else {
            issues.append(ValidationIssue(field: path(), "expected an object, found \(value.typeName)"))
            return
        }
        if members.keys.contains(where: { !schema.hasField($0) }) {
            let path = path()
            for key in members.keys.filter({ !schema.hasField($0) }).sorted() {
                let hint = ConfigFile.suggestion(for: key, among: schema.fields.map(\.name)).map { "; did you mean \"\($0)\"?" } ?? ""
                issues.append(ValidationIssue(field: join(path, key), "unknown field\(hint)"))
            }
        }
        for field in schema.fields {
            guard let member = members[field.name], member != .null else {
                if field.required { issues.append(ValidationIssue(field: join(path(), field.name), "required field is missing")) }
                continue
            }
            if field.personalData != nil { personalFields.append((join(path(), field.name), field)) }
            check(member, type: field.type, at: join(path(), field.name), personal: personal || field.personalData != nil)
        }
        if !schema.rules.isEmpty {
            let path = path()
            for rule in schema.rules { rule(members, path, &issues) }
        }
    }

    /// - Parameter path: where the value is; written out only when needed.
    /// - Parameter personal: never quote the value in a message.
    mutating func check(_ value: JSONValue, type: FieldType, at path: @autoclosure () -> String, personal: Bool = false) {
        func fail(_ message: String) { issues.append(ValidationIssue(field: path(), message)) }
        func quoted(_ s: String) -> String { personal ? "the value" : "\"\(s.prefix(40))\"" }
        func string() -> String? {
            guard case .string(let s) = value else {
                fail("expected a string, found \(value.typeName)")
                return nil
            }
            return s
        }
        switch type {
        case .string(let maximum), .text(let maximum):
            guard let s = string() else { return }
            // Byte-level checks first: this runs for every string of every report.
            let utf8 = s.utf8
            if utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { fail("must not be empty") }
            if utf8.count > maximum && s.count > maximum { fail("longer than \(maximum) characters") }
            if case .string = type, utf8.contains(where: { $0 == 0x0A || $0 == 0x0D }) || (utf8.count != s.unicodeScalars.count && s.contains(where: \.isNewline)) {
                fail("must be a single line")
            }
            if let control = SchemaValidator.controlCharacter(in: s, multiline: type.isMultiline) {
                fail("contains the control character \(control); remove it (text fields take \(type.isMultiline ? "newlines and tabs" : "no control characters"))")
            }
        case .integer(let range):
            // A whole number written as 2.0 or 1.2e3 is the integer it equals (docs/PROTOCOL.md §7).
            guard let i = value.integerValue else {
                fail("expected a whole number, found \(value.typeName == "number" ? "a fraction" : value.typeName)")
                return
            }
            if !range.contains(i) { fail("\(personal ? "the value" : String(i)) is outside \(range.lowerBound)–\(range.upperBound)") }
        case .number(let range):
            let d: Double
            switch value {
            case .integer(let i): d = Double(i)
            case .number(let n): d = n
            default:
                fail("expected a number, found \(value.typeName)")
                return
            }
            if !range.contains(d) {
                let bounds = "\(JSONValue.canonicalNumber(range.lowerBound))–\(JSONValue.canonicalNumber(range.upperBound))"
                fail("\(personal ? "the value" : JSONValue.canonicalNumber(d)) is outside \(bounds)")
            }
        case .boolean:
            if case .bool = value {} else { fail("expected true or false, found \(value.typeName)") }
        case .choice(let words):
            guard let s = string() else { return }
            if !words.contains(s) { fail("\(quoted(s)) is not one of: \(words.joined(separator: ", "))") }
        case .country:
            guard let s = string() else { return }
            if !ISOCodes.isCountry(s) {
                fail("\(quoted(s)) is not an ISO 3166-1 alpha-2 code" + (personal ? "" : ISOCodes.suggestion(for: s).map { "; did you mean \($0)?" } ?? ""))
            }
        case .subjectCountry:
            guard let s = string() else { return }
            if s == "EU" {
                fail("\"EU\" is not a country; for a report about several countries write \"\(ISOCodes.severalCountries)\"")
            } else if s != ISOCodes.severalCountries && !ISOCodes.isCountry(s) {
                fail("\(quoted(s)) is not an ISO 3166-1 alpha-2 code (or \"\(ISOCodes.severalCountries)\" for several countries)"
                    + (ISOCodes.suggestion(for: s).map { "; did you mean \($0)?" } ?? ""))
            }
        case .participatingState:
            guard let s = string() else { return }
            if !ISOCodes.participatingStates.contains(s) {
                fail("\(quoted(s)) is not a participating state (an EU member state, or IS, LI, NO, CH)")
            }
        case .code(let code):
            let text: String
            if code.numeric {
                guard case .integer(let n) = value else { return fail("expected an integer (\(code.words.joined(separator: ", "))), found \(value.typeName)") }
                text = String(n)
            } else {
                guard let s = string() else { return }
                text = s
            }
            if code.label(text) == nil {
                fail("\(code.numeric ? text : quoted(text)) is not one of: \(code.words.joined(separator: ", "))" + (code.hint.map { "; \($0)" } ?? ""))
            }
        case .currency:
            guard let s = string() else { return }
            if !ISOCodes.isCurrency(s) { fail("\(quoted(s)) is not an ISO 4217 currency code") }
        case .date:
            guard let s = string() else { return }
            if ReportDate.parse(s) == nil { fail("\(quoted(s)) is not a date like 2026-11-22") }
        case .timestamp:
            guard let s = string() else { return }
            if Timestamp.parse(s) == nil { fail("\(quoted(s)) is not a UTC time like 2026-11-22T09:30:00Z (1970 to 9999)") }
        case .reportID:
            guard let s = string() else { return }
            if ReportID(s) == nil { fail("\(quoted(s)) is not a report id (lower-case UUIDv7)") }
        case .list(let element, let minimum, let maximum, let unique):
            guard case .array(let elements) = value else {
                fail("expected a list, found \(value.typeName)")
                return
            }
            if elements.count < minimum { fail(minimum == 1 ? "must not be empty" : "needs at least \(minimum) entries") }
            if elements.count > maximum { fail("has more than \(maximum) entries") }
            for (index, item) in elements.enumerated() {
                check(item, type: element, at: "\(path())[\(index)]", personal: personal)
            }
            if unique && elements.count > 1 {
                var seen = Set<[UInt8]>()
                for (index, item) in elements.enumerated() where !seen.insert(item.encoded()).inserted {
                    issues.append(ValidationIssue(field: "\(path())[\(index)]", "repeats an earlier entry"))
                }
            }
        case .object(let schema):
            check(value, against: schema, at: path(), personal: personal)
        case .map(let valueType):
            guard case .object(let members) = value else {
                fail("expected an object, found \(value.typeName)")
                return
            }
            for key in members.keys.sorted() { check(members[key]!, type: valueType, at: join(path(), key), personal: personal) }
        }
    }
}

extension SchemaValidator {
    /// The first C0 or C1 control character (or DEL) in `text`, as `U+001B`;
    /// a multi-line field may hold newlines and tabs (docs/REPORTS.md §4).
    /// Carriage returns and line breaks are refused by the single-line check first.
    static func controlCharacter(in text: String, multiline: Bool) -> String? {
        // Fast path: no byte below 0x20, no DEL, and no 0xC2 lead byte (C1 controls are C2 80–C2 9F).
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 }) { return nil }
        for scalar in text.unicodeScalars {
            let v = scalar.value
            if multiline && (v == 0x0A || v == 0x09) { continue }
            if !multiline && (v == 0x0A || v == 0x0D) { continue }  // "must be a single line" says it
            if v < 0x20 || (0x7F...0x9F).contains(v) {
                let hex = String(v, radix: 16, uppercase: true)
                return "U+" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return nil
    }
}

/// Calendar dates (`YYYY-MM-DD`) as the Unix milliseconds of their midnight UTC,
/// from 1900 (dates of birth) to 9999.
public enum ReportDate {
    public static func parse(_ text: String) -> Int64? {
        guard text.utf8.count == 10 else { return nil }
        return Timestamp.parse(text + "T00:00:00Z", earliestYear: 1900)
    }
}
