import Foundation

/// Classification markings in free text (docs/OPERATIONS.md, "What ILONet may
/// carry"): ILONet carries sensitive non-classified information only — no EU
/// classified information (RESTREINT UE/EU RESTRICTED and above, Council
/// Decision 2013/488/EU) and no national classified information (VS-NfD,
/// DIFFUSION RESTREINTE, …). A report whose free text carries a marking is
/// refused, with or without personal data: the marking says the text belongs on
/// an accredited system, not here.
public enum ClassificationMarkings {
    /// Markings matched as written (capitals), at word boundaries; a marking
    /// before any marking it contains (`TRÈS SECRET UE` before `SECRET UE`).
    static let exact: [String] = [
        "RESTREINT UE", "EU RESTRICTED", "CONFIDENTIEL UE", "EU CONFIDENTIAL", "TRÈS SECRET UE", "TRES SECRET UE", "SECRET UE", "EU SECRET",
        "EU TOP SECRET", "VS-NfD", "VS-NFD", "VS-VERTRAULICH", "STRENG GEHEIM", "DIFFUSION RESTREINTE", "CONFIDENTIEL DÉFENSE",
        "CONFIDENTIEL DEFENSE", "SECRET DÉFENSE", "SECRET DEFENSE", "NATO RESTRICTED", "NATO CONFIDENTIAL", "NATO SECRET", "COSMIC TOP SECRET",
        "DIFUSIÓN LIMITADA", "RISERVATISSIMO",
    ]
    /// Markings distinctive enough to match in any case.
    static let anyCase: [String] = ["restreint ue", "diffusion restreinte", "vs-nfd", "nur für den dienstgebrauch"]

    /// The first marking in `text` in the order of the lists (`exact`, then
    /// `anyCase`), as the list spells it (nil: none).
    ///
    /// One pass over the UTF-8 bytes (issue 32: Foundation's `range(of:)` per
    /// marking took half of a hub's CPU): a marking can only begin where a word
    /// begins, with an ASCII letter, so only those positions are tried against the
    /// markings that begin with that letter. `exact` compares bytes; `anyCase`
    /// folds ASCII and Latin-1 capitals (`Ü` → `ü`) as it compares. A word
    /// boundary is a scalar that is not a letter, a number or a combining mark.
    /// Text with combining marks (decomposed `È`) is composed first (NFC), as
    /// canonically equivalent text must match alike.
    public static func find(in text: String) -> String? {
        var text = text
        let (found, decomposed) = text.withUTF8 { bytes in hasCombiningMark(bytes) ? (nil, true) : (firstMarking(in: bytes), false) }
        guard decomposed else { return found.map(spelling) }
        // Decomposed text (rare): compose it, then search the composed bytes.
        var composed = text.precomposedStringWithCanonicalMapping
        return composed.withUTF8 { firstMarking(in: $0) }.map(spelling)
    }

    private static func spelling(_ index: Int) -> String { index < exact.count ? exact[index] : anyCase[index - exact.count].uppercased() }

    /// The refusal for a marking in the free text `text` at `field` (nil: none).
    public static func issue(_ text: String, field: String) -> ValidationIssue? {
        guard let marking = find(in: text) else { return nil }
        return ValidationIssue(
            field: field,
            "carries the classification marking \"\(marking)\": ILONet carries sensitive non-classified information only, never EU or national "
                + "classified information (docs/OPERATIONS.md); send classified information over an accredited system, and here only what is not classified")
    }

    /// The refusals for a content report's free text: headline, conditions and the body's texts.
    static func issues(_ document: JSONValue, kind: ReportKind) -> [ValidationIssue] {
        guard kind.isContent else { return [] }
        var issues: [ValidationIssue] = []
        for name in ["headline", "conditions"] {
            if let text = document[name]?.stringValue, let issue = issue(text, field: name) { issues.append(issue) }
        }
        if let body = document["body"] {
            PersonalDataScreen.walk(body, schema: BodySchemas.schema(for: kind), path: "body") { text, path in
                if let issue = issue(text, field: path) { issues.append(issue) }
            }
        }
        return issues
    }

