/// A lexicon phrase found in a text.
struct CueMatch {
    let cue: ScreenLexicon.Cue
    /// The phrase as the lexicon writes it (quoted in warnings: it is not personal data).
    let text: String
    let start: Int
    let end: Int
    let startWord: Int
    /// One past the phrase's last word.
    let endWord: Int
}

/// What one detector found: the kind, whether it refuses, where it starts.
struct ScreenHit {
    let kind: PersonalDataKind
    let refused: Bool
    /// Index into `ScreenText.scalars`.
    let index: Int
    let cue: String?
}

/// Identifiers and names recognised by the words around them: a number after
/// "passport", a date after "born", a plate after "Kennzeichen"; a capitalised
/// word after "Mr", "alias" or "son of"; a common given name before a surname.
struct ContextScan {
    let text: ScreenText
    private(set) var cues: [CueMatch] = []
    private(set) var hits: [ScreenHit] = []

    init(_ text: ScreenText) {
        self.text = text
        findCues()
    }

    private mutating func findCues() {
        let words = text.words
        for i in words.indices {
            var candidates = ScreenLexicon.byFirstWord[words[i].text] ?? []
            // Arabic clitics: و (and), ب (with), ل (for), ف (then) written onto the word.
            if words[i].arabic, let first = words[i].text.unicodeScalars.first, "وبلف".unicodeScalars.contains(first), words[i].text.unicodeScalars.count > 3 {
                candidates += ScreenLexicon.byFirstWord[String(words[i].text.unicodeScalars.dropFirst())] ?? []
            }
            for (stem, phrase) in ScreenLexicon.stems where ContextScan.word(words[i], hasPrefix: stem) { candidates.append(phrase) }
            if words[i].letters > 6, ScreenLexicon.streetEndings.contains(where: { ContextScan.word(words[i], hasSuffix: $0) }) {
                candidates.append(ScreenLexicon.Phrase(words: [words[i].text], cue: .street))
            }
            for phrase in candidates {
                let n = phrase.words.count
                guard i + n <= words.count else { continue }
                var matches = true
                for k in 1..<n {
                    let pattern = phrase.words[k], word = words[i + k].text
                    if pattern.hasSuffix("*") ? !word.hasPrefix(pattern.dropLast()) : word != pattern { matches = false }
                }
                if matches {
                    cues.append(
                        CueMatch(
                            cue: phrase.cue, text: phrase.words.joined(separator: " "), start: words[i].start, end: words[i + n - 1].end, startWord: i,
                            endWord: i + n))
                }
            }
        }
    }

    /// `String.hasPrefix` and `hasSuffix` compare characters (canonical
    /// equivalence); an ASCII word has no combining marks, so its bytes answer
    /// the same, without Unicode's tables (the screen runs on every report).
    static func word(_ word: ScreenText.Word, hasPrefix prefix: String) -> Bool {
        word.ascii ? word.text.utf8.starts(with: prefix.utf8) : word.text.hasPrefix(prefix)
    }

    static func word(_ word: ScreenText.Word, hasSuffix suffix: String) -> Bool {
        word.ascii ? word.text.utf8.reversed().starts(with: suffix.utf8.reversed()) : word.text.hasSuffix(suffix)
    }

    // MARK: the scan

    mutating func scan() {
        for cue in cues {
            switch cue.cue {
            case .document: documentNumber(after: cue)
            case .birth(let yearSuffices): birthDate(after: cue, yearSuffices: yearSuffices)
            case .birthAfter: birthDate(before: cue)
            case .plate: plate(after: cue)
            case .plateAfter: plate(before: cue)
            case .honorific: honorific(cue)
            case .nameMarker, .kinship: nameAfter(cue)
            case .street: address(near: cue)
            case .phone, .imei, .account, .wallet: break  // IdentifierScan reads these
            }
        }
        particles()
        givenNames()
        patronymics()
    }

    private mutating func hit(_ kind: PersonalDataKind, refused: Bool, at index: Int, cue: String?) {
        hits.append(ScreenHit(kind: kind, refused: refused, index: index, cue: cue))
    }

    /// The words after a cue, at most `count` of them and within `distance` characters.
    private func following(_ cue: CueMatch, count: Int, distance: Int) -> Range<Int> {
        var end = cue.endWord
        while end < text.words.count, end - cue.endWord < count, text.words[end].start - cue.end <= distance { end += 1 }
        return cue.endWord..<end
    }

