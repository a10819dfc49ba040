/// How well one report matches a search's words, from that report's own text
/// alone (docs/REPORTS.md §10). It is BM25's term-frequency part — each word's
/// occurrences saturate (k1 = 1.2) and are normalised by the field's length
/// against a fixed typical length (b = 0.75) — without BM25's inverse document
/// frequency and average length, which are statistics over every report in the
/// index, the withheld ones included: with them, reports a reader may not read
/// would move the order of those they may (issue 27). The headline counts
/// twice as much as the body.
///
/// The counts come from FTS5 itself (`ilo_rank`, SearchRanking+FTS5.swift): the
/// instances of each query word in each column, as FTS5's own tokenizer matched
/// them (case, accents and prefixes alike), and each column's length in tokens.
enum SearchRanking {
    static let k1 = 1.2
    static let b = 0.75
    /// Weight and typical length in words of the indexed columns: headline, body.
    /// Constants, the same for every search and report.
    static let weights = [2.0, 1.0]
    static let typicalLengths = [8.0, 80.0]

    /// The score of one report: `counts[word][column]` instances of each query
    /// word, and each column's length in tokens.
    static func score(counts: [[Int]], lengths: [Int]) -> Double {
        var total = 0.0
        for (column, weight) in weights.enumerated() where column < lengths.count && lengths[column] > 0 {
            let norm = 1 - b + b * Double(lengths[column]) / typicalLengths[column]
            for word in counts where column < word.count && word[column] > 0 {
                let tf = Double(word[column])
                total += weight * tf * (k1 + 1) / (tf + k1 * norm)
            }
        }
        return total
    }
}
