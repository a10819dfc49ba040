import Foundation
import ILONet

/// The search benchmark (docs/PERFORMANCE.md): a store filled with synthetic
/// reports whose text is drawn from a fixed vocabulary with Zipf-like word
/// frequencies, and queries for rare, middling and common words against a node
/// serving that store. The same seed gives the same store and the same queries.
public enum SearchBench {
    /// The vocabulary: pseudo-words made of syllables, most frequent first.
    public static func vocabulary(size: Int = 5000) -> [String] {
        let syllables = ["ka", "lo", "mi", "ra", "tu", "ne", "zo", "fi", "da", "sh", "ve", "qu", "ba", "ri", "go", "le", "pa", "xu", "hy", "wo"]
        var words: [String] = []
        var n = 0
        while words.count < size {
            var x = n, word = ""
            repeat {
                word += syllables[x % syllables.count]
                x /= syllables.count
            } while x > 0
            if word.count >= 4 { words.append(word + "n") }
            n += 1
        }
        return words
    }

    /// A small deterministic generator (SplitMix64).
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        /// A rank in 0..<size, Zipf-like: rank r is drawn with probability about 1/(r+1).
        mutating func zipf(_ size: Int) -> Int {
            let u = Double(next() >> 11) / Double(1 << 53)
            return min(size - 1, Int(exp(u * log(Double(size + 1)))) - 1)
        }
    }

    /// Writes `count` smuggling reports into a new store at `path` (batches of 10,000 per
    /// transaction); returns the seconds it took. Officers `officer.de.mueller`
    /// and `officer.it.rossi`, country LY, created now, so a board member reads them.
    public static func fill(store path: String, count: Int, seed: UInt64 = 1, progress: (Int) -> Void = { _ in }) throws -> Double {
        let store = try ReportStore(path: path)
        try store.database.execute("PRAGMA synchronous=OFF")
        let words = vocabulary()
        var random = Generator(state: seed)
        let started = Date()
        let origins = [Origin(officer: "officer.de.mueller", authority: "DE-BPOL", state: "DE"), Origin(officer: "officer.it.rossi", authority: "IT-PS", state: "IT")]
        let now = Timestamp.format(milliseconds: Timestamp.nowMilliseconds())
        var written = 0
        while written < count {
            try store.database.execute("BEGIN")
            for _ in 0..<min(10_000, count - written) {
                func text(_ n: Int) -> String { (0..<n).map { _ in words[random.zipf(words.count)] }.joined(separator: " ") }
                let body: JSONValue = [
                    "route": ["origin": ["NE"], "transit": ["LY"], "destination": ["IT"]], "means_of_transport": ["truck"],
                    "modus_operandi": .string(text(30)),
                ]
                let document: JSONValue = [
                    "id": .string(ReportID.generate().description), "kind": "smuggling", "body": body, "country": "LY", "priority": "routine",
                    "created": .string(now), "headline": .string("bench " + text(5)), "reliability": "B", "accuracy": 2, "level": "strategic",
                ]
                let report = try Report.validate(document, sender: origins[Int(random.next() % 2)], screening: false)
                _ = try store.insert(report, document: report.canonicalEncoding, receivedMilliseconds: Timestamp.nowMilliseconds())
            }
            _ = try store.indexPending(limit: 10_000)
            try store.database.execute("COMMIT")
            written += min(10_000, count - written)
            progress(written)
        }
        try store.database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return Date().timeIntervalSince(started)
    }

    /// The queries: `perClass` each of one rare, one middling and one common
    /// word, and of two middling words; with the vocabulary rank each was drawn from.
    public static func queries(perClass: Int, seed: UInt64 = 7) -> [(kind: String, text: String)] {
        let words = vocabulary()
        var random = Generator(state: seed)
        var out: [(String, String)] = []
        for _ in 0..<perClass {
            out.append(("rare", words[3000 + Int(random.next() % 2000)]))
            out.append(("middling", words[100 + Int(random.next() % 400)]))
            out.append(("common", words[Int(random.next() % 10)]))
            out.append(("two words", words[100 + Int(random.next() % 400)] + " " + words[100 + Int(random.next() % 400)]))
        }
        return out
    }
}