    func followedByQuantity(_ index: Int) -> Bool {
        guard index + 1 < text.words.count else {
            // A currency sign right after the number.
            let end = text.words[index].end
            return end < text.scalars.count && "€$£%".unicodeScalars.contains(text.scalars[end])
        }
        let end = text.words[index].end
        if end < text.scalars.count, "€$£%".unicodeScalars.contains(text.scalars[end]) { return true }
        if text.words[index].start > 0, "€$£".unicodeScalars.contains(text.scalars[text.words[index].start - 1]) { return true }
        return ScreenLexicon.quantityWords.contains(text.words[index + 1].text)
    }

    /// A word of numbers between `-`, `.` and `/` that reads as a date or a
    /// range: two parts of at most four digits (2021-2022, 10/12), or three
    /// that a day, a month and a year make (12.03.1990, 2026-05-14).
    private func isDateOrRange(_ word: ScreenText.Word) -> Bool {
        guard word.letters == 0 else { return false }
        let parts = text.scalars[word.start..<word.end].split { "-./".unicodeScalars.contains($0) }.map { String(String.UnicodeScalarView($0)) }
        if parts.count == 2 { return parts.allSatisfy { $0.count <= 4 } }
        return parts.count == 3 && ContextScan.isDate(parts)
    }

    /// Three numbers that are a date: day, month, year in either order, a year
    /// of two or four digits.
    static func isDate(_ parts: [String]) -> Bool {
        guard parts.count == 3, parts.allSatisfy({ (1...4).contains($0.count) }), let values = Optional(parts.compactMap { Int($0) }), values.count == 3 else {
            return false
        }
        let (a, b, c) = (values[0], values[1], values[2])
        let yearLast = (parts[2].count == 4 ? (1900...2099).contains(c) : parts[2].count == 2) && (1...31).contains(a) && (1...31).contains(b) && (a <= 12 || b <= 12)
        let yearFirst = parts[0].count == 4 && (1900...2099).contains(a) && (1...12).contains(b) && (1...31).contains(c)
        return yearLast || yearFirst
    }

    private mutating func documentNumber(after cue: CueMatch) {
        let window = following(cue, count: 8, distance: 60)
        for index in window {
            let word = text.words[index]
            let alphanumeric = word.letters + word.digits
            guard !isDateOrRange(word), !followedByQuantity(index), alphanumeric <= 20,
                text.scalars[word.start..<word.end].allSatisfy({ $0.value < 0x80 })
            else { continue }
            if word.digits >= 6 || (word.letters >= 1 && word.digits >= 3 && alphanumeric >= 6) {
                return hit(.documentNumber, refused: true, at: word.start, cue: cue.text)
            }
        }
        // A number written in groups (`A12 34 567`, `n° 08 123 456`, `P 1234 5678`).
        if let start = spacedNumber(in: window) { hit(.documentNumber, refused: true, at: start, cue: cue.text) }
    }

    /// Where a number written in spaced groups begins among the words of
    /// `window`, or nil: words next to each other (a space or a hyphen apart),
    /// each of ASCII letters and digits, with a digit in every group but groups
    /// of one to three capitals (a series before, `P`, `YA`, `PAB`; a check
    /// letter after, `AA`, `Z`), which together hold at least six letters and
    /// digits, five of them digits, in two groups of numbers or one with letters.
    /// Not a date written with spaces (`12 03 2019`), not years (`2019 2020`),
    /// not a count or an amount (`1 200 migrants`, `2 500 euros`).
    private func spacedNumber(in window: Range<Int>) -> Int? {
        let words = text.words
        var index = window.lowerBound
        while index < window.upperBound {
            var groups: [ScreenText.Word] = []
            var next = index
            while next < window.upperBound {
                let word = words[next]
                let ascii = text.scalars[word.start..<word.end].allSatisfy { ScreenText.isASCIIAlphanumeric($0) }
                // A series of one to three capitals before the numbers (`P`, `YA`), or a check
                // letter or two after them (`CA 00000 AA`, `1234 5678 Z`).
                let capitals = word.digits == 0 && (1...3).contains(word.letters)
                    && text.scalars[word.start..<word.end].allSatisfy { (0x41...0x5A).contains($0.value) }
                let series = capitals && (groups.isEmpty || groups.contains { $0.digits > 0 }) && !ScreenLexicon.quantityWords.contains(word.text)
                guard ascii, word.digits > 0 || series else { break }
                if let last = groups.last {
                    let between = text.scalars[last.end..<word.start]
                    guard (1...2).contains(between.count), between.allSatisfy({ $0 == " " || $0 == "-" }) else { break }
                }
                groups.append(word)
                next += 1
            }
            defer { index = max(index + 1, next) }
            let numbers = groups.filter { $0.digits > 0 }
            let digits = groups.reduce(0) { $0 + $1.digits }, letters = groups.reduce(0) { $0 + $1.letters }
            let lettered = groups.count > numbers.count
            guard numbers.count >= 2 || (lettered && digits >= 5), digits >= 5, digits + letters >= 6, !followedByQuantity(next - 1) else { continue }
            let texts = numbers.map(\.text)
            if numbers.count == 3, numbers.allSatisfy({ $0.letters == 0 }), ContextScan.isDate(texts) { continue }
            if numbers.allSatisfy({ $0.letters == 0 && $0.text.count == 4 && (1900...2099).contains(Int($0.text) ?? 0) }) { continue }
            return groups[0].start
        }
        return nil
    }

