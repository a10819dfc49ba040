/// The body schema of each report kind (docs/REPORTS.md documents the same
/// fields; a test checks that every field here appears there).
public enum BodySchemas {
    public static func schema(for kind: ReportKind) -> ObjectSchema {
        switch kind {
        case .smuggling: smuggling
        case .return: returnFacilitation
        case .border: border
        case .notice: notice
        case .digest: digest
        case .consent: consent
        case .deployment: Deployment.schema
        case .interest: Interest.schema
        case .erasure: Order.schema
        case .event: EventAction.schema
        }
    }

    static let counts = ObjectSchema(
        "counts",
        [
            Field("total", .integer(0...Int64.max), required: true, "reports in the period"),
            Field("by_kind", .map(.integer(0...Int64.max)), required: true, "reports per kind"),
            Field("by_country", .map(.integer(0...Int64.max)), required: true, "reports per subject country"),
            Field("by_priority", .map(.integer(0...Int64.max)), required: true, "reports per priority"),
        ])

    /// A digest: counts for a period, the change against the one before, and the headlines.
    public static let digest = ObjectSchema(
        "digest",
        [
            Field("filter", .string(maxLength: 256), required: true, "the subscription's topic filter"),
            Field("period", .choice(["hourly", "daily", "weekly", "preview"]), required: true, "the digest's period (preview: built on demand)"),
            Field("from", .timestamp, required: true, "start of the period (exclusive)"),
            Field("to", .timestamp, required: true, "end of the period (inclusive)"),
            Field("counts", .object(counts), required: true, "reports received in the period that match the filter and the reader may see"),
            Field("previous", .object(counts), required: true, "the same counts for the period before"),
            Field("change", .integer(Int64.min...Int64.max), required: true, "counts.total minus previous.total"),
            Field(
                "reports",
                .list(
                    .object(
                        ObjectSchema(
                            "digest entry",
                            [
                                Field("id", .reportID, required: true, "the report's id, to fetch it in full with ilo show"),
                                Field("kind", .string(maxLength: 20), required: true, "its kind"),
                                Field("country", .subjectCountry, required: true, "its subject country"),
                                Field("priority", .code(CodeBook.priority), required: true, "its priority"),
                                Field("handling", .code(CodeBook.handling), required: true, "its handling code"),
                                Field("created", .timestamp, required: true, "when it was written"),
                                Field("headline", .string(maxLength: 200), required: true, "its headline"),
                                Field("author", .string(maxLength: 200), "who wrote it (tells reports with the same headline apart)"),
                                Field("authority", .string(maxLength: 200), "the author's deploying authority"),
                                Field("files", .integer(1...Int64(Attachment.maximumCount)), "how many files it carries (never the files: ilo show lists them)"),
                            ])), minimum: 0, maximum: 500, unique: false), required: true,
                "the reports listed, flash and immediate first, then by time"),
            Field("withheld", .integer(0...Int64.max), required: true, "reports counted but not listed: beyond the 500 a digest lists, or (a digest access rule, the steering board's) not the reader's to read"),
            Field("nothing_new", .boolean, required: true, "true when the period had no reports"),
        ])

