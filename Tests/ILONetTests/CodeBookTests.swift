import Foundation
import Testing
@testable import ILONet
@testable import ILOClient

/// The report model in the words European law enforcement uses (issue 15):
/// every coded value documented with its meaning and source, validated,
/// templated and labelled from one list.
@Suite struct CodeBookTests {
    static let reportsDoc = try! String(contentsOf: TestEnvironment.repository.appendingPathComponent("docs/REPORTS.md"), encoding: .utf8)

    /// Every `.code` field of every schema, with its path (`body.impact`).
    static func codedFields(_ schema: ObjectSchema, path: String) -> [(String, Code)] {
        schema.fields.flatMap { field -> [(String, Code)] in
            let here = path.isEmpty ? field.name : "\(path).\(field.name)"
            var type = field.type
            if case .list(let element, _, _, _) = type { type = element }
            switch type {
            case .code(let code): return [(here, code)]
            case .object(let inner): return codedFields(inner, path: here)
            default: return []
            }
        }
    }

    static var allCodedFields: [(String, Code)] {
        var all = codedFields(EnvelopeSchema.schema, path: "")
        for kind in ReportKind.authored { all += codedFields(BodySchemas.schema(for: kind), path: "body") }
        return all
    }

    @Test func everyCodedFieldIsInTheCodeBookUnderItsPath() {
        for (path, code) in Self.allCodedFields {
            #expect(CodeBook.code(for: path)?.field == code.field, "\(path) uses a code the CodeBook files under \(code.field)")
        }
        // And every code in the book is used by some field.
        let used = Set(Self.allCodedFields.map(\.1.field))
        for code in CodeBook.all { #expect(used.contains(code.field), "\(code.field) is used nowhere") }
    }

    @Test(arguments: CodeBook.all.map(\.field))
    func everyValueIsDocumentedWithItsMeaningAndSource(_ field: String) throws {
        let code = try #require(CodeBook.code(for: field))
        #expect(!code.source.isEmpty)
        for value in code.values {
            #expect(Self.reportsDoc.contains("| `\(value.value)` | \(value.label) |"), "docs/REPORTS.md lacks the row for \(field) \(value.value): \(value.label)")
        }
        #expect(Self.reportsDoc.contains(code.source), "docs/REPORTS.md does not cite \(code.source) for \(field)")
    }

    /// A report carrying `value` in `path`, otherwise the sample of `kind`.
    static func report(with value: String, at path: String, code: Code) -> (JSONValue, ReportKind) {
        let json: JSONValue = code.numeric ? .integer(Int64(value)!) : .string(value)
        switch path {
        case "body.means_of_transport": return (sampleReport(["body.means_of_transport": [json]]), .smuggling)
        case "body.document_fraud.types": return (sampleReport(["body.document_fraud": ["observed": true, "types": [json]]]), .smuggling)
        case "body.travel_document_status": return (sampleReport(["body.travel_document_status": json], kind: "return"), .return)
        case "body.readmission_cooperation.assessment":
            return (sampleReport(["body.readmission_cooperation": ["assessment": json]], kind: "return"), .return)
        case "body.situation_type", "body.impact": return (sampleReport([path: json], kind: "border"), .border)
        case "body.person.document_type":
            let later = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 86_400_000 * 30).prefix(10))
            return (sampleReport(
                ["personal_data": "return-passenger-list", "erase_by": .string(later), "addressees": ["authority:DE-BPOL"],
                 "body.passenger_list": [["name": "Example Person", "document_type": json]]], kind: "return"), .return)
        case "personal_data":
            guard value != "none" else { return (sampleReport([:]), .smuggling) }
            let later = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 86_400_000 * 30).prefix(10))
            return (sampleReport(["personal_data": json, "erase_by": .string(later), "addressees": ["authority:DE-BPOL"]], kind: "return"), .return)
        case "handling":
            var changes: [String: JSONValue] = ["handling": json]
            if value == "H2" || value == "H3" { changes["addressees"] = ["board.fr.martin"] }
            if value == "H3" { changes["conditions"] = "Not beyond the addressees." }
            return (sampleReport(changes), .smuggling)
        default: return (sampleReport([path: json]), .smuggling)
        }
    }

    /// What `ilo show` prints for a report is `ReportRendering.text`: each coded
    /// value comes with its meaning.
    @Test(arguments: CodeBook.all.map(\.field))
    func everyValueValidatesAndIsLabelledByShow(_ field: String) throws {
        let code = try #require(CodeBook.code(for: field))
        for value in code.values {
            let (document, _) = Self.report(with: value.value, at: field, code: code)
            let report: Report
            do throws(ReportValidationError) {
                report = try Report.validate(document, sender: officerDE)
            } catch {
                Issue.record("\(field) \(value.value) does not validate: \(error)")
                continue
            }
            let shown = ReportRendering.text(report.document, followUps: [])
            #expect(shown.contains(value.label), "ilo show does not label \(field) \(value.value) with \"\(value.label)\":\n\(shown)")
        }
    }

    @Test(arguments: ReportKind.authored)
    func templatesExplainEveryCodeTheyAskFor(_ kind: ReportKind) {
        let text = ReportTemplate.render(kind: kind)
        for code in [CodeBook.reliability, CodeBook.accuracy, CodeBook.level, CodeBook.handling] {
            for value in code.values { #expect(text.contains("\(value.value): \(value.label)"), "template lacks \(code.field) \(value.value)") }
            #expect(text.contains(code.source))
        }
    }

    @Test func theEvaluationMeansWhatEuropolsCodesMean() {
        #expect(CodeBook.reliability.label("C") == "a source that has proved unreliable in most instances")
        #expect(CodeBook.accuracy.label("2") == "information known personally to the source but not known personally to the official passing it on")
        #expect(CodeBook.handling.label("H1") == "not to be disclosed in judicial proceedings without the permission of the provider")
        #expect(CodeBook.impact.words == ["low", "medium", "high", "very-high"])
    }

    @Test func countryNamesAreTheStyleGuidesWithTheirFootnotes() throws {
        #expect(ISOCodes.countryName("XK") == "Kosovo*" && ISOCodes.countryName("PS") == "Palestine*")
        #expect(ISOCodes.countryName("RU") == "Russia")
        let report = try Report.validate(sampleReport(["country": "XK"], kind: "border"), sender: officerDE)
        let shown = ReportRendering.text(report.document, followUps: [])
        #expect(shown.contains("about XK (Kosovo*)") && shown.contains("UNSCR 1244/1999"), "\(shown)")
        let several = try Report.validate(sampleReport(["country": "several"]), sender: officerDE)
        #expect(several.topic == "smuggling/several/mixed")
    }

    @Test func aSchengenAssociatedStateIsAParticipatingState() throws {
        for state in ["NO", "IS", "CH", "LI", "DE"] {
            #expect(throws: Never.self) { try Report.validate(sampleReport(["on_behalf_of": [.string(state)]]), sender: officerDE) }
            #expect(ISOCodes.deployingStateProblem(state) == nil)
        }
        #expect(ISOCodes.deployingStateProblem("EU") == nil)
        #expect(ISOCodes.deployingStateProblem("US")?.contains("is not a participating state") == true)
        #expect(throws: ReportValidationError.self) { try Report.validate(sampleReport(["on_behalf_of": ["EU"]]), sender: officerDE) }
    }

    @Test func theFormatIsSignedAndAnUnknownOneIsRefused() throws {
        let report = try Report.validate(sampleReport(), sender: officerDE)
        #expect(report.document["format"] == 2)
        #expect(String(decoding: report.signedContent, as: UTF8.self).contains("\"format\":2"))
        do throws(ReportValidationError) {
            _ = try Report.validate(sampleReport(["format": 3]), sender: officerDE)
            Issue.record("format 3 was accepted")
        } catch {
            #expect(error.code == .unsupportedFormat && error.field == "format")
        }
    }
}