    private mutating func plate(after cue: CueMatch) {
        plate(in: following(cue, count: 5, distance: 40), cue: cue)
    }

    private mutating func plate(before cue: CueMatch) {
        var from = cue.startWord
        while from > 0, cue.startWord - from < 3, cue.start - text.words[from - 1].end <= 16 { from -= 1 }
        plate(in: from..<cue.startWord, cue: cue)
    }

    private mutating func plate(in window: Range<Int>, cue: CueMatch) {
        for first in window {
            var alphanumeric = 0, digits = 0, letters = 0, parts = 0
            for index in first..<min(window.upperBound, first + 3) {
                let word = text.words[index]
                if index > first && word.start - text.words[index - 1].end > 1 { break }
                if word.letters > 0 && word.arabic { break }
                alphanumeric += word.letters + word.digits
                digits += word.digits
                letters += word.letters
                parts += 1 + text.scalars[word.start..<word.end].filter { $0 == "-" }.count
                guard (4...10).contains(alphanumeric), digits >= 2, !followedByQuantity(index) else { continue }
                let yearAlone = parts == 1 && letters == 0 && digits == 4
                if !yearAlone && (letters > 0 || parts > 1 || digits >= 5) {
                    return hit(.vehiclePlate, refused: true, at: text.words[first].start, cue: cue.text)
                }
            }
        }
    }

    // MARK: dates of birth

    private static func number(_ s: Substring) -> Int? { s.count <= 4 && s.allSatisfy(\.isASCII) ? Int(s) : nil }
    private static func plausibleYear(_ y: Int, digits: Int) -> Bool { digits == 2 || (1900...2035).contains(y) }

    /// A whole date in one word: 12.03.1990, 12/03/90, 1990-03-12.
    private func numericDate(_ word: ScreenText.Word) -> Bool {
        guard word.letters == 0 else { return false }
        let raw = String(String.UnicodeScalarView(text.scalars[word.start..<word.end]))
        let parts = raw.split { $0 == "." || $0 == "/" || $0 == "-" }
        guard parts.count == 3, let a = ContextScan.number(parts[0]), let b = ContextScan.number(parts[1]), let c = ContextScan.number(parts[2]) else { return false }
        if parts[0].count == 4 { return ContextScan.plausibleYear(a, digits: 4) && (1...12).contains(b) && (1...31).contains(c) }
        return (1...31).contains(a) && (1...31).contains(b) && (parts[2].count == 2 || parts[2].count == 4) && ContextScan.plausibleYear(c, digits: parts[2].count)
    }

    private func year(_ word: ScreenText.Word) -> Bool {
        word.letters == 0 && word.digits == 4 && word.end - word.start == 4 && ContextScan.number(Substring(word.text)).map { (1900...2035).contains($0) } == true
    }

    /// A date among `range`: one word, or day–month–year / month–year in words.
    private func date(in range: Range<Int>, yearSuffices: Bool) -> Int? {
        let words = text.words
        for index in range {
            let word = words[index]
            if numericDate(word) || (yearSuffices && year(word)) { return word.start }
            if ScreenLexicon.months.contains(word.text) {
                // Month then year (March 1990, 12 March 1990, March 12, 1990).
                for next in (index + 1)..<min(words.count, index + 3) where year(words[next]) { return words[max(range.lowerBound, index - 1)].start }
            }
        }
        return nil
    }

    private mutating func birthDate(after cue: CueMatch, yearSuffices: Bool) {
        if let index = date(in: following(cue, count: 6, distance: 45), yearSuffices: yearSuffices) {
            hit(.dateOfBirth, refused: true, at: index, cue: cue.text)
        }
    }

