/// The nearest known name to a mistyped one, for "did you mean" hints.
public enum DidYouMean {
    /// The closest of `candidates` to `name` within two edits (and a third of its
    /// length), or nil.
    public static func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
        let limit = min(2, max(1, name.count / 3))
        var best: (String, Int)?
        for candidate in candidates where candidate != name {
            guard abs(candidate.count - name.count) <= limit else { continue }
            let distance = editDistance(Array(name.utf8), Array(candidate.utf8))
            if distance <= limit && (best == nil || distance < best!.1) { best = (candidate, distance) }
        }
        return best?.0
    }

    /// Levenshtein distance over bytes.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
