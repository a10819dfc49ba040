/// The envelope: the fields every hop reads and routes on (docs/REPORTS.md §1).
/// `body` is checked separately, against its kind's schema.
public enum EnvelopeSchema {
    public static let schema = ObjectSchema(
        "envelope",
        [
            Field("id", .reportID, required: true, "globally unique, time-ordered id (UUIDv7), made by the sender"),
            Field("kind", .choice(ReportKind.allCases.map(\.rawValue)), required: true, "which body schema applies"),
            Field("format", .integer(1...1000), "report format version; 2 (this format) when left out"),
            Field("country", .subjectCountry, required: true, "subject country, or several"),
            Field("headline", .string(maxLength: 200), required: true, "one line shown in inboxes and digests"),
            Field("created", .timestamp, required: true, "when the officer wrote it (UTC)"),
            Field(
                "origin",
                .object(
                    ObjectSchema(
                        "origin",
                        [
                            Field("officer", .string(maxLength: 200), required: true, "the sender's identity (certificate CN)"),
                            Field("authority", .string(maxLength: 200), required: true, "deploying authority (certificate O)"),
                            Field("state", .string(maxLength: 2), required: true, "participating state, or EU for an EU body (certificate C)"),
                        ])), "filled in by the node from the sender's certificate; a different value is refused"),
            Field(
                "on_behalf_of", .list(.participatingState, minimum: 0, maximum: 31, unique: true),
                "participating states the officer also reports for (joint deployment, Art. 6)"),
            Field("priority", .code(CodeBook.priority), "delivery precedence; default routine"),
            Field("handling", .code(CodeBook.handling), "SIENA handling code; default H1"),
            Field("addressees", .list(.string(maxLength: 200), minimum: 0, maximum: 100, unique: true), "identity ids, or authority:NAME; required for H2 and H3"),
            Field("conditions", .text(maxLength: 2000), "the provider's restrictions; required for H3, only for H3"),
            Field("reliability", .code(CodeBook.reliability), "source reliability (Europol Regulation Art. 29(1)); required in smuggling, return and border reports"),
            Field("accuracy", .code(CodeBook.accuracy), "information accuracy (Europol Regulation Art. 29(2)); required in smuggling, return and border reports"),
            Field("level", .code(CodeBook.level), "operational, strategic or both (Art. 3(4)); required in smuggling, return and border reports"),
            Field("personal_data", .code(CodeBook.personalData), "none (default), or the Art. 10(3) category of the personal data carried"),
            Field("erase_by", .date, "date by which the personal data is erased; required with personal data, only with it"),
            Field("expires", .timestamp, "after this the report is no longer delivered; default per kind"),
            Field(
                "follow_up_of", .reportID,
                "a report of the same event this one completes or updates (2021/581 Art. 9(4)): the node must hold it and the author may read it; the report joins that report's event"),
            Field(
                "related", .list(.reportID, minimum: 1, maximum: 20, unique: true),
                "reports linked to this one that are not updates of its event (the smuggling report behind a border event); links only, nothing is checked or sent with them"),
            Field(
                "corrects", .reportID,
                "id of a report this one corrects (ilo correct): it goes to exactly that report's recipients, along its path, and that report is erased; by its author only (docs/REPORTS.md §5.9)"),
            Field(
                "attachments",
                .list(
                    .object(
                        ObjectSchema(
                            "attachment",
                            [
                                Field("sha256", .string(maxLength: 64), required: true, "SHA-256 of the file's bytes, 64 lower-case hex digits"),
                                Field("media_type", .choice(AttachmentType.allCases.map(\.rawValue)), required: true, "image/jpeg, image/png or application/pdf: what the file's first bytes say it is"),
                                Field("bytes", .integer(1...Int64(Attachment.maximumReportBytes)), required: true, "the file's size"),
                                Field("caption", .text(maxLength: 500), "what it shows; free text, screened like the report's"),
                                Field("personal_data", .boolean, required: true, "whether it shows a person or an identity document: only in a report with personal data"),
                            ])), minimum: 1, maximum: Attachment.maximumCount, unique: false),
                "the files the report carries (photos of documents, PDFs; docs/REPORTS.md §1.1): at most 10, 25 MiB in all"),
            Field("topic", .string(maxLength: 200), "derived by the node (KIND/COUNTRY/…); a different value is refused"),
            Field(
                "signature",
                .object(
                    ObjectSchema(
                        "signature",
                        [
                            Field("alg", .choice(ReportSignature.algorithms), required: true, "sha256 (ECDSA or RSA) or ed25519"),
                            Field("certificate", .string(maxLength: 16_384), required: true, "the signer's certificate, base64 DER"),
                            Field("value", .string(maxLength: 1_024), required: true, "the signature, base64"),
                        ])), "the author's signature over the rest of the report (ilo adds it)"),
        ])

    /// The envelope's field names plus `body`.
    public static var fieldNames: Set<String> { Set(schema.fields.map(\.name) + ["body"]) }
}