    private mutating func birthDate(before cue: CueMatch) {
        let from = max(0, cue.startWord - 4)
        if let index = date(in: from..<cue.startWord, yearSuffices: true), cue.start - index <= 30 {
            hit(.dateOfBirth, refused: true, at: index, cue: cue.text)
        }
    }

    // MARK: names (warnings)

    private static let arabicFunctionWords: Set<String> = [
        "في", "من", "الى", "على", "عن", "مع", "و", "ان", "التي", "الذي", "هذا", "هذه", "ذلك", "تلك", "قد", "كان", "كانت", "هو", "هي", "ثم", "او", "لا", "ما", "بين", "عبر",
        "حتى", "منذ", "بعد", "قبل", "عند", "الى", "نحو", "حيث", "كما", "لدى",
    ]
    private static let capitalisedFunctionWords: Set<String> = ["the", "a", "an", "this", "that", "these", "he", "she", "they", "it", "his", "her", "their", "in", "on", "at"]

    /// A word that may be (part of) a name: capitalised in a cased script, or an Arabic word.
    private func nameLike(_ index: Int) -> Bool {
        guard index >= 0, index < text.words.count else { return false }
        let word = text.words[index]
        guard word.letters >= 2, word.digits == 0 else { return false }
        if word.arabic { return !ContextScan.arabicFunctionWords.contains(word.text) }
        return word.capitalized && !ContextScan.capitalisedFunctionWords.contains(word.text)
    }

    /// `second` follows `first` with only spaces, quotes or a colon between.
    private func adjacent(_ first: Int, _ second: Int) -> Bool {
        guard first >= 0, second < text.words.count, second == first + 1 else { return false }
        return text.words[second].start - text.words[first].end <= 3
    }

    private mutating func honorific(_ cue: CueMatch) {
        let first = text.words[cue.startWord]
        // Latin, Cyrillic and Greek titles are written capitalised before a name ("the major ports" is no title).
        guard first.arabic || first.capitalized, adjacent(cue.endWord - 1, cue.endWord), nameLike(cue.endWord) else { return }
        hit(.name, refused: false, at: text.words[cue.endWord].start, cue: cue.text)
    }

    private mutating func nameAfter(_ cue: CueMatch) {
        // "nicknamed the Doctor", "alias 'Al-Ghoul'": an article or quote may come first.
        for index in following(cue, count: 2, distance: 8) where nameLike(index) {
            return hit(.name, refused: false, at: text.words[index].start, cue: cue.text)
        }
    }

    private static let particles: Set<String> = ["ben", "bin", "ibn", "bint", "ould", "wuld", "walad", "ag", "بن", "ابن", "بنت"]

    /// Ahmed ben Salem, Mohamed ould Cheikh, علي بن سالم.
    private mutating func particles() {
        for (index, word) in text.words.enumerated() where ContextScan.particles.contains(word.text) {
            if adjacent(index - 1, index) && adjacent(index, index + 1) && nameLike(index - 1) && nameLike(index + 1) {
                hit(.name, refused: false, at: text.words[index - 1].start, cue: word.text)
            }
        }
    }

    private mutating func givenNames() {
        for (index, word) in text.words.enumerated() where (word.capitalized || word.arabic) && ScreenLexicon.givenNames.contains(word.text) {
            if adjacent(index, index + 1) && nameLike(index + 1) && text.words[index + 1].arabic == word.arabic {
                hit(.name, refused: false, at: word.start, cue: nil)
            }
        }
    }

    private mutating func patronymics() {
        for (index, word) in text.words.enumerated() where word.capitalized && word.letters >= 5 {
            guard ScreenLexicon.patronymicEndings.contains(where: { ContextScan.word(word, hasSuffix: $0) }) else { continue }
            if (adjacent(index - 1, index) && nameLike(index - 1)) || (adjacent(index, index + 1) && nameLike(index + 1)) {
                hit(.name, refused: false, at: text.words[max(0, index - 1)].start, cue: nil)
            }
        }
    }

    /// A street word next to a house number: Via Roma 12, 14 rue de la Paix, شارع عمر المختار 5.
    private mutating func address(near cue: CueMatch) {
        let range = max(0, cue.startWord - 3)..<min(text.words.count, cue.endWord + 4)
        for index in range where !(cue.startWord..<cue.endWord).contains(index) {
            let word = text.words[index]
            guard word.digits >= 1, word.digits <= 4, word.letters <= 1, !year(word), !followedByQuantity(index), !isDateOrRange(word) else { continue }
            return hit(.address, refused: false, at: text.words[min(index, cue.startWord)].start, cue: cue.text)
        }
    }
}
