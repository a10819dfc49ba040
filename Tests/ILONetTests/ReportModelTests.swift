import Foundation
import Testing
@testable import ILONet
@testable import ILOClient

let officerDE = Origin(officer: "officer.de.mueller", authority: "DE-BPOL", state: "DE")
/// A fixed "now" a little after the examples in docs/REPORTS.md were written.
let exampleNow = Timestamp.parse("2026-11-22T10:00:00Z")!

/// The examples in docs/REPORTS.md, by name (`<!-- example: NAME -->` before a json block).
let documentedExamples: [String: JSONValue] = {
    let text = try! String(contentsOf: TestEnvironment.repository.appendingPathComponent("docs/REPORTS.md"), encoding: .utf8)
    var examples: [String: JSONValue] = [:]
    let marker = "<!-- example: "
    var rest = Substring(text)
    while let start = rest.range(of: marker) {
        let name = rest[start.upperBound...].prefix { $0 != " " }
        let afterFence = rest[start.upperBound...].range(of: "```json\n")!
        let end = rest[afterFence.upperBound...].range(of: "```")!
        examples[String(name)] = try! JSONValue(parsing: String(rest[afterFence.upperBound..<end.lowerBound]))
        rest = rest[end.upperBound...]
    }
    return examples
}()

@Suite struct ReportDocumentationTests {
    @Test func everyKindHasADocumentedExampleThatValidates() throws {
        #expect(Set(documentedExamples.keys).isSuperset(of: ReportKind.authored.map(\.rawValue)))
        for (name, example) in documentedExamples {
            do {
                let report = try Report.validate(example, sender: officerDE, now: exampleNow)
                #expect(report.id.description == example["id"]?.stringValue, "\(name)")
            } catch {
                Issue.record("example \(name) does not validate: \(error)")
            }
        }
    }

