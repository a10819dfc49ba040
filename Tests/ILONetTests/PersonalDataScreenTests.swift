import Foundation
import Testing
@testable import ILONet

/// The personal-data screen for free text in strategic reports (docs/REPORTS.md §2.1).
@Suite struct PersonalDataScreenTests {
    static let sender = Origin(officer: "officer.de.mueller", authority: "DE-BPOL", state: "DE")

    /// A strategic report with `text` in `field` (a path of the corpus).
    static func report(_ text: String, in field: String) -> JSONValue {
        let value = JSONValue.string(text)
        switch field {
        case "headline": return sampleReport(["headline": value])
        case "conditions":
            return sampleReport(["handling": "H3", "addressees": ["officer.it.rossi"], "conditions": value])
        case "body.modus_operandi", "body.facilitator_network", "body.gender_dimension":
            return sampleReport([String(field): value])
        case "body.document_fraud.description": return sampleReport(["body.document_fraud": ["observed": true, "description": value]])
        case "body.vulnerable_persons.notes": return sampleReport(["body.vulnerable_persons": ["notes": value]])
        case "body.obstacles[0]": return sampleReport(["body.obstacles": [value]], kind: "return")
        case "body.identification_missions[0].authority":
            return sampleReport(["body.identification_missions": [["date": "2026-11-02", "authority": value]]], kind: "return")
        case "body.location.crossing_point": return sampleReport(["body.location": ["crossing_point": value]], kind: "border")
        case "body.authorities_response": return sampleReport(["body.authorities_response": value], kind: "border")
        default: preconditionFailure("no such corpus field \(field)")
        }
    }

    enum Verdict { case refused, warned, passed }

    /// What the node's validation makes of `text` in `field`.
    static func verdict(_ text: String, in field: String) throws -> Verdict {
        do throws(ReportValidationError) {
            let report = try Report.validate(report(text, in: field), sender: sender)
            return report.screenWarnings.contains { $0.field == field } ? .warned : .passed
        } catch {
            // Only the screen's refusal counts; anything else is a broken corpus line.
            guard error.issues.allSatisfy({ $0.field == field && $0.message.contains("which a report with personal_data \"none\" must not carry") }) else {
                throw error
            }
            return .refused
        }
    }

    struct Line: Decodable {
        let label: String
        let category: String
        let field: String
        let text: String
    }

    static let corpusPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus/personal-data-screen.jsonl").path

    /// Runs the labelled corpus and checks the figures docs/REPORTS.md §2.1 publishes.
    /// `swift test --filter PersonalDataScreenTests` prints them.
    /// The screen's ASCII shortcuts give the Unicode properties' answers, for
    /// every ASCII scalar and a sample of others.
    @Test func asciiShortcutsAgreeWithUnicodeProperties() {
        let others: [Unicode.Scalar] = ["é", "Ä", "ß", "ع", "Ж", "ж", "ǅ", "’", "\u{0660}", "中"]
        for scalar in (0..<128).compactMap(Unicode.Scalar.init) + others {
            #expect(ScreenText.isLetter(scalar) == scalar.properties.isAlphabetic, "\(scalar.value)")
            #expect(ScreenText.isUppercase(scalar) == scalar.properties.isUppercase, "\(scalar.value)")
            #expect(ScreenText.isJoiner(scalar) == "-.'’/".unicodeScalars.contains(scalar), "\(scalar.value)")
        }
        for text in ["", "abc", "Zuwara-12.03", "Müller", "عبد الله", "x中y"] {
            #expect(ScreenText.string(ArraySlice(text.unicodeScalars)) == text)
        }
    }

