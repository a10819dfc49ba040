/// One free-text value prepared for the screen: digits in any script made
/// ASCII, invisible characters (zero-width, soft hyphen, tatweel, Arabic
/// vowel marks) dropped so that they cannot split an identifier, a lower-case
/// copy of the same length, and the words.
struct ScreenText {
    /// The normalised text.
    private(set) var scalars: [Unicode.Scalar] = []
    /// `scalars` lower-cased one for one (same indices), Arabic alef forms unified.
    private(set) var lower: [Unicode.Scalar] = []
    /// For each normalised scalar, its 1-based character position in the
    /// original; empty for ASCII text, where scalar `i` is character `i + 1`.
    private var positions: [Int] = []
    private(set) var words: [Word] = []

    /// A run of letters and digits, joined across `-`, `.`, `'`, `’` and `/`
    /// when a letter or digit follows (`a.k.a`, `Pass-Nr`, `12.03.1990`, `5-123456`).
    struct Word {
        let start: Int
        let end: Int
        /// Lower-cased, normalised.
        let text: String
        /// All ASCII: `text` compares byte for byte (no combining marks to
        /// make two spellings of one character).
        let ascii: Bool
        let capitalized: Bool
        let digits: Int
        let letters: Int
        let arabic: Bool
    }

    init(_ text: String) {
        // ASCII (most free text, and every byte of it in the common case) has
        // nothing to drop or map: the three arrays come straight from the bytes.
        if let ascii = ScreenText.ascii(text) {
            (scalars, lower) = ascii
            tokenize()
            return
        }
        scalars.reserveCapacity(text.utf8.count)
        var position = 0
        for scalar in text.unicodeScalars {
            position += 1
            let v = scalar.value
            switch v {
            case 0x200B...0x200F, 0x2060...0x2064, 0xFEFF, 0x00AD, 0x0640, 0x064B...0x0652, 0x202A...0x202E:
                continue
            case 0x0660...0x0669: append(Unicode.Scalar(v - 0x0660 + 0x30)!, position)
            case 0x06F0...0x06F9: append(Unicode.Scalar(v - 0x06F0 + 0x30)!, position)
            case 0xFF10...0xFF19, 0xFF20...0xFF3A, 0xFF41...0xFF5A: append(Unicode.Scalar(v - 0xFEE0)!, position)  // full-width
            case 0x00A0, 0x2007, 0x202F: append(" ", position)
            case 0x2010...0x2013: append("-", position)
            default: append(scalar, position)
            }
        }
        tokenize()
    }

    /// Scalars and lower-cased scalars of an ASCII text, read from its bytes
    /// in one pass; nil when the text is not all ASCII.
    private static func ascii(_ text: String) -> ([Unicode.Scalar], [Unicode.Scalar])? {
        var text = text
        return text.withUTF8 { bytes in
            var isASCII = true
            for byte in bytes where byte >= 0x80 {
                isASCII = false
                break
            }
            guard isASCII else { return nil }
            var lower: [Unicode.Scalar] = []
            let scalars = [Unicode.Scalar](unsafeUninitializedCapacity: bytes.count) { scalars, count in
                lower = [Unicode.Scalar](unsafeUninitializedCapacity: bytes.count) { lower, lowerCount in
                    for (i, byte) in bytes.enumerated() {
                        scalars[i] = Unicode.Scalar(byte)
                        lower[i] = Unicode.Scalar(byte >= 0x41 && byte <= 0x5A ? byte + 32 : byte)
                    }
                    lowerCount = bytes.count
                }
                count = bytes.count
            }
            return (scalars, lower)
        }
    }

    /// The 1-based character position in the original text of scalar `index`
    /// (the last one's for an index past the end).
    func position(of index: Int) -> Int {
        guard !positions.isEmpty else { return min(index, scalars.count - 1) + 1 }
        return positions[min(index, positions.count - 1)]
    }

