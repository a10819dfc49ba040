/// Identifiers recognised by their form and check digits, wherever they stand
/// in a text: e-mail addresses, social-media accounts, phone numbers in
/// international form, IBANs, MRZ lines, IMEIs, payment cards, wallets.
struct IdentifierScan {
    let text: ScreenText
    let cues: [CueMatch]
    private(set) var hits: [ScreenHit] = []

    init(_ text: ScreenText, cues: [CueMatch]) {
        self.text = text
        self.cues = cues
        let s = text.scalars
        var hasAt = false, hasDigit = false, hasUpper = false, hasBracket = false
        for c in s {
            if c == "@" {
                hasAt = true
            } else if ScreenText.isDigit(c) {
                hasDigit = true
            } else if (0x41...0x5A).contains(c.value) {
                hasUpper = true
            } else if c == "[" || c == "(" || c == "{" {
                hasBracket = true
            }
        }
        if hasAt { scanAt() }
        if hasBracket { scanSpelledOutAt() }
        scanWordAddresses()
        scanProfiles()
        if hasDigit { scanDigitRuns() }
        if hasDigit && hasUpper { scanIBANs() }
        if hasUpper && s.contains("<") { scanMRZ() }
        scanWallets()
    }

    private mutating func hit(_ kind: PersonalDataKind, at index: Int, cue: String? = nil) {
        hits.append(ScreenHit(kind: kind, refused: true, index: index, cue: cue))
    }

    // MARK: e-mail and social media

    private static func isLocalPart(_ c: Unicode.Scalar) -> Bool { ScreenText.isASCIIAlphanumeric(c) || "._%+-".unicodeScalars.contains(c) }
    private static func isDomain(_ c: Unicode.Scalar) -> Bool { ScreenText.isASCIIAlphanumeric(c) || c == "." || c == "-" }
    private static func isHandle(_ c: Unicode.Scalar) -> Bool { ScreenText.isASCIIAlphanumeric(c) || c == "_" || c == "." }

    private mutating func scanAt() {
        let s = text.scalars
        for i in s.indices where s[i] == "@" {
            var left = i
            while left > 0, IdentifierScan.isLocalPart(s[left - 1]) { left -= 1 }
            var right = i + 1
            while right < s.count, IdentifierScan.isDomain(s[right]) { right += 1 }
            while right > i + 1, s[right - 1] == "." || s[right - 1] == "-" { right -= 1 }
            let domain = s[(i + 1)..<right]
            if left < i, let dot = domain.lastIndex(of: "."), right - dot > 2, s[(dot + 1)..<right].allSatisfy({ $0.properties.isAlphabetic }) {
                hit(.email, at: left)
                continue
            }
            // A handle: @ at the start of a word, then a name with a letter in it.
            guard left == i else { continue }
            var end = i + 1
            while end < s.count, IdentifierScan.isHandle(s[end]) { end += 1 }
            let handle = s[(i + 1)..<end]
            if (3...30).contains(handle.count), handle.contains(where: { $0.properties.isAlphabetic }) { hit(.socialMedia, at: i) }
        }
    }

    /// `name [at] domain [dot] com`, `name(at)domain.com`: the address written to slip past filters.
    private mutating func scanSpelledOutAt() {
        let lower = text.lower
        for marker in ["[at]", "(at)", "{at}"] {
            let pattern = Array(marker.unicodeScalars)
            var from = 0
            while let k = IdentifierScan.find(pattern, in: lower, from: from) {
                from = k + pattern.count
                var left = k
                while left > 0, lower[left - 1] == " " { left -= 1 }
                guard left > 0, IdentifierScan.isLocalPart(lower[left - 1]) else { continue }
                var right = from
                while right < lower.count, lower[right] == " " { right += 1 }
                let domainStart = right
                while right < lower.count, IdentifierScan.isDomain(lower[right]) { right += 1 }
                guard right > domainStart else { continue }
                if let dot = lower[domainStart..<right].lastIndex(of: "."), right - dot > 2 {
                    hit(.email, at: left - 1)
                    continue
                }
                var next = right
                while next < lower.count, lower[next] == " " { next += 1 }
                for spelled in ["[dot]", "(dot)", "{dot}"] where IdentifierScan.find(Array(spelled.unicodeScalars), in: lower, from: next) == next {
                    var tld = next + 5
                    while tld < lower.count, lower[tld] == " " { tld += 1 }
                    if tld + 1 < lower.count, lower[tld].properties.isAlphabetic, lower[tld + 1].properties.isAlphabetic { hit(.email, at: left - 1) }
                }
            }
        }
    }