    /// The lexicon's stems and endings are matched on an ASCII word's bytes and
    /// on any other word's characters: both give what `hasPrefix`/`hasSuffix` give.
    @Test func stemsAndEndingsMatchAsStringComparisonMatches() {
        let patterns = ScreenLexicon.stems.map(\.stem) + ScreenLexicon.streetEndings + ScreenLexicon.patronymicEndings + ["e", "é", "ß"]
        let text = "Passportnr Hauptstrasse Kennzeichen Ivanovich Petrović Jónsson Hauptstraße Bahnhofstraße cafe café sokağı Rue-de-la-Paix X"
            + " Ivanovitch NULLOVNA e\u{301}tait"
        let words = ScreenText(text).words
        #expect(words.contains { $0.ascii } && words.contains { !$0.ascii })
        for word in words {
            for pattern in patterns {
                #expect(ContextScan.word(word, hasPrefix: pattern) == word.text.hasPrefix(pattern), "\(word.text) \(pattern)")
                #expect(ContextScan.word(word, hasSuffix: pattern) == word.text.hasSuffix(pattern), "\(word.text) \(pattern)")
            }
        }
    }

    /// An ASCII text is prepared from its bytes at once; the same text followed
    /// by a non-ASCII word goes scalar by scalar: both read the ASCII part alike.
    @Test func asciiTextsArePreparedAsTheScalarPathPreparesThem() {
        var random = SystemRandomNumberGenerator()
        let alphabet = Array("abcXYZ019 -./'\t\nPassport Nr. 12AB, born 1990 ".unicodeScalars)
        for _ in 0..<300 {
            var text = ""
            for _ in 0..<Int.random(in: 0...80, using: &random) { text.unicodeScalars.append(alphabet.randomElement(using: &random)!) }
            let fast = ScreenText(text), slow = ScreenText(text + " é")
            #expect(fast.scalars == Array(slow.scalars.prefix(fast.scalars.count)), "\(text)")
            #expect(fast.lower == Array(slow.lower.prefix(fast.lower.count)), "\(text)")
            #expect(fast.scalars.indices.map(fast.position(of:)) == fast.scalars.indices.map(slow.position(of:)), "\(text)")
            #expect(fast.words.map(\.ascii).allSatisfy { $0 } && slow.words.last.map { !$0.ascii } != false, "\(text)")
            #expect(fast.words.map(\.text) == Array(slow.words.map(\.text).dropLast()), "\(text)")
            #expect(fast.words.map(\.capitalized) == Array(slow.words.map(\.capitalized).dropLast()), "\(text)")
        }
    }

    /// What the screen makes of a labelled corpus file: per label, how many it caught.
    struct Figures {
        var total: [String: Int] = [:], caught: [String: Int] = [:], warnedClean = 0
        var byCategory: [String: (Int, Int)] = [:]
        var misses: [String] = []
        func share(_ label: String) -> Double { Double(caught[label, default: 0]) / Double(max(1, total[label, default: 0])) }

        func print(_ title: String) {
            func percent(_ x: Double) -> String { String(format: "%.1f %%", x * 100) }
            Swift.print("\(title): \(total.values.reduce(0, +)) values")
            Swift.print("  identifiers refused: \(caught["identifier", default: 0]) of \(total["identifier", default: 0]) (\(percent(share("identifier"))))")
            Swift.print("  names warned:        \(caught["name", default: 0]) of \(total["name", default: 0]) (\(percent(share("name"))))")
            Swift.print("  addresses warned:    \(caught["address", default: 0]) of \(total["address", default: 0]) (\(percent(share("address"))))")
            Swift.print("  clean refused:       \(caught["clean", default: 0]) of \(total["clean", default: 0]) (\(percent(share("clean"))))")
            Swift.print("  clean warned:        \(warnedClean) of \(total["clean", default: 0]) (\(percent(Double(warnedClean) / Double(max(1, total["clean", default: 0])))))")
            for (category, counts) in byCategory.sorted(by: { $0.key < $1.key }) { Swift.print("  \(category): \(counts.0) of \(counts.1)") }
            for miss in misses { Swift.print("  missed: \(miss)") }
        }
    }

