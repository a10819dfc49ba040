/// How much one answer frame may still hold: every listing (FETCH, QUEUE,
/// AUDIT, previews) fills its frame up to `limits.max-frame-bytes` and then
/// says `more`, so no answer exceeds what a peer's decoder accepts and no
/// single request makes the node build an unbounded message.
struct AnswerBudget {
    /// Room kept for the message's own fields (`more`, `node`, brackets).
    static let reserve = 4096

    private(set) var remaining: Int
    private var taken = 0

    init(frameBytes: Int) {
        remaining = max(0, frameBytes - AnswerBudget.reserve)
    }

    /// Whether an entry of `bytes` still fits; the first entry always does
    /// (a single report is at most limits.max-report-bytes, below a frame).
    mutating func take(_ bytes: Int) -> Bool {
        guard taken == 0 || bytes <= remaining else { return false }
        remaining -= min(remaining, bytes)
        taken += 1
        return true
    }
}