    @Test func everySchemaFieldIsDocumented() throws {
        let text = try String(contentsOf: TestEnvironment.repository.appendingPathComponent("docs/REPORTS.md"), encoding: .utf8)
        func names(_ schema: ObjectSchema) -> [String] {
            schema.fields.flatMap { field -> [String] in
                var all = [field.name]
                if case .object(let inner) = field.type { all += names(inner) }
                if case .list(.object(let inner), _, _, _) = field.type { all += names(inner) }
                return all
            }
        }
        var all = names(EnvelopeSchema.schema) + names(BodySchemas.person)
        for kind in ReportKind.allCases { all += names(BodySchemas.schema(for: kind)) }
        for name in Set(all) { #expect(text.contains("`\(name)`"), "docs/REPORTS.md does not name `\(name)`") }
        for purpose in Purpose.allCases { #expect(text.contains("`\(purpose.rawValue)`")) }
    }

    @Test(arguments: ReportKind.authored)
    func templatesParseAndNameEveryField(_ kind: ReportKind) throws {
        for personalData in [nil] + Purpose.allCases {
            let text = ReportTemplate.render(kind: kind, personalData: personalData)
            let value = try JSONValue(parsing: Array(text.utf8), allowingComments: true)
            #expect(value["kind"]?.stringValue == kind.rawValue)
            for field in BodySchemas.schema(for: kind).fields where field.personalData == nil || personalData.map(field.personalData!.contains) == true {
                #expect(text.contains("\"\(field.name)\""), "template lacks \(field.name)")
            }
            // Unfilled, it must not validate: required fields start empty.
            #expect(throws: ReportValidationError.self) {
                try Report.validate(ReportDraft.assemble(file: value, flags: [:]), sender: officerDE)
            }
        }
    }
}

@Suite struct ReportValidationRuleTests {
    /// Validates `document` and returns the issues (none when valid).
    func issues(_ document: JSONValue, sender: Origin = officerDE) -> [ValidationIssue] {
        do {
            _ = try Report.validate(document, sender: sender, now: Timestamp.nowMilliseconds())
            return []
        } catch {
            return error.issues
        }
    }

    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let kind: String
        let changes: [String: JSONValue]
        let field: String
        let message: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "country not a code", kind: "smuggling", changes: ["country": "LIBYA"], field: "country", message: "\"LIBYA\" is not an ISO 3166-1 alpha-2 code"),
        Case(name: "country not assigned", kind: "smuggling", changes: ["country": "QQ"], field: "country", message: "is not an ISO 3166-1 alpha-2 code"),
        Case(name: "transit entry", kind: "smuggling", changes: ["body.route": ["origin": ["NE"], "transit": ["NE", "TD", "LIBYA"], "destination": ["IT"]]],
             field: "body.route.transit[2]", message: "\"LIBYA\" is not an ISO 3166-1 alpha-2 code"),
        Case(name: "currency", kind: "smuggling", changes: ["body.price_per_person": ["amount": 2500, "currency": "EURO"]],
             field: "body.price_per_person.currency", message: "is not an ISO 4217 currency code"),
        Case(name: "unknown body field", kind: "smuggling", changes: ["body.headcount": 3], field: "body.headcount", message: "unknown field"),
        Case(name: "unknown envelope field", kind: "border", changes: ["prority": "flash"], field: "prority", message: "unknown field; did you mean \"priority\"?"),
        Case(name: "empty required list", kind: "smuggling", changes: ["body.means_of_transport": []], field: "body.means_of_transport", message: "must not be empty"),
        Case(name: "value outside a choice", kind: "smuggling", changes: ["body.means_of_transport": ["horse"]], field: "body.means_of_transport[0]", message: "is not one of"),
        Case(name: "negative count", kind: "smuggling", changes: ["body.estimated_persons": -1], field: "body.estimated_persons", message: "is outside 0–10000000"),
        Case(name: "fractional count", kind: "border", changes: ["body.persons": 1.5], field: "body.persons", message: "expected a whole number"),
        Case(name: "period reversed", kind: "smuggling", changes: ["body.period_observed": ["from": "2026-11-10", "to": "2026-11-01"]],
             field: "body.period_observed.to", message: "is before from"),
        Case(name: "missing headline", kind: "return", changes: ["headline": .null], field: "headline", message: "required field is missing"),
        Case(name: "H2 without addressees", kind: "smuggling", changes: ["handling": "H2"], field: "addressees", message: "required for handling H2"),
        Case(name: "H3 without conditions", kind: "smuggling", changes: ["handling": "H3", "addressees": ["officer.it.rossi"]],
             field: "conditions", message: "required for handling H3"),
        Case(name: "conditions without H3", kind: "smuggling", changes: ["conditions": "Only for the escort team."], field: "conditions", message: "only for handling H3"),
        Case(name: "erase-by without personal data", kind: "return", changes: ["erase_by": "2027-01-01"], field: "erase_by", message: "only with personal data"),
        Case(name: "personal data without erase-by", kind: "return", changes: ["personal_data": "return-identification", "addressees": ["authority:DE-BPOL"]],
             field: "erase_by", message: "required with personal data"),
        Case(name: "personal data without addressees", kind: "return", changes: ["personal_data": "return-identification", "erase_by": "2027-01-01"],
             field: "addressees", message: "required with personal data"),
        Case(name: "unknown personal-data category", kind: "return", changes: ["personal_data": "legal-migration"], field: "personal_data",
             message: "is not one of: none, return-identification, return-passenger-list, smuggling-trafficking; legal migration (Art. 10(3)(c))"),
        Case(name: "personal data in a report without", kind: "return", changes: ["body.passenger_list": [["name": "A Person", "nationality": "NG"]]],
             field: "body.passenger_list", message: "personal data is not allowed in a report with personal_data \"none\"; set personal_data to its Art. 10(3) category (return-passenger-list)"),
        Case(name: "facilitators without personal data", kind: "smuggling", changes: ["body.facilitators": [["name": "A Person"]]],
             field: "body.facilitators", message: "personal data is not allowed in a report with personal_data \"none\""),
        Case(name: "no source evaluation", kind: "smuggling", changes: ["reliability": .null], field: "reliability",
             message: "required: evaluate the source, A, B, C or X"),
        Case(name: "no information evaluation", kind: "border", changes: ["accuracy": .null], field: "accuracy",
             message: "required: evaluate the information, 1, 2, 3 or 4"),
        Case(name: "no level", kind: "return", changes: ["level": .null], field: "level", message: "required: operational, strategic or both"),
        Case(name: "unknown reliability", kind: "return", changes: ["reliability": "D"], field: "reliability", message: "is not one of: A, B, C, X"),
        Case(name: "accuracy as text", kind: "return", changes: ["accuracy": "2"], field: "accuracy", message: "expected an integer (1, 2, 3, 4)"),
        Case(name: "accuracy out of range", kind: "return", changes: ["accuracy": 5], field: "accuracy", message: "5 is not one of: 1, 2, 3, 4"),
        Case(name: "level given as strategic data class", kind: "return", changes: ["level": "case"], field: "level", message: "is not one of: operational, strategic, both"),
        Case(name: "critical impact", kind: "border", changes: ["body.impact": "critical"], field: "body.impact",
             message: "is not one of: low, medium, high, very-high; impact is the originator's assessment of the event (2021/581 Art. 17) on the scale low, medium, high, very-high"),
        Case(name: "old impact_level field", kind: "border", changes: ["body.impact_level": "high"], field: "body.impact_level", message: "unknown field"),
        Case(name: "EU as a country", kind: "smuggling", changes: ["country": "EU"], field: "country", message: "for a report about several countries write \"several\""),
        Case(name: "non-participating state on behalf", kind: "smuggling", changes: ["on_behalf_of": ["US"]], field: "on_behalf_of[0]",
             message: "is not a participating state"),
        Case(name: "nationality twice", kind: "border", changes: ["body.nationalities": [["country": "SD"], ["country": "SD", "persons": 3]]],
             field: "body.nationalities[1].country", message: "SD is listed twice"),
        Case(name: "unknown format", kind: "border", changes: ["format": 3], field: "format", message: "format 3 is not known to this node, which reads format 2"),
        Case(name: "personal data for the wrong purpose", kind: "return",
             changes: ["personal_data": "smuggling-trafficking", "erase_by": "2027-01-01", "body.passenger_list": [["name": "A Person"]]],
             field: "body.passenger_list", message: "allowed only under personal_data return-passenger-list, not smuggling-trafficking"),
        Case(name: "person without name or document", kind: "return",
             changes: ["personal_data": "return-passenger-list", "erase_by": "2027-01-01", "body.passenger_list": [["nationality": "NG"]]],
             field: "body.passenger_list[0]", message: "a person needs at least a name or a document number"),
        Case(name: "erase-by before created", kind: "return",
             changes: ["personal_data": "return-identification", "erase_by": "2020-01-01"], field: "erase_by", message: "must be after the day"),
        Case(name: "expires before created", kind: "border", changes: ["expires": "2020-01-01T00:00:00Z"], field: "expires", message: "must be after created"),
        Case(name: "created in the future", kind: "border", changes: ["created": "2099-01-01T00:00:00Z"], field: "created", message: "lies in the future"),
        Case(name: "not a time", kind: "border", changes: ["body.time": "yesterday"], field: "body.time", message: "is not a UTC time"),
        Case(name: "follow-up of itself", kind: "border", changes: ["id": "01a20260-5f40-7fb3-aa78-0413279276bf", "follow_up_of": "01a20260-5f40-7fb3-aa78-0413279276bf"],
             field: "follow_up_of", message: "a report cannot follow up itself"),
        Case(name: "claimed topic", kind: "border", changes: ["topic": "border/LY/other"], field: "topic", message: "is derived by the node (here border/LY/large-group)"),
        Case(name: "forged origin", kind: "smuggling", changes: ["origin": ["officer": "officer.it.rossi", "authority": "IT-PS", "state": "IT"]],
             field: "origin", message: "does not match the sender's certificate"),
        Case(name: "repeated member state", kind: "smuggling", changes: ["on_behalf_of": ["AT", "AT"]], field: "on_behalf_of[1]", message: "repeats an earlier entry"),
        Case(name: "location empty", kind: "border", changes: ["body.location": .object([:])], field: "body.location", message: "give crossing_point, coordinates or both"),
        Case(name: "latitude out of range", kind: "border", changes: ["body.location": ["coordinates": ["latitude": 95, "longitude": 11]]],
             field: "body.location.coordinates.latitude", message: "is outside -90–90"),
        Case(name: "body not an object", kind: "border", changes: [:], field: "body", message: "expected an object"),
    ]

    @Test(arguments: cases)
    func ruleRejectsWithFieldPath(_ rule: Case) {
        var document = sampleReport(rule.changes, kind: rule.kind)
        if rule.name == "body not an object", case .object(var fields) = document {
            fields["body"] = "a string"
            document = .object(fields)
        }
        let found = issues(document)
        #expect(
            found.contains { $0.field == rule.field && $0.message.contains(rule.message) },
            "expected \(rule.field): …\(rule.message)…, got \(found)")
    }

    @Test(arguments: ["smuggling", "return", "border"])
    func sampleReportsOfEveryKindAreValid(_ kind: String) {
        #expect(issues(sampleReport(kind: kind)).isEmpty)
    }

    /// Issue 31: ILONet carries sensitive non-classified information only
    /// (docs/OPERATIONS.md); a classification marking in free text refuses the
    /// report, with or without personal data; ordinary words do not.
    @Test func classificationMarkingsInFreeTextAreRefused() {
        for (marking, field, changes) in [
            ("RESTREINT UE", "headline", ["headline": JSONValue.string("RESTREINT UE/EU RESTRICTED: boats at Zuwara")]),
            ("VS-NfD", "body.modus_operandi", ["body.modus_operandi": "Nach Bericht (VS-NfD) starten die Boote nachts."]),
            ("DIFFUSION RESTREINTE", "body.modus_operandi", ["body.modus_operandi": "Note diffusion restreinte du poste: départs de nuit."]),
            ("NATO SECRET", "body.modus_operandi", ["body.modus_operandi": "As the NATO SECRET annex says, departures at night."]),
        ] {
            let found = issues(sampleReport(changes))
            #expect(found.contains { $0.field == field && $0.message.contains("classification marking") && $0.message.contains("non-classified") }, "\(marking): \(found)")
        }
        // With personal data too (the personal-data screen does not run there; this check does).
        let eraseBy = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 30 * 86_400_000).prefix(10))
        let personal = sampleReport(
            ["personal_data": "return-identification", "addressees": ["authority:DE-BPOL"], "erase_by": .string(eraseBy), "headline": "EU CONFIDENTIAL return case"],
            kind: "return")
        #expect(issues(personal).contains { $0.field == "headline" && $0.message.contains("EU CONFIDENTIAL") })
        // Words that are not markings.
        for text in ["An EU secret service liaison was told.", "Restricted area at the border; diffusion of the news was slow.", "Secret UE meeting is no marking in lower case"] {
            #expect(ClassificationMarkings.find(in: text) == nil, "\(text)")
        }
        #expect(issues(sampleReport(["body.modus_operandi": "Departures restricted to the night; the EU border mission saw two boats."])).isEmpty)
    }

    /// Issue 32: the markings are found in one pass over the bytes; the same
    /// answers as a search of each marking, at word boundaries in any script.
    @Test func classificationMarkingsAreFoundAtWordBoundariesInAnyScript() throws {
        let cases: [(String, String?)] = [
            ("RESTREINT UE", "RESTREINT UE"),
            ("xRESTREINT UE", nil), ("RESTREINT UEx", nil), ("RESTREINT UE2", nil), ("2RESTREINT UE", nil),
            ("ÉRESTREINT UE", nil), ("RESTREINT UEé", nil), ("«RESTREINT UE»", "RESTREINT UE"), ("(RESTREINT UE)", "RESTREINT UE"),
            ("Bericht, Nur für den Dienstgebrauch.", "NUR FÜR DEN DIENSTGEBRAUCH"), ("NUR FÜR DEN DIENSTGEBRAUCH", "NUR FÜR DEN DIENSTGEBRAUCH"),
            ("nur fur den dienstgebrauch", nil), ("vs-nfd", "VS-NFD"), ("Vs-NfD", "VS-NFD"), ("VS-NfD", "VS-NfD"),
            ("Note TRÈS SECRET UE", "TRÈS SECRET UE"), ("Note TRE\u{300}S SECRET UE", "TRÈS SECRET UE"),
            ("SECRET UE\u{301}", nil), ("CONFIDENTIEL DÉFENSE", "CONFIDENTIEL DÉFENSE"), ("DIFUSIÓN LIMITADA", "DIFUSIÓN LIMITADA"),
            ("مرحبا EU SECRET", "EU SECRET"), ("بEU SECRET", nil), ("EU SECRET and RESTREINT UE", "RESTREINT UE"),
            ("", nil), ("R", nil), ("RESTREINT U", nil), ("EU RESTRICTED-", "EU RESTRICTED"),
        ]
        for (text, expected) in cases {
            #expect(ClassificationMarkings.find(in: text) == expected, "\(text)")
        }
        // docs/OPERATIONS.md lists every marking, in the order the node tries them.
        let page = try String(contentsOfFile: TestEnvironment.repository.path + "/docs/OPERATIONS.md", encoding: .utf8)
            .replacingOccurrences(of: "\n", with: " ")
        var from = page.startIndex
        for marking in (ClassificationMarkings.exact + ClassificationMarkings.anyCase).map({ "`\($0)`" }) {
            guard let found = page.range(of: marking, range: from..<page.endIndex) else {
                Issue.record("docs/OPERATIONS.md does not list \(marking) in order")
                continue
            }
            from = found.upperBound
        }
    }

    @Test func personalDataValuesAreNeverQuotedInErrors() {
        let document = sampleReport(
            ["personal_data": "return-passenger-list", "erase_by": "2027-01-01",
             "body.passenger_list": [["name": "Secret Name", "nationality": "QQ", "date_of_birth": "31-12-1990"]]], kind: "return")
        let found = issues(document)
        #expect(found.map(\.field).contains("body.passenger_list[0].nationality"))
        #expect(found.map(\.field).contains("body.passenger_list[0].date_of_birth"))
        for issue in found {
            #expect(!issue.message.contains("QQ") && !issue.message.contains("1990") && !issue.message.contains("Secret"), "\(issue)")
        }
    }

    @Test func everyBrokenRuleIsReportedNotJustTheFirst() {
        let found = issues(sampleReport(["country": "LIBYA", "accuracy": 9, "body.means_of_transport": []]))
        #expect(Set(found.map(\.field)) == ["country", "accuracy", "body.means_of_transport"])
    }

    @Test func theNodeFillsEveryDefaultAndTheTopic() throws {
        let created = Timestamp.parse("2026-11-22T09:00:00Z")!
        let report = try Report.validate(sampleReport(["priority": .null, "created": "2026-11-22T09:00:00Z"]), sender: officerDE, now: exampleNow)
        let document = report.document
        #expect(document["priority"] == "routine")
        #expect(document["handling"] == "H1")
        #expect(document["reliability"] == "B")
        #expect(document["accuracy"] == 2)
        #expect(document["level"] == "strategic")
        #expect(document["personal_data"] == "none")
        #expect(document["format"] == 2)
        #expect(document["on_behalf_of"] == [])
        #expect(document["addressees"] == [])
        #expect(document["topic"] == "smuggling/LY/mixed")
        #expect(document["origin"]?["officer"] == "officer.de.mueller")
        #expect(document["expires"]?.stringValue == Timestamp.format(milliseconds: created + 90 * 86_400_000))
        #expect(document["erase_by"] == nil && document["conditions"] == nil)
        // Completing a completed report changes nothing: the node is idempotent.
        let again = try Report.validate(document, sender: officerDE, now: exampleNow)
        #expect(again.canonicalEncoding == report.canonicalEncoding)
    }

    @Test func nullMeansNotGivenAndIsLeftOut() throws {
        let report = try Report.validate(sampleReport(["body.estimated_persons": .null, "follow_up_of": .null]), sender: officerDE)
        #expect(report.document["body"]?["estimated_persons"] == nil)
        #expect(!report.document.encodedString().contains("null"))
    }

    @Test(arguments: [
        (["boat"], "smuggling/LY/sea"), (["air"], "smuggling/LY/air"), (["car", "truck"], "smuggling/LY/land"),
        (["truck", "ship"], "smuggling/LY/mixed"), (["other"], "smuggling/LY/other"),
    ])
    func smugglingTopicFollowsTheMeansOfTransport(_ means: [String], _ topic: String) throws {
        let report = try Report.validate(sampleReport(["body.means_of_transport": .array(means.map { .string($0) })]), sender: officerDE)
        #expect(report.topic == topic)
    }

    @Test func canonicalEncodingIsStable() throws {
        for (_, example) in documentedExamples {
            let report = try Report.validate(example, sender: officerDE, now: exampleNow)
            let bytes = report.canonicalEncoding
            let reparsed = try JSONValue(parsing: bytes)
            #expect(reparsed.encoded() == bytes)
            #expect(try Report.validate(reparsed, sender: officerDE, now: exampleNow).canonicalEncoding == bytes)
        }
    }

    /// The canonical bytes are written from the report's fields (issue 32):
    /// they are exactly the tree's canonical encoding, for every documented
    /// example and with every optional member the node sets itself.
    @Test func canonicalBytesAreTheDocumentsEncoding() throws {
        for (name, example) in documentedExamples.sorted(by: { $0.key < $1.key }) {
            var report = try Report.validate(example, sender: officerDE, now: exampleNow)
            var variants = [report]
            if report.kind.isContent {
                report.corrects = ReportID.generate()
                report.related = [ReportID.generate(), ReportID.generate()]
                report.attachments = [
                    Attachment(sha256: String(repeating: "ab", count: 32), mediaType: .jpeg, bytes: 1_234, caption: "Quai \"nord\"\n", personalData: false),
                    Attachment(sha256: String(repeating: "01", count: 32), mediaType: .pdf, bytes: 99, caption: nil, personalData: true),
                ]
                variants.append(report)
            }
            report.signature = ReportSignature(algorithm: "sha256", certificate: [0x30, 0x82, 0xFF], value: Array(0..<72))
            variants.append(report)
            for variant in variants {
                #expect(String(decoding: variant.canonicalEncoding, as: UTF8.self) == variant.document.encodedString(), "\(name)")
                #expect(String(decoding: variant.signedContent, as: UTF8.self) == variant.unsignedDocument.encodedString(), "\(name)")
            }
        }
    }

    @Test func kosovoIsAcceptedAsTheEUWritesIt() {
        #expect(issues(sampleReport(["country": "XK"])).isEmpty)
        #expect(ISOCodes.countryName("LY") == "Libya")
        #expect(ISOCodes.isCurrency("EUR") && !ISOCodes.isCurrency("EURO"))
    }

    @Test func isoTablesMatchTheSystemListWhenPresent() throws {
        let path = "/usr/share/iso-codes/json/iso_3166-1.json"
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let codes = try JSONValue(parsing: [UInt8](data))["3166-1"]?.arrayValue?.compactMap { $0["alpha_2"]?.stringValue } ?? []
        #expect(Set(codes) == Set(ISOCodes.countryNames.keys))
    }
}

@Suite struct ReportDraftTests {
    @Test func aFileWithoutBodyIsTheBodyAndFlagsFillTheEnvelope() throws {
        let body: JSONValue = ["returnees": 3]
        let draft = try ReportDraft.assemble(file: body, flags: ["kind": "return", "addressees": "a, b", "accuracy": "2"], now: exampleNow)
        #expect(draft["body"] == body)
        #expect(draft["kind"] == "return")
        #expect(draft["addressees"] == ["a", "b"])
        #expect(draft["accuracy"] == 2)
        #expect(ReportID(draft["id"]?.stringValue ?? "") != nil)
        #expect(draft["created"]?.stringValue == Timestamp.format(milliseconds: exampleNow))
    }

    @Test func flagsWinOverTheFile() throws {
        let file = sampleReport(kind: "border")
        let draft = try ReportDraft.assemble(file: file, flags: ["priority": "flash"])
        #expect(draft["priority"] == "flash")
        #expect(draft["id"] == file["id"])
    }
}