    /// What a node tells an officer about one of their reports.
    public static let notice = ObjectSchema(
        "notice",
        [
            Field("about", .reportID, required: true, "the report the notice is about; for an order's notice, the order (kind erasure)"),
            Field(
                "event", .choice(["expired", "refused", "delivered", "deleted", "withdrawn", "restricted", "lifted", "erased", "corrected", "not-held", "recalled"]), required: true,
                "expired: not delivered before it expired; refused: a next hop refused it; delivered: it reached its destination (a receipt); deleted: an administrator deleted it from the node's queues; "
                    + "withdrawn, restricted, lifted, erased, corrected, not-held: a node's receipt for an order or a correction (§5.9); recalled: a recipient is told of an order"),
            Field("report", .reportID, "an order's notice: the report the order is about"),
            Field("content_hash", .string(maxLength: 64), "a receipt: SHA-256 of the report's content as the node held it (hexadecimal), never the content"),
            Field("next_hops", .list(.string(maxLength: 200), minimum: 0, maximum: 64, unique: true), "a receipt: the nodes the node passed the order on to"),
            Field("action", .choice(Order.Action.allCases.map(\.rawValue)), "a recall: what was done to the report"),
            Field("ground", .choice(Order.Ground.allCases.map(\.rawValue)), "a recall: why"),
            Field("by", .choice(OrderNotice.issuers), "a recall: who gave the order: the originator, the deploying authority or its data-protection officer"),
            Field("by_authority", .string(maxLength: 200), "a recall: the deploying authority of whoever gave the order"),
            Field("controller", .string(maxLength: 200), "a receipt: the controller of the personal data the node processes (node.controller)"),
            Field(
                "controller_law", .choice(DataProtectionLaw.allCases.map(\.rawValue)),
                "a receipt: the data-protection law that controller applies (node.controller-law): gdpr, directive-2016-680 or regulation-2018-1725"),
            Field("node", .string(maxLength: 200), required: true, "the node where it was stuck, or (delivered) the node it reached"),
            Field("next_hop", .string(maxLength: 200), "the next hop it was waiting for"),
            Field("since", .timestamp, "when it started waiting there"),
            Field(
                "code", .choice(ErrorCode.allCases.map(\.rawValue)),
                "why (refused, expired): the protocol error code the next hop answered with (docs/PROTOCOL.md §4); a notice carries no text of its own, and each reader's node shows its own wording for the code"),
            Field(
                "return_path", .list(.string(maxLength: 200), minimum: 1, maximum: 32, unique: false), required: true,
                "the nodes the report passed, origin first: the notice travels back along them"),
        ])

    /// A consent request or decision about an H2 report (docs/REPORTS.md §5.6).
    public static let consent = ObjectSchema(
        "consent",
        [
            Field("about", .reportID, required: true, "the H2 report the consent is about"),
            Field(
                "decision", .choice(Consent.Decision.allCases.map(\.rawValue)), required: true,
                "requested: an addressee asks the provider; granted or refused: the provider decides"),
            Field("to", .list(.string(maxLength: 200), minimum: 1, maximum: 20, unique: true), required: true, "who the report would be passed to: identities, or authority:CODE"),
            Field("requested_by", .string(maxLength: 200), "the identity that asked (in a decision answering a request)"),
            Field("reason", .text(maxLength: 2000), "why: the request's purpose, or the refusal's reason"),
        ])

    static let countries = FieldType.list(.country, minimum: 1, maximum: 30, unique: true)

    /// Nationalities of the persons concerned, with counts where known: the
    /// first breakdown of Frontex's and the EUAA's risk analyses.
    static let nationalities = FieldType.list(
        .object(
            ObjectSchema(
                "nationality",
                [
                    Field("country", .country, required: true, "nationality (ISO 3166-1 alpha-2)"),
                    Field("persons", .integer(0...10_000_000), "persons of that nationality, where known"),
                ])), minimum: 1, maximum: 100, unique: false)

    /// No nationality twice in `nationalities`.
    static let distinctNationalities: ObjectSchema.Rule = { fields, path, issues in
        var seen: Set<String> = []
        for (i, entry) in (fields["nationalities"]?.arrayValue ?? []).enumerated() {
            guard let code = entry["country"]?.stringValue else { continue }
            if !seen.insert(code).inserted { issues.append(ValidationIssue(field: join(path, "nationalities[\(i)].country"), "\(code) is listed twice")) }
        }
    }