    private mutating func append(_ scalar: Unicode.Scalar, _ position: Int) {
        scalars.append(scalar)
        positions.append(position)
        lower.append(ScreenText.lowercase(scalar))
    }

    static func lowercase(_ s: Unicode.Scalar) -> Unicode.Scalar {
        let v = s.value
        if v < 0x80 { return (0x41...0x5A).contains(v) ? Unicode.Scalar(v + 32)! : s }
        switch v {
        case 0x0622, 0x0623, 0x0625: return "\u{0627}"  // آ أ إ → ا
        default: return s.properties.lowercaseMapping.unicodeScalars.first ?? s
        }
    }

    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 { return isASCIIAlphanumeric(s) }
        return s.properties.isAlphabetic || s.properties.generalCategory == .nonspacingMark || s.properties.numericType != nil
    }

    static func isASCIIAlphanumeric(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return (0x30...0x39).contains(v) || (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v)
    }

    static func isDigit(_ s: Unicode.Scalar) -> Bool { (0x30...0x39).contains(s.value) }

    // ASCII answers without Unicode's property tables: the screen runs on every
    // report's free text on the event loop, and the table lookups were its
    // largest cost (docs/PERFORMANCE.md, the profile). Same answers as the properties.
    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return (0x41...0x5A).contains(v) || (0x61...0x7A).contains(v) }
        return s.properties.isAlphabetic
    }

    static func isUppercase(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x80 { return (0x41...0x5A).contains(v) }
        return s.properties.isUppercase
    }

    /// `-`, `.`, `'`, `’` and `/`: they join letters and digits on both sides into one word.
    static func isJoiner(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x2D, 0x2E, 0x27, 0x2019, 0x2F: true
        default: false
        }
    }

    private mutating func tokenize() {
        var i = 0
        let n = scalars.count
        while i < n {
            guard ScreenText.isWordScalar(scalars[i]) else {
                i += 1
                continue
            }
            // One pass: the word's extent and its counts together.
            let start = i
            var digits = 0, letters = 0, arabic = false, ascii = true
            while i < n {
                let s = scalars[i]
                if ScreenText.isWordScalar(s) {
                    if s.value >= 0x80 { ascii = false }
                    if ScreenText.isDigit(s) {
                        digits += 1
                    } else if ScreenText.isLetter(s) {
                        letters += 1
                        if (0x0600...0x06FF).contains(s.value) { arabic = true }
                    }
                    i += 1
                } else if ScreenText.isJoiner(s), i + 1 < n, ScreenText.isWordScalar(scalars[i + 1]) {
                    if s.value >= 0x80 { ascii = false }
                    i += 1
                } else {
                    break
                }
            }
            words.append(
                Word(
                    start: start, end: i, text: ScreenText.string(lower[start..<i], ascii: ascii), ascii: ascii,
                    capitalized: ScreenText.isUppercase(scalars[start]), digits: digits, letters: letters, arabic: arabic))
        }
    }

    /// The text between two indices, lower-cased.
    func lowerText(_ range: Range<Int>) -> String { ScreenText.string(lower[range]) }

    /// Scalars as a string; ASCII (most words) written byte by byte.
    static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        string(scalars, ascii: scalars.allSatisfy { $0.value < 0x80 })
    }

    /// Scalars as a string, when the caller knows whether they are all ASCII.
    private static func string(_ scalars: ArraySlice<Unicode.Scalar>, ascii: Bool) -> String {
        guard ascii else {
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            return text
        }
        return String(unsafeUninitializedCapacity: scalars.count) { buffer in
            for (offset, scalar) in scalars.enumerated() { buffer[offset] = UInt8(truncatingIfNeeded: scalar.value) }
            return scalars.count
        }
    }

    /// The index of the first word that starts at or after `index`.
    func word(startingAtOrAfter index: Int) -> Int {
        var low = 0, high = words.count
        while low < high {
            let mid = (low + high) / 2
            if words[mid].start < index { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
