/// Country and currency codes, from ISO 3166-1 and ISO 4217 (tables generated
/// from Debian's iso-codes by scripts/generate-iso-tables.py).
public enum ISOCodes {
    /// Codes the network accepts beyond ISO 3166-1: `XK` (Kosovo), the
    /// user-assigned code the EU and its agencies use, and `EU` (exceptionally
    /// reserved in ISO 3166-1) for what concerns several countries, such as digests.
    static let additionalCountries: [String: String] = ["XK": "Kosovo", "EU": "European Union (several countries)"]

    public static func isCountry(_ code: String) -> Bool {
        countryNames[code] != nil || additionalCountries[code] != nil
    }

    public static func countryName(_ code: String) -> String? {
        countryNames[code] ?? additionalCountries[code]
    }

    public static func isCurrency(_ code: String) -> Bool { currencyCodes.contains(code) }

    /// The EU's 27 member states, by ISO 3166-1 code (Greece is GR here, not EL).
    public static let memberStates: Set<String> = [
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    ]
}

/// The purposes for which officers may process personal data, Regulation (EU)
/// 2019/1240 Art. 10(3). A `case` report names exactly one.
public enum Purpose: String, Sendable, CaseIterable {
    /// (a) identity and nationality of third-country nationals, for return
    case returnIdentification = "return-identification"
    /// (b) passenger lists of return flights and other means of transport used for return
    case returnPassengerList = "return-passenger-list"
    /// (c) identity and nationality, for legal migration
    case legalMigration = "legal-migration"
    /// (d) identity and nationality of persons in need of international protection, for resettlement
    case resettlement
    /// (e) identity of persons, and data on the modus operandi of criminal networks, to
    /// prevent and combat migrant smuggling and trafficking in human beings
    case smugglingTrafficking = "smuggling-trafficking"

    public var summary: String {
        switch self {
        case .returnIdentification: "Art. 10(3)(a): identity and nationality of third-country nationals for return"
        case .returnPassengerList: "Art. 10(3)(b): passenger lists of return flights and other return transport"
        case .legalMigration: "Art. 10(3)(c): identity and nationality for legal migration"
        case .resettlement: "Art. 10(3)(d): identity and nationality for resettlement of persons in need of protection"
        case .smugglingTrafficking: "Art. 10(3)(e): identity of persons and criminal networks' modus operandi, against smuggling and trafficking"
        }
    }
}
