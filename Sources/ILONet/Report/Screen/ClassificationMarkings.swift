/// Classification markings in free text (docs/OPERATIONS.md, "What ILONet may
/// carry"): ILONet carries sensitive non-classified information only — no EU
/// classified information (RESTREINT UE/EU RESTRICTED and above, Council
/// Decision 2013/488/EU) and no national classified information (VS-NfD,
/// DIFFUSION RESTREINTE, …). A report whose free text carries a marking is
/// refused, with or without personal data: the marking says the text belongs on
/// an accredited system, not here.
public enum ClassificationMarkings {
    /// Markings matched as written (capitals), at word boundaries.
    static let exact: [String] = [
        "RESTREINT UE", "EU RESTRICTED", "CONFIDENTIEL UE", "EU CONFIDENTIAL", "SECRET UE", "EU SECRET", "TRÈS SECRET UE", "TRES SECRET UE",
        "EU TOP SECRET", "VS-NfD", "VS-NFD", "VS-VERTRAULICH", "STRENG GEHEIM", "DIFFUSION RESTREINTE", "CONFIDENTIEL DÉFENSE",
        "CONFIDENTIEL DEFENSE", "SECRET DÉFENSE", "SECRET DEFENSE", "NATO RESTRICTED", "NATO CONFIDENTIAL", "NATO SECRET", "COSMIC TOP SECRET",
        "DIFUSIÓN LIMITADA", "RISERVATISSIMO",
    ]
    /// Markings distinctive enough to match in any case.
    static let anyCase: [String] = ["restreint ue", "diffusion restreinte", "vs-nfd", "nur für den dienstgebrauch"]

    /// The first marking in `text`, as the list spells it (nil: none).
    public static func find(in text: String) -> String? {
        for marking in exact where contains(text, marking) { return marking }
        let lower = text.lowercased()
        for marking in anyCase where contains(lower, marking) { return marking.uppercased() }
        return nil
    }

    /// The refusal for a marking in the free text `text` at `field` (nil: none).
    public static func issue(_ text: String, field: String) -> ValidationIssue? {
        guard let marking = find(in: text) else { return nil }
        return ValidationIssue(
            field: field,
            "carries the classification marking \"\(marking)\": ILONet carries sensitive non-classified information only, never EU or national "
                + "classified information (docs/OPERATIONS.md); send classified information over an accredited system, and here only what is not classified")
    }

    /// The refusals for a content report's free text: headline, conditions and the body's texts.
    static func issues(_ document: JSONValue, kind: ReportKind) -> [ValidationIssue] {
        guard kind.isContent else { return [] }
        var issues: [ValidationIssue] = []
        for name in ["headline", "conditions"] {
            if let text = document[name]?.stringValue, let issue = issue(text, field: name) { issues.append(issue) }
        }
        if let body = document["body"] {
            PersonalDataScreen.walk(body, schema: BodySchemas.schema(for: kind), path: "body") { text, path in
                if let issue = issue(text, field: path) { issues.append(issue) }
            }
        }
        return issues
    }

    private static func contains(_ text: String, _ marking: String) -> Bool {
        var searchRange = text.startIndex..<text.endIndex
        while let found = text.range(of: marking, range: searchRange) {
            let before = found.lowerBound == text.startIndex ? nil : text[text.index(before: found.lowerBound)]
            let after = found.upperBound == text.endIndex ? nil : text[found.upperBound]
            if !(before.map(isWordCharacter) ?? false) && !(after.map(isWordCharacter) ?? false) { return true }
            searchRange = found.upperBound..<text.endIndex
        }
        return false
    }

    private static func isWordCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber }
}
