/// Country and currency codes, from ISO 3166-1 and ISO 4217 (tables generated
/// from Debian's iso-codes by scripts/generate-iso-tables.py), with the short
/// names the EU's Interinstitutional Style Guide (Annex A5) uses.
public enum ISOCodes {
    /// Codes the network accepts beyond ISO 3166-1: `XK` (Kosovo), the
    /// user-assigned code the EU and its agencies use.
    static let additionalCountries: [String: String] = ["XK": "Kosovo*"]

    /// Where the Interinstitutional Style Guide's short name differs from the
    /// ISO table's (the two designations with an asterisk carry a footnote:
    /// `designationFootnotes`).
    static let styleGuideNames: [String: String] = [
        "BN": "Brunei", "CD": "Democratic Republic of the Congo", "FM": "Micronesia", "PS": "Palestine*", "RU": "Russia",
    ]

    /// The footnotes the EU prints with two designations (Interinstitutional Style Guide, Annex A5).
    public static let designationFootnotes: [String: String] = [
        "XK": "This designation is without prejudice to positions on status, and is in line with UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of independence.",
        "PS": "This designation shall not be construed as recognition of a State of Palestine and is without prejudice to the individual positions of the Member States on this issue.",
    ]

    /// What `country` holds when a report concerns several countries (digests,
    /// a regional trend): not a country code, so it cannot be misread as one.
    public static let severalCountries = "several"

    public static func isCountry(_ code: String) -> Bool {
        countryNames[code] != nil || additionalCountries[code] != nil
    }

    public static func countryName(_ code: String) -> String? {
        if code == severalCountries { return "several countries" }
        return styleGuideNames[code] ?? countryNames[code] ?? additionalCountries[code]
    }

    public static func isCurrency(_ code: String) -> Bool { currencyCodes.contains(code) }

    /// The code someone probably meant by `text`: lower case (`ly`), a name
    /// (`Libya`), its beginning (`LIB`: Libya or Liberia), the EU's own
    /// abbreviations (`UK`, `EL`). "LY (Libya)" or "LY (Libya) or LR (Liberia)".
    public static func suggestion(for text: String) -> String? {
        func named(_ code: String) -> String { "\(code) (\(countryName(code) ?? code))" }
        let upper = text.uppercased()
        if upper != text, isCountry(upper) { return named(upper) }
        let euAbbreviations = ["UK": "GB", "EL": "GR"]
        if let code = euAbbreviations[upper] { return named(code) + ", the ISO 3166-1 code; \(upper) is the EU's abbreviation" }
        let lower = text.lowercased()
        guard lower.count >= 3 else { return nil }
        let all = countryNames.merging(additionalCountries) { a, _ in a }
        let exact = all.filter { $0.value.lowercased() == lower || $0.value.lowercased().replacingOccurrences(of: "*", with: "") == lower }
        if let code = exact.keys.sorted().first { return named(code) }
        let prefixed = all.filter { $0.value.lowercased().hasPrefix(lower) }.keys.sorted()
        guard !prefixed.isEmpty, prefixed.count <= 3 else { return nil }
        return prefixed.map(named).joined(separator: " or ")
    }

    /// The EU's 27 member states, by ISO 3166-1 code (Greece is GR here, not EL).
    public static let memberStates: Set<String> = [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    ]

    /// The Schengen associated countries: they take part in the network and
    /// deploy liaison officers under Regulation (EU) 2019/1240 (its recitals on
    /// the development of the Schengen acquis) and sit on the Steering Board
    /// without a vote.
    public static let associatedStates: Set<String> = ["IS", "LI", "NO", "CH"]

    /// The states that can deploy officers and be named in `on_behalf_of`,
    /// certificates' `C`, and the `state=` of access and routing rules.
    public static let participatingStates: Set<String> = memberStates.union(associatedStates)

    /// What a certificate's `C` names besides a participating state: `EU`, an EU
    /// institution, body or agency (the Commission, Frontex, Europol, EUAA).
    public static let euBody = "EU"

    /// Whether `code` may stand in a `state=` condition or a certificate's `C`.
    public static func isDeployingState(_ code: String) -> Bool { participatingStates.contains(code) || code == euBody }

    /// The problem with `code` as a deploying state, for error messages.
    public static func deployingStateProblem(_ code: String) -> String? {
        isDeployingState(code)
            ? nil
            : "\"\(code)\" is not a participating state (an EU member state, IS, LI, NO or CH) or EU (an EU institution, body or agency)"
    }
}

/// The personal data a report may carry: the categories of Regulation (EU)
/// 2019/1240 Art. 10(3), each for its purpose under Art. 10(2). A report names
/// at most one (`personal_data`); `CodeBook.personalData` labels them.
///
/// (c) legal migration and (d) resettlement are not offered: no report kind of
/// this format carries them, and a category without a schema saying which data
/// is necessary would invite processing beyond it (Art. 10(1); GDPR Art.
/// 5(1)(c)). A later format that adds such a kind adds its category.
public enum Purpose: String, Sendable, CaseIterable {
    /// (a) identity and nationality of third-country nationals, for return
    case returnIdentification = "return-identification"
    /// (b) passenger lists of return flights and other means of transport used for return
    case returnPassengerList = "return-passenger-list"
    /// (e) identity of persons, and data on the modus operandi of criminal networks, to
    /// prevent and combat migrant smuggling and trafficking in human beings
    case smugglingTrafficking = "smuggling-trafficking"

    public var summary: String { CodeBook.personalData.label(rawValue) ?? rawValue }
}
