import Foundation

/// How well one report matches a search's words, from that report's own text
/// alone (docs/REPORTS.md §10). It is BM25's term-frequency part — each word's
/// occurrences saturate (k1 = 1.2) and are normalised by the field's length
/// against a fixed typical length (b = 0.75) — without BM25's inverse document
/// frequency and average length, which are statistics over every report in the
/// index, the withheld ones included: with them, reports a reader may not read
/// would move the order of those they may (issue 27). The headline counts
/// twice as much as the body.
///
/// Its input is FTS5's `highlight()` of each column, so a word counts exactly
/// where FTS5's own tokenizer matched it (case, accents and prefixes alike).
struct SearchRanking {
    static let k1 = 1.2
    static let b = 0.75
    static let headlineWeight = 2.0
    /// Typical lengths in words: constants, the same for every search and report.
    static let typicalHeadline = 8.0
    static let typicalBody = 80.0

    /// The query's words, folded (lower case, no accents), and whether each is a prefix (`word*`).
    private let words: [(text: String, prefix: Bool)]

    init(words: [String]) {
        self.words = words.map { word in
            let prefix = word.hasSuffix("*")
            return (SearchRanking.fold(prefix ? String(word.dropLast()) : word), prefix)
        }
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    func score(headline: String, body: String) -> Double {
        SearchRanking.headlineWeight * score(highlighted: headline, typical: SearchRanking.typicalHeadline)
            + score(highlighted: body, typical: SearchRanking.typicalBody)
    }

    /// One column: the text with each match between U+0002 and U+0003.
    func score(highlighted text: String, typical: Double) -> Double {
        var counts = [Int](repeating: 0, count: words.count)
        var length = 0
        var inWord = false
        var inMatch = false
        var match: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case 0x02:
                inMatch = true
                match.removeAll(keepingCapacity: true)
                inWord = false
            case 0x03:
                inMatch = false
                count(match, into: &counts)
                inWord = false
            default:
                // Letters and digits (every byte of a non-ASCII character counts as one) make words.
                let wordByte = byte >= 0x80 || (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                if wordByte && !inWord { length += 1 }
                inWord = wordByte
                if inMatch { match.append(byte) }
            }
        }
        guard length > 0 else { return 0 }
        let norm = 1 - SearchRanking.b + SearchRanking.b * Double(length) / typical
        var total = 0.0
        for tf in counts where tf > 0 {
            total += Double(tf) * (SearchRanking.k1 + 1) / (Double(tf) + SearchRanking.k1 * norm)
        }
        return total
    }

    /// Counts each word of a highlighted stretch against the query word it matches.
    private func count(_ bytes: [UInt8], into counts: inout [Int]) {
        for token in String(decoding: bytes, as: UTF8.self).split(whereSeparator: { !$0.isLetter && !$0.isNumber }) {
            let folded = SearchRanking.fold(String(token))
            if let index = words.firstIndex(where: { $0.prefix ? folded.hasPrefix($0.text) : folded == $0.text }) {
                counts[index] += 1
            }
        }
    }
}