    /// `name at gmail dot com`, `nom arobase yahoo point fr`: an address written
    /// in words, without brackets. Only where a known top-level domain (a
    /// generic one or a country code) follows the word for "dot", so that "at
    /// dawn dot the coast" or "at 10 dot 30" are not addresses.
    private mutating func scanWordAddresses() {
        let words = text.words
        guard words.count >= 5 else { return }
        func adjacent(_ a: Int, _ b: Int) -> Bool {
            let between = text.scalars[words[a].end..<words[b].start]
            return (1...2).contains(between.count) && between.allSatisfy { $0 == " " }
        }
        for i in 1..<(words.count - 3) where ScreenLexicon.atWords.contains(words[i].text) {
            let local = words[i - 1], domain = words[i + 1], dot = words[i + 2], top = words[i + 3]
            guard ScreenLexicon.dotWords.contains(dot.text), adjacent(i - 1, i), adjacent(i, i + 1), adjacent(i + 1, i + 2), adjacent(i + 2, i + 3),
                local.letters + local.digits >= 2, domain.letters >= 2,
                text.lower[local.start..<local.end].allSatisfy(IdentifierScan.isLocalPart),
                text.lower[domain.start..<domain.end].allSatisfy(IdentifierScan.isDomain),
                ScreenLexicon.topLevelDomains.contains(top.text) || (top.text.count == 2 && ISOCodes.isCountry(top.text.uppercased()))
            else { continue }
            hit(.email, at: local.start)
        }
    }

    private mutating func scanProfiles() {
        // Only where a host could be: a slash after a dot.
        guard text.lower.contains("/") else { return }
        let lower = text.lower
        for host in ScreenLexicon.profileHosts {
            let pattern = Array(host.unicodeScalars)
            var from = 0
            while let start = IdentifierScan.find(pattern, in: lower, from: from) {
                let after = start + pattern.count
                var end = after
                while end < lower.count, IdentifierScan.isHandle(lower[end]) || lower[end] == "-" { end += 1 }
                let boundary = start == 0 || !(ScreenText.isASCIIAlphanumeric(lower[start - 1]) || lower[start - 1] == "-")
                if boundary || lower[start - 1] == "." || lower[start - 1] == "/", end - after >= 2 { hit(.socialMedia, at: start) }
                from = after
            }
        }
    }

    static func find(_ pattern: [Unicode.Scalar], in text: [Unicode.Scalar], from: Int) -> Int? {
        guard pattern.count <= text.count - from, let first = pattern.first else { return nil }
        var i = from
        while i + pattern.count <= text.count {
            if text[i] == first && text[i..<(i + pattern.count)].elementsEqual(pattern) { return i }
            i += 1
        }
        return nil
    }

    // MARK: numbers: phones, IMEIs, cards, and numbers named by a word before them

    private mutating func scanDigitRuns() {
        let s = text.scalars
        var i = 0
        while i < s.count {
            let plus = s[i] == "+" && i + 1 < s.count && ScreenText.isDigit(s[i + 1])
            guard plus || ScreenText.isDigit(s[i]) else {
                i += 1
                continue
            }
            // Part of a word (A12345678, TRC20, O+22) is not a run of its own.
            // Always step past this scalar: a "+" is not a word scalar, and not
            // moving on here looped forever (found by FuzzSession).
            if i > 0, s[i - 1].properties.isAlphabetic {
                i += 1
                while i < s.count, ScreenText.isWordScalar(s[i]) { i += 1 }
                continue
            }
            let start = i
            if plus { i += 1 }
            var digits: [UInt8] = []
            var slash = false
            var group = 0, longestGroup = 0
            var end = i
            while i < s.count {
                if ScreenText.isDigit(s[i]) {
                    digits.append(UInt8(s[i].value - 0x30))
                    group += 1
                    longestGroup = max(longestGroup, group)
                    i += 1
                    end = i
                    continue
                }
                // Up to two separators, then a digit.
                var j = i, separators = 0
                while j < s.count, separators < 2, " -()/".unicodeScalars.contains(s[j]) {
                    if s[j] == "/" { slash = true }
                    j += 1
                    separators += 1
                }
                guard separators > 0, j < s.count, ScreenText.isDigit(s[j]) else { break }
                group = 0
                i = j
            }
            i = max(i, end)
            // Glued to letters after (12345abc): a code, not a number.
            if end < s.count, s[end].properties.isAlphabetic { continue }
            classify(digits: digits, plus: plus, slash: slash, longestGroup: longestGroup, start: start, end: end)
        }
    }

