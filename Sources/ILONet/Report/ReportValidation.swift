extension Report {
    /// Validates a document sent by `sender` and completes it: origin from the
    /// sender's certificate, defaults for absent optional fields, the derived topic.
    /// Collects every broken rule (docs/REPORTS.md §4) before failing.
    /// - Parameter screening: run the personal-data screen on a
    ///   report's free text (§2.1); off only to re-read reports already stored.
    public static func validate(
        _ document: JSONValue, sender: Origin, defaults: ReportDefaults = ReportDefaults(),
        now: Int64 = Timestamp.nowMilliseconds(), screening: Bool = true
    ) throws(ReportValidationError) -> Report {
        guard case .object(var fields) = document.removingNullMembers() else {
            throw ReportValidationError(field: "", "a report must be a JSON object, not \(document.typeName)")
        }
        if let format = fields["format"], format != .integer(Int64(Report.format)) {
            let named = format.integerValue.map { "format \($0)" } ?? "format \(format.encodedString().prefix(20))"
            throw ReportValidationError(
                field: "format",
                "\(named) is not known to this node, which reads format \(Report.knownFormats.sorted().map(String.init).joined(separator: ", ")) (docs/REPORTS.md §7); send the report in a format the node reads, or upgrade the node",
                unknownFormat: true)
        }
        var validator = SchemaValidator()
        let body = fields.removeValue(forKey: "body")
        validator.check(.object(fields), against: EnvelopeSchema.schema, at: "")
        let kind = fields["kind"]?.stringValue.flatMap(ReportKind.init(rawValue:))
        var issues: [ValidationIssue] = []
        switch (body, kind) {
        case (nil, _):
            issues.append(ValidationIssue(field: "body", "required field is missing"))
        case (let body?, let kind?):
            validator.check(body, against: BodySchemas.schema(for: kind), at: "body")
        case (let body?, nil):
            if case .object = body {} else { issues.append(ValidationIssue(field: "body", "expected an object, found \(body.typeName)")) }
        }
        issues = validator.issues + issues
        func fail(_ field: String, _ message: String) { issues.append(ValidationIssue(field: field, message)) }

        // Values that passed their own checks; cross-field rules look only at those.
        func text(_ name: String) -> String? {
            issues.contains { $0.field == name } ? nil : fields[name]?.stringValue
        }
        let handling = text("handling").flatMap(HandlingCode.init(rawValue:)) ?? defaults.handling
        let personalData = text("personal_data").flatMap(Purpose.init(rawValue:))
        let addressees = (fields["addressees"]?.arrayValue ?? []).compactMap(\.stringValue)
        let created = text("created").flatMap(Timestamp.parse)
        let eraseBy = text("erase_by").flatMap(ReportDate.parse)
        let expires = text("expires").flatMap(Timestamp.parse)
        let format = fields["format"]?.integerValue.map(Int.init) ?? Report.format

        if let claimed = fields["origin"], claimed != sender.json {
            fail("origin", "does not match the sender's certificate; leave it out and the node fills it in")
        }
        // Addressees are people or authorities (docs/REPORTS.md §1), whatever the register holds.
        for (index, addressee) in addressees.enumerated() where !Report.isAddressee(addressee) {
            fail(
                "addressees[\(index)]",
                "\"\(String(addressee.prefix(40)))\" is neither an identity id (letters, digits, . _ - @, e.g. officer.it.rossi) nor authority:CODE (e.g. authority:IT-PS)")
        }
        // Handling codes (docs/REPORTS.md §3.3).
        if handling.namedAddresseesOnly && addressees.isEmpty {
            fail("addressees", "required for handling \(handling.rawValue): name who may receive the report")
        }
        if handling == .h3 && fields["conditions"] == nil { fail("conditions", "required for handling H3: state the restrictions") }
        if handling != .h3 && fields["conditions"] != nil { fail("conditions", "only for handling H3") }
        // Evaluation and level: the author states them; nobody else may (§3.1, §3.4).
        if let kind, kind.isContent {
            if fields["reliability"] == nil {
                fail("reliability", "required: evaluate the source, A, B, C or X (X: its reliability cannot be assessed), Europol Regulation Art. 29(1)")
            }
            if fields["accuracy"] == nil {
                fail("accuracy", "required: evaluate the information, 1, 2, 3 or 4 (4: not known personally to the source and cannot be corroborated), Europol Regulation Art. 29(2)")
            }
            if fields["level"] == nil { fail("level", "required: operational, strategic or both (Regulation (EU) 2019/1240 Art. 3(4))") }
        } else if kind != nil {
            for name in ["reliability", "accuracy", "level"] where fields[name] != nil {
                fail(name, "only in smuggling, return and border reports")
            }
        }
        // Personal data (docs/REPORTS.md §2).
        if personalData != nil {
            if addressees.isEmpty {
                fail("addressees", "required with personal data: name who may receive it (identities, or authority:CODE); personal data never goes to subscribers")
            }
            if fields["erase_by"] == nil { fail("erase_by", "required with personal data: the date by which it is erased") }
        } else if fields["erase_by"] != nil {
            fail("erase_by", "only with personal data (personal_data names its category)")
        }
        for (path, field) in validator.personalFields {
            guard let allowed = field.personalData else { continue }
            if let personalData {
                if !allowed.contains(personalData) {
                    fail(path, "personal data here is allowed only under personal_data \(allowed.map(\.rawValue).sorted().joined(separator: " or ")), not \(personalData.rawValue)")
                }
            } else {
                fail(path, "personal data is not allowed in a report with personal_data \"none\"; set personal_data to its Art. 10(3) category (\(allowed.map(\.rawValue).sorted().joined(separator: " or "))), with addressees and erase_by")
            }
        }
        // Free text of a report without personal data: identifiers refuse it, likely names warn (§2.1).
        var warnings: [PersonalDataFinding] = []
        if screening, personalData == nil, let kind, kind.isContent {
            for finding in PersonalDataScreen.screen(document, kind: kind) {
                if finding.refused { issues.append(finding.issue) } else { warnings.append(finding) }
            }
        }
        // Classification markings, with or without personal data (docs/OPERATIONS.md).
        if screening, let kind { issues += ClassificationMarkings.issues(document, kind: kind) }
        // A consent's reason and an order's note are free text like any other: the screen refuses identifiers in them.
        let freeText = kind == .consent ? "reason" : kind == .erasure || kind == .event ? "note" : nil
        if screening, let freeText, let reason = body?[freeText]?.stringValue {
            if let marking = ClassificationMarkings.issue(reason, field: "body.\(freeText)") { issues.append(marking) }
            for finding in PersonalDataScreen.scan(reason, field: "body.\(freeText)") {
                if finding.refused { issues.append(finding.issue) } else { warnings.append(finding) }
            }
        }
        // Times.
        if let created {
            if created > now + Int64(defaults.clockSkew * 1000) { fail("created", "lies in the future (check the clock)") }
            if let eraseBy, eraseBy <= created { fail("erase_by", "must be after the day the report was created") }

            if let expires, expires <= created { fail("expires", "must be after created") }
            if let expires, let kind, let maximum = defaults.maximumLifetime[kind], Double(expires - created) > maximum * 1000 {
                fail(
                    "expires",
                    "is \(Int(Double(expires - created) / 86_400_000)) days after created; a \(kind.rawValue) report stays deliverable "
                        + "at most \(Int(maximum / 86400)) days (reports.max-lifetime.\(kind.rawValue)): give an earlier expires, or leave it out")
            }
        }
        if let followUp = text("follow_up_of"), followUp == text("id") { fail("follow_up_of", "a report cannot follow up itself") }
        let related = (fields["related"]?.arrayValue ?? []).compactMap(\.stringValue)
        if !related.isEmpty {
            if related.contains(text("id") ?? "") { fail("related", "a report is not related to itself") }
            if let kind, !kind.isContent { fail("related", "only smuggling, return and border reports link related reports") }
        }
        if let corrected = text("corrects") {
            if corrected == text("id") { fail("corrects", "a report cannot correct itself") }
            if let kind, !kind.isContent { fail("corrects", "only smuggling, return and border reports correct a report") }
        }
        let attachments = attachmentIssues(fields["attachments"], kind: kind, personalData: personalData, defaults: defaults, screening: screening, issues: &issues, warnings: &warnings)
        var signature: ReportSignature?
        if let value = fields["signature"], !issues.contains(where: { $0.field.hasPrefix("signature") }) {
            signature = ReportSignature.parse(value, issues: &issues)
        }
        let country = text("country") ?? ""
        if let kind, let body, let claimed = text("topic") {
            let derived = Topic.derive(kind: kind, country: country, body: body)
            if claimed != derived { fail("topic", "is derived by the node (here \(derived)); leave it out") }
        }
        guard issues.isEmpty, let kind, let body, let created, let id = text("id").flatMap(ReportID.init) else {
            throw ReportValidationError(issues.isEmpty ? [ValidationIssue(field: "", "invalid report")] : issues)
        }
        var report = Report(
            id: id, kind: kind, country: country, headline: text("headline") ?? "", origin: sender,
            onBehalfOf: (fields["on_behalf_of"]?.arrayValue ?? []).compactMap(\.stringValue),
            priority: text("priority").flatMap(Priority.init(rawValue:)) ?? .routine,
            handling: handling, addressees: addressees, conditions: text("conditions"),
            format: format, reliability: text("reliability").flatMap(SourceReliability.init(rawValue:)),
            accuracy: fields["accuracy"]?.integerValue.map(Int.init), level: text("level").flatMap(ReportLevel.init(rawValue:)),
            personalData: personalData,
            eraseByMilliseconds: eraseBy, createdMilliseconds: created,
            expiresMilliseconds: expires ?? created + Int64((defaults.lifetime[kind] ?? 30 * 86400) * 1000),
            followUpOf: text("follow_up_of").flatMap(ReportID.init), topic: Topic.derive(kind: kind, country: country, body: body),
            body: body)
        report.signature = signature
        report.corrects = text("corrects").flatMap(ReportID.init)
        report.related = related.compactMap(ReportID.init)
        report.attachments = attachments
        report.screenWarnings = warnings
        return report
    }
}

