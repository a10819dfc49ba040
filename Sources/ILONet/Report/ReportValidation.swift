extension Report {
    /// Validates a document sent by `sender` and completes it: origin from the
    /// sender's certificate, defaults for absent optional fields, the derived topic.
    /// Collects every broken rule (docs/REPORTS.md §4) before failing.
    /// - Parameter screening: run the personal-data screen on a strategic
    ///   report's free text (§2.1); off only to re-read reports already stored.
    public static func validate(
        _ document: JSONValue, sender: Origin, defaults: ReportDefaults = ReportDefaults(),
        now: Int64 = Timestamp.nowMilliseconds(), screening: Bool = true
    ) throws(ReportValidationError) -> Report {
        guard case .object(var fields) = document.removingNullMembers() else {
            throw ReportValidationError(field: "", "a report must be a JSON object, not \(document.typeName)")
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
        let dataClass = text("data_class").flatMap(DataClass.init(rawValue:)) ?? .strategic
        let purpose = text("purpose").flatMap(Purpose.init(rawValue:))
        let addressees = (fields["addressees"]?.arrayValue ?? []).compactMap(\.stringValue)
        let created = text("created").flatMap(Timestamp.parse)
        let eraseBy = text("erase_by").flatMap(ReportDate.parse)
        let expires = text("expires").flatMap(Timestamp.parse)

        if let claimed = fields["origin"], claimed != sender.json {
            fail("origin", "does not match the sender's certificate; leave it out and the node fills it in")
        }
        // Handling codes (docs/REPORTS.md §3).
        if (handling == .h2 || handling == .h3) && addressees.isEmpty {
            fail("addressees", "required for handling \(handling.rawValue): name who may receive the report")
        }
        if handling == .h3 && fields["conditions"] == nil { fail("conditions", "required for handling H3: state the restrictions") }
        if handling != .h3 && fields["conditions"] != nil { fail("conditions", "only for handling H3") }
        // Personal data (docs/REPORTS.md §2).
        switch dataClass {
        case .case:
            if addressees.isEmpty {
                fail("addressees", "required for case data: name who may receive the personal data (identities, or authority:CODE); case reports never go to subscribers")
            }
            if fields["purpose"] == nil { fail("purpose", "required for case data: one of \(Purpose.allCases.map(\.rawValue).joined(separator: ", ")) (Art. 10(3))") }
            if fields["erase_by"] == nil { fail("erase_by", "required for case data: the date by which the personal data is erased") }
        case .strategic:
            if fields["purpose"] != nil { fail("purpose", "only for case data") }
            if fields["erase_by"] != nil { fail("erase_by", "only for case data") }
        }
        for (path, field) in validator.personalFields {
            guard let allowed = field.personalData else { continue }
            if dataClass == .strategic {
                fail(path, "personal data is not allowed in a strategic report; send it as data_class \"case\" with a purpose (Art. 10(3))")
            } else if let purpose, !allowed.contains(purpose) {
                fail(path, "personal data here is allowed only for purpose \(allowed.map(\.rawValue).sorted().joined(separator: " or ")), not \(purpose.rawValue)")
            }
        }
        // Free text of a strategic report: identifiers refuse it, likely names warn (§2.1).
        var warnings: [PersonalDataFinding] = []
        if screening, dataClass == .strategic, let kind, !kind.isSystem {
            for finding in PersonalDataScreen.screen(document, kind: kind) {
                if finding.refused { issues.append(finding.issue) } else { warnings.append(finding) }
            }
        }
        // Times.
        if let created {
            if created > now + Int64(defaults.clockSkew * 1000) { fail("created", "lies in the future (check the clock)") }
            if let eraseBy, eraseBy <= created { fail("erase_by", "must be after the day the report was created") }
            if let expires, expires <= created { fail("expires", "must be after created") }
        }
        if let followUp = text("follow_up_of"), followUp == text("id") { fail("follow_up_of", "a report cannot follow up itself") }
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
            reliability: text("reliability").flatMap(SourceReliability.init(rawValue:)) ?? .x,
            accuracy: Int(fields["accuracy"]?.integerValue ?? 4), dataClass: dataClass, purpose: purpose,
            eraseByMilliseconds: eraseBy, createdMilliseconds: created,
            expiresMilliseconds: expires ?? created + Int64((defaults.lifetime[kind] ?? 30 * 86400) * 1000),
            followUpOf: text("follow_up_of").flatMap(ReportID.init), topic: Topic.derive(kind: kind, country: country, body: body),
            body: body)
        report.signature = signature
        report.screenWarnings = warnings
        return report
    }
}
