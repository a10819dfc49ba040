/// Every coded field of the report model (docs/REPORTS.md §3), in the words of
/// the sources European law enforcement reads them in.
public enum CodeBook {
    /// Europol Regulation (EU) 2016/794 Art. 29(1), the source evaluation of SIENA.
    public static let reliability = Code(
        "reliability", source: "Regulation (EU) 2016/794 (Europol) Art. 29(1)",
        hint: "the source evaluation codes are A, B, C and X (X: cannot be assessed)",
        [
            .init("A", "no doubt about the authenticity, trustworthiness and competence of the source, or a source that has proved reliable in all instances"),
            .init("B", "a source that has proved reliable in most instances"),
            .init("C", "a source that has proved unreliable in most instances"),
            .init("X", "the reliability of the source cannot be assessed"),
        ])

    /// Europol Regulation (EU) 2016/794 Art. 29(2), the information evaluation of SIENA.
    public static let accuracy = Code(
        "accuracy", source: "Regulation (EU) 2016/794 (Europol) Art. 29(2)", numeric: true,
        hint: "the information evaluation codes are 1, 2, 3 and 4 (4: not known personally to the source and cannot be corroborated)",
        [
            .init("1", "information whose accuracy is not in doubt"),
            .init("2", "information known personally to the source but not known personally to the official passing it on"),
            .init("3", "information not known personally to the source but corroborated by other information already recorded"),
            .init("4", "information not known personally to the source and which cannot be corroborated"),
        ])

    /// SIENA's handling codes. What ILONet does with each is its own policy,
    /// documented separately (`HandlingCode.disseminationPolicy`).
    public static let handling = Code(
        "handling", source: "SIENA handling codes (Council, Manual on Law Enforcement Information Exchange, doc. 6261/18; Regulation (EU) 2016/794 Art. 19(2))",
        [
            .init("H0", "may only be used for the purpose of preventing and combating crime, in line with the applicable law (a purpose restriction)"),
            .init("H1", "not to be disclosed in judicial proceedings without the permission of the provider"),
            .init("H2", "not to be disseminated without the permission of the provider"),
            .init("H3", "other restrictions apply, stated by the provider in conditions"),
        ])

    /// Regulation (EU) 2019/1240 Art. 3(4): the level the information is for.
    public static let level = Code(
        "level", source: "Regulation (EU) 2019/1240 Art. 3(4)",
        hint: "the level is what the information is for; whether it carries personal data is personal_data",
        [
            .init("operational", "for use at operational level: a specific event, departure, route or case to act on"),
            .init("strategic", "for use at strategic level: trends, patterns and analysis"),
            .init("both", "for use at both operational and strategic level"),
        ])

    /// Regulation (EU) 2019/1240 Art. 10(2) and (3): personal data, for one purpose.
    public static let personalData = Code(
        "personal_data", source: "Regulation (EU) 2019/1240 Art. 10(2) (purposes) and Art. 10(3) (categories)",
        hint: "legal migration (Art. 10(3)(c)) and resettlement (Art. 10(3)(d)) have no report kind in this format: see docs/REPORTS.md §2",
        [
            .init("none", "no personal data (Art. 3(4))"),
            .init("return-identification", "Art. 10(3)(a): identity and nationality of third-country nationals, for return"),
            .init("return-passenger-list", "Art. 10(3)(b): passenger lists of return flights and other means of transport used for return"),
            .init("smuggling-trafficking", "Art. 10(3)(e): identity of persons, and the modus operandi of criminal networks, to prevent and combat migrant smuggling and trafficking in human beings"),
        ])

    /// ILONet's delivery precedence, after the military message precedence of ACP 121.
    public static let priority = Code(
        "priority", source: "ILONet (delivery precedence, after the message precedence of ACP 121)",
        [
            .init("flash", "delivered before everything else: life at risk, an imminent departure"),
            .init("immediate", "delivered before priority and routine reports"),
            .init("priority", "delivered before routine reports"),
            .init("routine", "delivered in turn"),
        ])

    /// Commission Implementing Regulation (EU) 2021/581 Art. 17: the impact of an event.
    public static let impact = Code(
        "body.impact", source: "Implementing Regulation (EU) 2021/581 Art. 17 (high and very high: Art. 9(2)(b); low and medium: ILONet)",
        hint: "impact is the originator's assessment of the event (2021/581 Art. 17) on the scale low, medium, high, very-high (high and very high from its Art. 9(2)(b), low and medium ILONet's own); critical is the scale for border sections (Regulation (EU) 2019/1896 Art. 34), not for events",
        [
            .init("low", "low impact"),
            .init("medium", "medium impact"),
            .init("high", "high impact"),
            .init("very-high", "very high impact"),
        ])