extension Report {
    /// The rules of `attachments` beyond the schema (docs/REPORTS.md §1.1): a
    /// content report's only; each hash well-formed and each file once; each file
    /// within the node's `limits.max-attachment-bytes` and all within 25 MiB; a
    /// file showing a person or an identity document only in a report with
    /// personal data; captions screened like the report's free text.
    static func attachmentIssues(
        _ value: JSONValue?, kind: ReportKind?, personalData: Purpose?, defaults: ReportDefaults, screening: Bool,
        issues: inout [ValidationIssue], warnings: inout [PersonalDataFinding]
    ) -> [Attachment] {
        guard case .array(let entries)? = value else { return [] }
        if let kind, !kind.isContent {
            issues.append(ValidationIssue(field: "attachments", "only smuggling, return and border reports carry attachments"))
            return []
        }
        var attachments: [Attachment] = []
        var seen: Set<String> = []
        for (index, entry) in entries.enumerated() {
            let path = "attachments[\(index)]"
            if let sha = entry["sha256"]?.stringValue, !Attachment.isDigest(sha) {
                issues.append(ValidationIssue(field: "\(path).sha256", "must be 64 lower-case hex digits (SHA-256 of the file)"))
            }
            guard !issues.contains(where: { $0.field.hasPrefix(path) }), let attachment = Attachment(entry) else { continue }
            if !seen.insert(attachment.sha256).inserted {
                issues.append(ValidationIssue(field: "\(path).sha256", "the same file is attached twice"))
            }
            // A node's own limit applies when a report comes in, not when a stored one is read again.
            if screening, attachment.bytes > defaults.maximumAttachmentBytes {
                issues.append(
                    ValidationIssue(
                        field: "\(path).bytes",
                        "the file has \(attachment.bytes) bytes; this node takes at most \(defaults.maximumAttachmentBytes) per file "
                            + "(limits.max-attachment-bytes): send a smaller scan or photo"))
            }
            if attachment.personalData && personalData == nil {
                issues.append(
                    ValidationIssue(
                        field: "\(path).personal_data",
                        "a file showing a person or an identity document is personal data: allowed only in a report whose personal_data names "
                            + "its Art. 10(3) category (with addressees and erase_by), not in a report with personal_data \"none\""))
            }
            if screening, let caption = attachment.caption, let marking = ClassificationMarkings.issue(caption, field: "\(path).caption") {
                issues.append(marking)
            }
            if screening, personalData == nil, let caption = attachment.caption {
                for finding in PersonalDataScreen.scan(caption, field: "\(path).caption") {
                    if finding.refused { issues.append(finding.issue) } else { warnings.append(finding) }
                }
            }
            attachments.append(attachment)
        }
        let total = attachments.reduce(0) { $0 + $1.bytes }
        if total > Attachment.maximumReportBytes {
            issues.append(
                ValidationIssue(
                    field: "attachments",
                    "the files have \(total) bytes in all; a report carries at most \(Attachment.maximumReportBytes) (25 MiB): send the rest with a follow-up report"))
        }
        return attachments
    }

