/// What the screen recognised.
public enum PersonalDataKind: String, Sendable, CaseIterable {
    case email = "e-mail"
    case phone
    case iban
    case bankAccount = "bank-account"
    case mrz
    case documentNumber = "document-number"
    case dateOfBirth = "date-of-birth"
    case imei
    case paymentCard = "payment-card"
    case cryptoWallet = "crypto-wallet"
    case socialMedia = "social-media"
    case vehiclePlate = "vehicle-plate"
    case name
    case address

    var described: String {
        switch self {
        case .email: "an e-mail address"
        case .phone: "a phone number"
        case .iban: "an IBAN"
        case .bankAccount: "a bank account or money-transfer number"
        case .mrz: "a machine-readable zone (MRZ) of an identity document"
        case .documentNumber: "an identity or travel document number"
        case .dateOfBirth: "a date of birth"
        case .imei: "an IMEI (a phone's serial number)"
        case .paymentCard: "a payment card number"
        case .cryptoWallet: "a crypto-currency wallet address"
        case .socialMedia: "a social-media account"
        case .vehiclePlate: "a vehicle registration plate"
        case .name: "a person's name"
        case .address: "a street address"
        }
    }
}

/// One thing the screen found in one field. The value itself is never kept:
/// only where it starts (1-based character position) and the cue word, if any.
public struct PersonalDataFinding: Sendable, Equatable {
    public let field: String
    public let kind: PersonalDataKind
    /// True: the report is refused. False: a warning (a likely name or address).
    public let refused: Bool
    public let position: Int
    /// The lexicon word that led to it ("passport", "alias"), quoted in the message.
    public let cue: String?

    public var issue: ValidationIssue {
        let cueText = cue.map { " after \"\($0)\"" } ?? ""
        if refused {
            return ValidationIssue(
                field: field,
                "\(kind.described) at character \(position)\(cueText) is personal data, which a report with personal_data \"none\" must not carry "
                    + "(Regulation (EU) 2019/1240 Art. 3(4)); remove it, or send the report with personal_data set to its Art. 10(3) category, "
                    + "addressees and erase_by, and put the person in its personal-data fields")
        }
        return ValidationIssue(
            field: field,
            "may contain \(kind.described) at character \(position)\(cueText); a report with personal_data \"none\" carries no personal data: "
                + "if it is one, remove it or send the report with personal_data set to its Art. 10(3) category")
    }
}

/// The personal-data screen for free text (docs/REPORTS.md §2.1): run on every
/// free-text field of a report without personal data (`personal_data` "none"). Identifiers recognised with
/// confidence refuse the report; likely names and addresses are warnings.
public enum PersonalDataScreen {
    /// The findings in every free-text field of a report document of an authored kind.
    public static func screen(_ document: JSONValue, kind: ReportKind) -> [PersonalDataFinding] {
        guard kind.isContent else { return [] }
        var findings: [PersonalDataFinding] = []
        for name in ["headline", "conditions"] {
            if let text = document[name]?.stringValue { findings += scan(text, field: name) }
        }
        if let body = document["body"] {
            walk(body, schema: BodySchemas.schema(for: kind), path: "body") { text, path in findings += scan(text, field: path) }
        }
        return findings
    }

    /// The findings in one text, at most one per kind and field.
    public static func scan(_ string: String, field: String) -> [PersonalDataFinding] {
        let text = ScreenText(string)
        guard !text.words.isEmpty else { return [] }
        var context = ContextScan(text)
        context.scan()
        let identifiers = IdentifierScan(text, cues: context.cues)
        var seen = Set<PersonalDataKind>()
        var findings: [PersonalDataFinding] = []
        for hit in (identifiers.hits + context.hits).sorted(by: { ($0.refused ? 0 : 1, $0.index) < ($1.refused ? 0 : 1, $1.index) })
        where seen.insert(hit.kind).inserted {
            findings.append(
                PersonalDataFinding(field: field, kind: hit.kind, refused: hit.refused, position: text.position(of: hit.index), cue: hit.cue))
        }
        return findings
    }

    /// Calls `visit` for each free-text value (strings and text, not codes or
    /// personal-data fields) that `value` holds under `schema`.
    static func walk(_ value: JSONValue, schema: ObjectSchema, path: String, _ visit: (String, String) -> Void) {
        for field in schema.fields where field.personalData == nil {
            guard let member = value[field.name] else { continue }
            walk(member, type: field.type, path: join(path, field.name), visit)
        }
    }

    private static func walk(_ value: JSONValue, type: FieldType, path: String, _ visit: (String, String) -> Void) {
        switch type {
        case .string, .text:
            if let s = value.stringValue { visit(s, path) }
        case .list(let element, _, _, _):
            for (index, item) in (value.arrayValue ?? []).enumerated() { walk(item, type: element, path: "\(path)[\(index)]", visit) }
        case .object(let schema):
            walk(value, schema: schema, path: path, visit)
        case .map(let element):
            guard case .object(let members) = value else { return }
            for key in members.keys.sorted() { walk(members[key]!, type: element, path: join(path, key), visit) }
        default:
            break
        }
    }
}