    /// A marking's bytes, its index in `exact` + `anyCase`, and whether it matches in any case.
    private struct Pattern {
        let bytes: [UInt8]
        let index: Int
        let folded: Bool
    }

    /// The markings by their first byte, folded to lower case (all begin with an ASCII letter).
    private static let byFirstLetter: [[Pattern]] = {
        var table = [[Pattern]](repeating: [], count: 128)
        for (index, marking) in (exact + anyCase).enumerated() {
            let folded = index >= exact.count
            let bytes = Array(marking.utf8)
            precondition(bytes[0] < 0x80 && isASCIILetter(bytes[0]) && (!folded || bytes == Array(marking.lowercased().utf8)))
            table[Int(bytes[0] | 0x20)].append(Pattern(bytes: bytes, index: index, folded: folded))
        }
        return table
    }()

    /// The lowest index of a marking found at word boundaries in `bytes` (nil: none).
    private static func firstMarking(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var best: Int? = nil
        var i = 0
        let count = bytes.count
        while i < count {
            let byte = bytes[i]
            guard isASCIILetter(byte), i == 0 || !isWordScalar(endingBefore: i, in: bytes) else {
                i += 1
                continue
            }
            for pattern in byFirstLetter[Int(byte | 0x20)] where best.map({ pattern.index < $0 }) ?? true {
                if matches(pattern, at: i, in: bytes), i + pattern.bytes.count == count || !isWordScalar(startingAt: i + pattern.bytes.count, in: bytes) {
                    best = pattern.index
                }
            }
            // The rest of this word cannot begin a marking.
            i += 1
            while i < count, bytes[i] < 0x80, isASCIILetter(bytes[i]) || (bytes[i] >= 0x30 && bytes[i] <= 0x39) { i += 1 }
        }
        return best
    }

    private static func matches(_ pattern: Pattern, at start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let p = pattern.bytes
        guard start + p.count <= bytes.count else { return false }
        for j in 0..<p.count {
            var b = bytes[start + j]
            if pattern.folded {
                if b >= 0x41 && b <= 0x5A {
                    b |= 0x20
                } else if j > 0, bytes[start + j - 1] == 0xC3, b >= 0x80 && b <= 0x9E && b != 0x97 {
                    b += 0x20  // À…Þ (U+00C0–U+00DE, but ×) → à…þ
                }
            }
            if b != p[j] { return false }
        }
        return true
    }

    private static func isASCIILetter(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }

    /// Whether the scalar that ends just before byte `end` is part of a word.
    private static func isWordScalar(endingBefore end: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = end - 1
        while start > 0, bytes[start] & 0xC0 == 0x80, end - start < 4 { start -= 1 }
        return isWordScalar(startingAt: start, in: bytes)
    }

    /// Whether the scalar that begins at byte `start` is part of a word (a letter, a number or a combining mark).
    private static func isWordScalar(startingAt start: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let lead = bytes[start]
        if lead < 0x80 { return isASCIILetter(lead) || (lead >= 0x30 && lead <= 0x39) }
        var decoder = UTF8()
        var iterator = UnsafeBufferPointer(rebasing: bytes[start..<min(bytes.count, start + 4)]).makeIterator()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber, .letterNumber, .otherNumber,
            .nonspacingMark, .spacingMark, .enclosingMark:
            return true
        default:
            return false
        }
    }

    /// Whether `bytes` hold a combining diacritical mark (U+0300–U+036F: CC 80 … CD AF).
    private static func hasCombiningMark(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 0xCC || (bytes[i] == 0xCD && bytes[i + 1] <= 0xAF) { return true }
            i += 1
        }
        return false
    }
}