    /// Whether `name` can be an addressee: an identity id (a certificate CN of
    /// letters, digits, `.`, `_`, `-`, `@`), or `authority:CODE` (letters,
    /// digits, `.`, `_`, `-`).
    public static func isAddressee(_ name: String) -> Bool {
        func word(_ text: Substring, extra: Set<UInt8>) -> Bool {
            !text.isEmpty && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || extra.contains($0) }
        }
        if name.hasPrefix("authority:") { return word(name.dropFirst("authority:".count), extra: [0x2E, 0x5F, 0x2D]) }
        return name.utf8.count <= 200 && word(Substring(name), extra: [0x2E, 0x5F, 0x2D, 0x40])
    }

    /// Why the first node does not take this report's `erase_by` (nil: it
    /// does): personal data kept longer after `created` than the ceiling for
    /// their category (`maximumRetention`; node settings
    /// `reports.personal.max-retention.CATEGORY`). Only the first node asks:
    /// a node further on keeps what its author's node accepted.
    public func retentionProblem(_ defaults: ReportDefaults) -> ValidationIssue? {
        guard let category = personalData, let eraseBy = eraseByMilliseconds, let ceiling = defaults.maximumRetention[category],
            Double(eraseBy - createdMilliseconds) > ceiling * 1000
        else { return nil }
        return ValidationIssue(
            field: "erase_by",
            "is \(Int(Double(eraseBy - createdMilliseconds) / 86_400_000)) days after created; personal data of category \(category.rawValue) are kept "
                + "at most \(Int(ceiling / 86400)) days here (reports.personal.max-retention.\(category.rawValue); Regulation (EU) 2019/1240 "
                + "Art. 10(2): erased when no longer necessary): give an earlier erase_by")
    }
}