    private mutating func classify(digits: [UInt8], plus: Bool, slash: Bool, longestGroup: Int, start: Int, end: Int) {
        let n = digits.count
        if plus && (8...15).contains(n) { return hit(.phone, at: start) }
        if n >= 10 && n <= 17 && digits[0] == 0 && digits[1] == 0 && digits[2] != 0 { return hit(.phone, at: start) }
        if n == 15 && Checksums.luhnValid(digits) { return hit(.imei, at: start) }
        if (13...19).contains(n) && Checksums.luhnValid(digits) && IdentifierScan.isCardPrefix(digits) { return hit(.paymentCard, at: start) }
        // A domestic number with its trunk 0 (091 234 5678), not a date.
        if (9...11).contains(n) && digits[0] == 0 && digits[1] != 0 && !slash { return hit(.phone, at: start) }
        // Amounts and counts (150000 LYD, 35000 applications) are not identifiers.
        guard let cue = cue(before: start), !followedByQuantity(end) else { return }
        switch cue.cue {
        case .phone where (7...15).contains(n): hit(.phone, at: start, cue: cue.text)
        case .imei where (14...17).contains(n): hit(.imei, at: start, cue: cue.text)
        case .account where n >= 8: hit(.bankAccount, at: start, cue: cue.text)
        // Groups of at most four digits are dates and year ranges (2021-2022), not document numbers.
        case .document where n >= 6 && longestGroup >= 5 && !slash: hit(.documentNumber, at: start, cue: cue.text)
        default: break
        }
    }

    /// A currency sign or a word of quantity right after the number ending at `end`.
    private func followedByQuantity(_ end: Int) -> Bool {
        if end < text.scalars.count, "€$£%".unicodeScalars.contains(text.scalars[end]) { return true }
        let next = text.word(startingAtOrAfter: end)
        return next < text.words.count && text.words[next].start - end <= 2 && ScreenLexicon.quantityWords.contains(text.words[next].text)
    }

    /// Payment card numbers: the issuer prefixes of the major schemes (ISO/IEC 7812)
    /// with the lengths each scheme issues.
    static func isCardPrefix(_ d: [UInt8]) -> Bool {
        let two = Int(d[0]) * 10 + Int(d[1])
        let four = two * 100 + Int(d[2]) * 10 + Int(d[3])
        switch d.count {
        case 13 where d[0] == 4, 19 where d[0] == 4: return true
        case 14: return two == 36 || two == 30
        case 15: return two == 34 || two == 37
        case 16: return d[0] == 4 || (51...55).contains(two) || (2221...2720).contains(four) || four == 6011 || two == 65 || two == 35 || two == 62
        case 17...19: return four == 6011 || two == 65 || two == 35 || two == 62
        default: return false
        }
    }

    /// The nearest cue word ending before `index`: at most 40 characters and 5 words away.
    func cue(before index: Int) -> CueMatch? {
        let firstWord = text.word(startingAtOrAfter: index)
        for cue in cues.reversed() where cue.end <= index {
            guard index - cue.end <= 40, firstWord - cue.endWord <= 6 else { return nil }
            switch cue.cue {
            case .phone, .imei, .account, .document: return cue
            default: continue
            }
        }
        return nil
    }

    // MARK: IBAN and MRZ

    private static func isUpperOrDigit(_ c: Unicode.Scalar) -> Bool { ScreenText.isDigit(c) || (0x41...0x5A).contains(c.value) }