    /// A natural person. Every use of it is personal data.
    public static let person = ObjectSchema(
        "person",
        [
            Field("name", .string(maxLength: 200), "full name as written in the source"),
            Field("date_of_birth", .date, "date of birth"),
            Field("nationality", .country, "nationality"),
            Field("document_type", .code(CodeBook.documentType), "kind of identity document"),
            Field("document_number", .string(maxLength: 60), "identity document number"),
            Field("role", .string(maxLength: 200), "role in the events (e.g. driver, organiser)"),
        ],
        rules: [
            { fields, path, issues in
                if fields["name"] == nil && fields["document_number"] == nil {
                    issues.append(ValidationIssue(field: path, "a person needs at least a name or a document number"))
                }
            }
        ])

    static let persons = FieldType.list(.object(person), minimum: 1, maximum: 2000, unique: false)

    public static let smuggling = ObjectSchema(
        "smuggling intelligence",
        [
            Field(
                "route",
                .object(
                    ObjectSchema(
                        "route",
                        [
                            Field("origin", countries, required: true, "countries where the journeys start"),
                            Field("transit", .list(.country, minimum: 0, maximum: 30, unique: false), "countries crossed, in order"),
                            Field("destination", countries, required: true, "intended destination countries"),
                        ])), required: true, "the smuggling route"),
            Field("modus_operandi", .text(maxLength: 8000), required: true, "how the smuggling is organised and carried out"),
            Field(
                "means_of_transport",
                .list(.code(CodeBook.meansOfTransport), minimum: 1, maximum: 11, unique: true), required: true, "how persons are moved"),
            Field("nationalities", nationalities, "nationalities of the persons smuggled, with counts where known"),
            Field("impact", .code(CodeBook.impact), "for a report of an event: the originator's assessment of its impact (2021/581 Art. 17)"),
            Field("measures_taken", .text(maxLength: 4000), "for a report of an event: measures taken in response (2021/581 Art. 9(5))"),
            Field("measures_planned", .text(maxLength: 4000), "for a report of an event: measures planned in response (2021/581 Art. 9(5))"),
            Field("estimated_persons", .integer(0...10_000_000), "estimated number of persons smuggled in the period"),
            Field(
                "price_per_person",
                .object(
                    ObjectSchema(
                        "price",
                        [
                            Field("amount", .number(0...10_000_000), required: true, "price paid per person"),
                            Field("currency", .currency, required: true, "currency of the amount"),
                        ])), "price per person"),
            Field("facilitator_network", .text(maxLength: 4000), "structure of the facilitators' network (no names: use facilitators)"),
            Field("facilitators", persons, personalData: [.smugglingTrafficking], "identified facilitators (personal data)"),
            Field(
                "document_fraud",
                .object(
                    ObjectSchema(
                        "document fraud",
                        [
                            Field("observed", .boolean, required: true, "whether document fraud was observed"),
                            Field(
                                "types", .list(.code(CodeBook.documentFraud), minimum: 0, maximum: 7, unique: true),
                                "kinds of fraud seen"),
                            Field("description", .text(maxLength: 4000), "details"),
                        ])), "document fraud seen on this route"),
            Field(
                "period_observed",
                .object(
                    ObjectSchema(
                        "period",
                        [
                            Field("from", .date, required: true, "first day observed"),
                            Field("to", .date, required: true, "last day observed"),
                        ],
                        rules: [dateOrder("from", "to")])), "when the activity was observed"),
            Field(
                "vulnerable_persons",
                .object(
                    ObjectSchema(
                        "vulnerable persons",
                        [
                            Field("minors", .integer(0...10_000_000), "minors among the persons"),
                            Field("unaccompanied_minors", .integer(0...10_000_000), "unaccompanied minors"),
                            Field("women", .integer(0...10_000_000), "women among the persons"),
                            Field("notes", .text(maxLength: 4000), "other vulnerabilities (Art. 3(2))"),
                        ])), "vulnerable persons involved (Art. 3(2))"),
            Field("gender_dimension", .text(maxLength: 4000), "gender-specific aspects observed (Art. 3(2))"),
        ],
        rules: [distinctNationalities])

