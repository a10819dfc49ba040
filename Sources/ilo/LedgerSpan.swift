import ILONet

/// `--from DAY --to DAY` of the commands that read the statistics ledger
/// (`ilo report activity`, `ilo trend`): both required, whole days, in order.
struct LedgerSpan {
    let from: String
    let to: String

    /// Reads the two options; `init` checks them once the command's other arguments are read.
    static func options(_ arguments: inout Arguments) throws(UsageError) -> (from: String?, to: String?) {
        (try arguments.option("from"), try arguments.option("to"))
    }

    init(_ options: (from: String?, to: String?), command: String) throws(UsageError) {
        guard let from = options.from, let to = options.to else {
            throw UsageError("\(command) needs --from and --to, e.g. --from 2025-01-01 --to 2026-12-31")
        }
        for (name, value) in [("from", from), ("to", to)] where value.count != 10 || ReportDate.parse(value) == nil {
            throw UsageError("--\(name): \"\(value)\" is not a date like 2026-12-31")
        }
        guard from <= to else { throw UsageError("--to \(to) is before --from \(from)") }
        self.from = from
        self.to = to
    }
}