    private mutating func scanIBANs() {
        let s = text.scalars
        var i = 0
        while i + 15 <= s.count {
            defer { i += 1 }
            guard (0x41...0x5A).contains(s[i].value), (0x41...0x5A).contains(s[i + 1].value), ScreenText.isDigit(s[i + 2]), ScreenText.isDigit(s[i + 3]),
                i == 0 || !ScreenText.isASCIIAlphanumeric(s[i - 1]),
                ISOCodes.isCountry(String(String.UnicodeScalarView(s[i..<(i + 2)])))
            else { continue }
            var characters: [UInt8] = []
            var j = i
            while j < s.count, characters.count < 34 {
                if IdentifierScan.isUpperOrDigit(s[j]) {
                    characters.append(UInt8(s[j].value))
                    j += 1
                } else if s[j] == " " || s[j] == "-", j + 1 < s.count, IdentifierScan.isUpperOrDigit(s[j + 1]) {
                    j += 1
                } else {
                    break
                }
            }
            if characters.count >= 15, (15...characters.count).contains(where: { Checksums.ibanValid(Array(characters.prefix($0))) }) {
                hit(.iban, at: i)
                i = j
            }
        }
    }

    private mutating func scanMRZ() {
        let s = text.scalars
        var i = 0
        while i < s.count {
            guard IdentifierScan.isUpperOrDigit(s[i]) || s[i] == "<" else {
                i += 1
                continue
            }
            let start = i
            while i < s.count, IdentifierScan.isUpperOrDigit(s[i]) || s[i] == "<" { i += 1 }
            guard i - start >= 28 else { continue }
            let line = s[start..<i].map { UInt8($0.value) }
            if IdentifierScan.isMRZ(line) { hit(.mrz, at: start) }
        }
    }

    /// An ICAO 9303 machine-readable zone line (TD1, TD2, TD3 or a visa).
    static func isMRZ(_ line: [UInt8]) -> Bool {
        guard line.contains(UInt8(ascii: "<")) else { return false }
        let letterOrFiller = { (c: UInt8) in (65...90).contains(c) || c == 60 }
        // The first line: document code, issuing state, then the holder's name with `<<`.
        if line.count >= 30, "PIACV".utf8.contains(line[0]), letterOrFiller(line[1]), line[2..<5].allSatisfy(letterOrFiller),
            line.indices.dropLast().contains(where: { $0 >= 5 && line[$0] == 60 && line[$0 + 1] == 60 }), line[5..<min(line.count, 12)].contains(where: { $0 != 60 })
        {
            return true
        }
        // TD2/TD3 second line: document number, date of birth, expiry, each with a check digit.
        if line.count >= 28 {
            let valid = [Checksums.mrzField(line, 0..<9), Checksums.mrzField(line, 13..<19), Checksums.mrzField(line, 21..<27)].filter { $0 }.count
            if valid >= 2 { return true }
        }
        // TD1: first line document number; second line birth and expiry.
        if line.count >= 30 {
            if "IAC".utf8.contains(line[0]), Checksums.mrzField(line, 5..<14) { return true }
            if Checksums.mrzField(line, 0..<6) && Checksums.mrzField(line, 8..<14) { return true }
        }
        return false
    }

    // MARK: wallets

    private mutating func scanWallets() {
        for (index, word) in text.words.enumerated() where word.end - word.start >= 25 && word.letters > 0 && word.digits > 0 {
            let raw = text.scalars[word.start..<word.end]
            guard raw.allSatisfy(ScreenText.isASCIIAlphanumeric) else { continue }
            let bytes = raw.map { UInt8($0.value) }
            let lower = bytes.map { (65...90).contains($0) ? $0 + 32 : $0 }
            let isWallet =
                (bytes.count == 42 && lower.starts(with: Array("0x".utf8)) && lower.dropFirst(2).allSatisfy { (48...57).contains($0) || (97...102).contains($0) })
                || (["bc1", "tb1", "ltc1", "bcrt1"].contains { lower.starts(with: Array($0.utf8)) } && (bytes == lower || bytes.allSatisfy { !(97...122).contains($0) })
                    && Checksums.bech32Valid(lower))
                || Checksums.base58CheckValid(bytes)
                || ((bytes.count == 95 || bytes.count == 106) && (bytes[0] == UInt8(ascii: "4") || bytes[0] == UInt8(ascii: "8")) && bytes.allSatisfy(Checksums.isBase58))
                || (bytes.count <= 110 && cues.contains { $0.cue.isWallet && $0.endWord <= index && index - $0.endWord <= 6 })
            if isWallet { hit(.cryptoWallet, at: word.start) }
        }
    }
}

extension ScreenLexicon.Cue {
    var isWallet: Bool {
        if case .wallet = self { return true }
        return false
    }
}