    static func figures(_ path: String) throws -> Figures {
        let data = try #require(FileManager.default.contents(atPath: path), "the corpus is \(path)")
        let lines = try String(decoding: data, as: UTF8.self).split(separator: "\n").map { try JSONDecoder().decode(Line.self, from: Data($0.utf8)) }
        var figures = Figures()
        for line in lines {
            let verdict = try Self.verdict(line.text, in: line.field)
            let hit: Bool
            switch line.label {
            case "identifier": hit = verdict == .refused
            case "name", "address": hit = verdict != .passed
            case "clean":
                hit = verdict == .refused  // a false refusal
                if verdict == .warned {
                    figures.warnedClean += 1
                    figures.misses.append("warned clean: \(line.text)")
                }
            default: Issue.record("unknown label \(line.label)"); continue
            }
            figures.total[line.label, default: 0] += 1
            if hit { figures.caught[line.label, default: 0] += 1 }
            let counts = figures.byCategory[line.category] ?? (0, 0)
            figures.byCategory[line.category] = (counts.0 + (hit ? 1 : 0), counts.1 + 1)
            if hit == (line.label == "clean") { figures.misses.append("\(line.label)/\(line.category) \(line.field): \(line.text)") }
        }
        return figures
    }

    @Test func labelledCorpus() throws {
        let figures = try Self.figures(Self.corpusPath)
        figures.print("personal-data screen corpus")
        #expect(figures.total["identifier", default: 0] + figures.total["name", default: 0] + figures.total["address", default: 0] >= 300)
        #expect(figures.total["clean", default: 0] >= 300)
        #expect(figures.share("identifier") >= 0.95)
        #expect(figures.share("name") >= 0.70)
        #expect(figures.caught["clean", default: 0] == 0, "false refusals")
    }

    /// Issue 27, item 15: values written apart from the corpus the screen was
    /// built on (Corpus/personal-data-screen-unseen.jsonl, written before the
    /// screen was changed for it): identifiers in forms the corpus lacked
    /// (numbers in spaced groups after their keyword, e-mail addresses spelled
    /// out in words), in the languages the screen covers, and clean text
    /// built to trip it (spaced numbers, "at", "dot", document words with counts).
    @Test func valuesWrittenApartFromTheCorpus() throws {
        let path = URL(fileURLWithPath: Self.corpusPath).deletingLastPathComponent().appendingPathComponent("personal-data-screen-unseen.jsonl").path
        let figures = try Self.figures(path)
        figures.print("personal-data screen, unseen values")
        #expect(figures.share("identifier") >= 0.95)
        #expect(figures.caught["clean", default: 0] == 0, "false refusals")
    }

    @Test func refusalNamesTheFieldAndNeverQuotesTheValue() throws {
        let document = Self.report("Bookings by phone on +218 91 234 5678 or boss@example.ly", in: "body.document_fraud.description")
        #expect(throws: ReportValidationError.self) { try Report.validate(document, sender: Self.sender) }
        do throws(ReportValidationError) {
            _ = try Report.validate(document, sender: Self.sender)
        } catch {
            #expect(error.issues.map(\.field) == ["body.document_fraud.description", "body.document_fraud.description"])
            #expect(error.description.contains("a phone number at character 22"))
            #expect(error.description.contains("an e-mail address at character 42"))
            #expect(error.description.contains("send the report with personal_data set to its Art. 10(3) category"))
            #expect(!error.description.contains("234 5678") && !error.description.contains("boss@"))
        }
    }

    @Test func reportsWithPersonalDataAndSystemKindsAreNotScreened() throws {
        var document = sampleReport([
            "personal_data": "smuggling-trafficking", "erase_by": "2027-06-01", "addressees": ["authority:DE-BPOL"],
            "body.modus_operandi": "Organiser reachable on +218 91 234 5678",
        ])
        #expect(throws: Never.self) { try Report.validate(document, sender: Self.sender) }
        document = sampleReport(["body.modus_operandi": "Organiser reachable on +218 91 234 5678"])
        #expect(throws: ReportValidationError.self) { try Report.validate(document, sender: Self.sender) }
        // Reports already stored are read back without the screen (SignatureCheck).
        #expect(throws: Never.self) { try Report.validate(document, sender: Self.sender, screening: false) }
    }