    public static let returnFacilitation = ObjectSchema(
        "return facilitation",
        [
            Field("returnees", .integer(0...1_000_000), required: true, "number of persons concerned"),
            Field("nationality", .country, required: true, "nationality of the returnees"),
            Field("travel_document_status", .code(CodeBook.travelDocumentStatus), required: true, "travel documents the returnees hold"),
            Field(
                "identification_missions",
                .list(
                    .object(
                        ObjectSchema(
                            "identification mission",
                            [
                                Field("date", .date, required: true, "day of the mission"),
                                Field("authority", .string(maxLength: 200), required: true, "third-country authority that carried it out"),
                                Field("persons_identified", .integer(0...1_000_000), "persons whose identity and nationality were confirmed"),
                            ])), minimum: 0, maximum: 100, unique: false), "identification missions held"),
            Field(
                "readmission_cooperation",
                .object(
                    ObjectSchema(
                        "readmission cooperation",
                        [
                            Field("assessment", .code(CodeBook.readmissionAssessment), required: true, "the reporting officer's assessment"),
                            Field("grounds", .text(maxLength: 2000), "what the assessment rests on"),
                        ])), required: true, "the reporting officer's assessment of the third country's cooperation on readmission"),
            Field("obstacles", .list(.string(maxLength: 500), minimum: 0, maximum: 50, unique: true), "obstacles to return"),
            Field("persons", persons, personalData: [.returnIdentification], "persons to identify for return (personal data)"),
            Field("passenger_list", persons, personalData: [.returnPassengerList], "passenger list of a return flight or other return transport (personal data)"),
        ])

    public static let border = ObjectSchema(
        "border information",
        [
            Field(
                "location",
                .object(
                    ObjectSchema(
                        "location",
                        [
                            Field("crossing_point", .string(maxLength: 200), "name of the border crossing point"),
                            Field(
                                "coordinates",
                                .object(
                                    ObjectSchema(
                                        "coordinates",
                                        [
                                            Field("latitude", .number(-90...90), required: true, "WGS 84 latitude in degrees"),
                                            Field("longitude", .number(-180...180), required: true, "WGS 84 longitude in degrees"),
                                        ])), "position"),
                        ],
                        rules: [
                            { fields, path, issues in
                                if fields["crossing_point"] == nil && fields["coordinates"] == nil {
                                    issues.append(ValidationIssue(field: path, "give crossing_point, coordinates or both"))
                                }
                            }
                        ])), required: true, "where it happened"),
            Field("situation_type", .code(CodeBook.situationType), required: true, "what happened"),
            Field("persons", .integer(0...10_000_000), "number of persons involved"),
            Field("nationalities", nationalities, "nationalities of the persons involved, with counts where known"),
            Field("time", .timestamp, required: true, "when it happened (UTC)"),
            Field("authorities_response", .text(maxLength: 4000), "the authorities' response in general (2021/581 Art. 9(5)); measures go in measures_taken and measures_planned"),
            Field("measures_taken", .text(maxLength: 4000), "measures taken in response to the event (2021/581 Art. 9(5))"),
            Field("measures_planned", .text(maxLength: 4000), "measures planned in response to the event (2021/581 Art. 9(5))"),
            Field("impact", .code(CodeBook.impact), required: true, "the originator's assessment of the event's impact (2021/581 Art. 17)"),
            Field("persons_identified", persons, personalData: [.smugglingTrafficking], "identified persons, e.g. facilitators (personal data)"),
        ],
        rules: [distinctNationalities])

    /// `first` must not be after `second` (both dates).
    static func dateOrder(_ first: String, _ second: String) -> ObjectSchema.Rule {
        { fields, path, issues in
            guard let a = fields[first]?.stringValue.flatMap(ReportDate.parse), let b = fields[second]?.stringValue.flatMap(ReportDate.parse) else { return }
            if a > b { issues.append(ValidationIssue(field: join(path, second), "is before \(first)")) }
        }
    }
}