    public static let meansOfTransport = Code(
        "body.means_of_transport", source: "ILONet",
        [
            .init("foot", "on foot"), .init("car", "car"), .init("van", "van"), .init("truck", "truck or lorry"), .init("bus", "bus or coach"),
            .init("train", "train"), .init("boat", "boat (wooden, fibreglass or fishing boat)"), .init("rubber-boat", "rubber or inflatable boat"),
            .init("ship", "ship (cargo, passenger or merchant vessel)"), .init("air", "aircraft"), .init("other", "other means"),
        ])

    /// The document-fraud categories of the Council's PRADO glossary and Frontex's document-fraud reporting.
    public static let documentFraud = Code(
        "body.document_fraud.types", source: "PRADO glossary (Council of the EU) and Frontex document-fraud reporting (EDF)",
        [
            .init("counterfeit", "an unauthorised reproduction of a genuine document"),
            .init("forged", "a genuine document that was altered"),
            .init("pseudo-document", "a document issued by no recognised authority, or of a type that does not exist"),
            .init("stolen-blank", "a genuine blank document, stolen and then filled in"),
            .init("fraudulently-obtained", "a genuine document obtained by false statements or false supporting documents"),
            .init("impostor", "a genuine document used by someone else (look-alike)"),
            .init("other", "another kind of fraud, described in description"),
        ])

    public static let travelDocumentStatus = Code(
        "body.travel_document_status", source: "ILONet; the European travel document for return: Regulation (EU) 2016/1953",
        [
            .init("valid-passport", "the returnees hold valid passports"),
            .init("expired-passport", "the returnees hold expired passports"),
            .init("third-country-travel-document", "a laissez-passer or emergency travel document issued by the third country's authorities"),
            .init("eu-travel-document", "the European travel document for return, issued by a member state (Regulation (EU) 2016/1953)"),
            .init("none", "the returnees hold no travel document"),
            .init("mixed", "the returnees hold different documents"),
        ])

    public static let readmissionAssessment = Code(
        "body.readmission_cooperation.assessment",
        source: "ILONet: the reporting officer's assessment, not the Commission's assessment of readmission cooperation under Regulation (EC) No 810/2009 Art. 25a(2)",
        [
            .init("good", "in the officer's assessment, the third country cooperates well on readmission"),
            .init("partial", "in the officer's assessment, it cooperates on some cases or steps only"),
            .init("poor", "in the officer's assessment, cooperation is rare or slow"),
            .init("none", "in the officer's assessment, there is no cooperation"),
        ])

    public static let situationType = Code(
        "body.situation_type", source: "ILONet (search and rescue events: Implementing Regulation (EU) 2021/581 Art. 20)",
        [
            .init("irregular-crossing", "persons crossed the border irregularly"),
            .init("attempted-crossing", "persons tried to cross the border irregularly"),
            .init("large-group", "a large group arrived at or crossed the border"),
            .init("border-closure", "a border or crossing point was closed"),
            .init("congestion", "congestion at a crossing point"),
            .init("violence", "violence at or near the border"),
            .init("search-and-rescue", "a search and rescue event"),
            .init("other", "another situation, described in the headline and response"),
        ])

    public static let documentType = Code(
        "body.person.document_type", source: "ILONet",
        [
            .init("passport", "a national passport"),
            .init("identity-card", "a national identity card"),
            .init("residence-permit", "a residence permit"),
            .init("travel-document", "another travel document: a laissez-passer, an emergency or refugee travel document"),
            .init("other", "another identity document"),
        ])

    /// Every code, in the order docs/REPORTS.md §3 lists them.
    public static let all: [Code] = [
        reliability, accuracy, handling, level, personalData, priority, impact, meansOfTransport, documentFraud, travelDocumentStatus,
        readmissionAssessment, situationType, documentType,
    ]

    /// The code for a field path (list indices removed: `body.means_of_transport[1]` → `body.means_of_transport`;
    /// a person's fields wherever the person is: `body.passenger_list[0].document_type` → `body.person.document_type`).
    public static func code(for path: String) -> Code? {
        var plain = ""
        var skipping = false
        for c in path {
            if c == "[" { skipping = true } else if c == "]" { skipping = false } else if !skipping { plain.append(c) }
        }
        if plain.hasSuffix(".document_type") { plain = "body.person.document_type" }
        return all.first { $0.field == plain }
    }
}