    @Test func checkDigitsDecide() {
        // The same shapes with one digit changed are not identifiers.
        #expect(Checksums.ibanValid(Array("DE89370400440532013000".utf8)))
        #expect(!Checksums.ibanValid(Array("DE89370400440532013001".utf8)))
        #expect(Checksums.luhnValid([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))
        #expect(!Checksums.luhnValid([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]))
        #expect(IdentifierScan.isMRZ(Array("L898902C36UTO7408122F1204159ZE184226B<<<<<10".utf8)))  // ICAO 9303 specimen
        #expect(!IdentifierScan.isMRZ(Array("L898902C37UTO7408123F1204158ZE184226B<<<<<10".utf8)))
        #expect(Checksums.base58CheckValid(Array("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2".utf8)))
        #expect(!Checksums.base58CheckValid(Array("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3".utf8)))
        #expect(Checksums.bech32Valid(Array("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4".utf8)))
        #expect(!Checksums.bech32Valid(Array("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5".utf8)))
        #expect(PersonalDataScreen.scan("Card 4111 1111 1111 1112 and DE89 3704 0044 0532 0130 01", field: "x").isEmpty)
    }

    @Test func invisibleCharactersAndOtherDigitsDoNotHideAnIdentifier() {
        let zeroWidth = "call +218\u{200B}91\u{200B}234\u{200B}5678"
        #expect(PersonalDataScreen.scan(zeroWidth, field: "x").map(\.kind) == [.phone])
        let arabicDigits = "هاتف +٢١٨٩١٢٣٤٥٦٧٨"
        #expect(PersonalDataScreen.scan(arabicDigits, field: "x").map(\.kind) == [.phone])
    }

    @Test func namesWarnAndAreRecordedWithoutTheName() throws {
        let daemon = try Daemon()
        try daemon.start()
        let client = try daemon.client("officer-de")
        let refused: ClientError? = {
            do throws(ClientError) {
                _ = try client.request(.publish, ["report": sampleReport(["body.modus_operandi": "Pay to USDT wallet T9yED5xMV5ARV98BexN97aLZ1UUq7eKSxm"])])
                return nil
            } catch { return error }
        }()
        guard case .refused(let refusal)? = refused else { Issue.record("expected a refusal, got \(String(describing: refused))"); return }
        #expect(refusal.code == .invalidReport && refusal.field == "body.modus_operandi")
        #expect(refusal.message.contains("crypto-currency wallet"))

        let named = sampleReport(["body.facilitator_network": "The boats belong to a Libyan named Dabbashi."])
        let answer = try client.request(.publish, ["report": named])
        let warnings = try #require(answer.body["warnings"]?.arrayValue)
        #expect(warnings.first?["field"]?.stringValue == "body.facilitator_network" && warnings.first?["kind"]?.stringValue == "name")
        let id = try #require(named["id"]?.stringValue)
        let detail = daemon.query("SELECT detail FROM audit WHERE event = 'receive' AND report_id = '\(id)'")
        #expect(detail.contains("screen-warnings=body.facilitator_network:name"))
        #expect(!detail.contains("Dabbashi"))
        let log = daemon.log
        #expect(log.contains("report may contain personal data") && !log.contains("Dabbashi"))
    }

    /// A "+" right after a letter ("O+22") made the digit scan loop forever on the
    /// event loop's thread: one PUBLISH stopped every connection of that loop.
    /// Found by FuzzSession; the scan must end on any text.
    @Test func aPlusAfterALetterDoesNotStopTheScan() {
        let headline = "DepArtures fro#m Zu-11-O+22T10:000:0&&&&&&&&&&&&&&&&&&&&&&Z"
        #expect(PersonalDataScreen.scan(headline, field: "headline").isEmpty)
        for text in ["O+", "a+1", "x+", "+", "++1", "A+B+C+1+2", "Tel+218912345678"] { _ = PersonalDataScreen.scan(text, field: "x") }
    }
}

