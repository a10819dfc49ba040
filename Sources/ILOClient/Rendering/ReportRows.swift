import ILONet

/// Listings of reports for people (docs/CLI.md §2): one row per report that
/// fits 80 columns — unread mark, priority, handling, time, the author's
/// authority, country, the headline cut at a word, and a short id `ilo show`
/// takes. Rows whose headlines are the same name the author and the time, so
/// they can be told apart. `--wide` gives the full id instead of the short one.
public enum ReportRows {
    /// One report as a listing shows it.
    public struct Row: Sendable {
        public var id: String
        public var priority: String
        public var handling: String
        public var createdMilliseconds: Int64?
        public var authority: String
        public var author: String
        public var country: String
        public var headline: String
        /// nil: the listing has no read state (search, sent).
        public var read: Bool?

        public init(report: JSONValue, read: Bool? = nil) {
            func s(_ key: String) -> String { report[key]?.stringValue ?? "" }
            id = s("id")
            priority = s("priority")
            handling = s("handling")
            createdMilliseconds = Timestamp.parse(s("created"))
            authority = report["origin"]?["authority"]?.stringValue ?? report["authority"]?.stringValue ?? ""
            author = report["origin"]?["officer"]?.stringValue ?? report["author"]?.stringValue ?? ""
            country = s("country")
            headline = s("headline")
            self.read = read
        }
    }

    /// The width every row fits in (one column is left for the cursor).
    public static let width = 79

    /// The last eight hexadecimal digits of a report id: the random end of a
    /// UUIDv7 (its start is the creation time, the same for reports of the
    /// same minute). `ilo show` and `ilo read` accept it.
    public static func shortID(_ id: String) -> String {
        String(id.filter(\.isHexDigit).suffix(8))
    }

    public static func header(wide: Bool) -> String {
        let head = "  PRIO  H   WHEN   FROM      CC  HEADLINE"
        return wide ? head : pad(head, width - 8) + "ID"
    }

    /// The rows of a listing, in the order given. `now` decides between a
    /// time (today) and a date (before).
    public static func lines(_ rows: [Row], wide: Bool = false, now: Int64 = Timestamp.nowMilliseconds()) -> [String] {
        var headlines: [String: Int] = [:]
        for row in rows { headlines[row.headline, default: 0] += 1 }
        let today = String(Timestamp.format(milliseconds: now).prefix(10))
        return rows.map { row in
            let mark = row.read == false ? "•" : " "
            let time = row.createdMilliseconds.map { ReportRows.when(of: $0, today: today) } ?? "?"
            let headline = TerminalText.line(row.headline)
            // The same headline more than once: who and when (to the second) tell them apart.
            var suffix = ""
            if headlines[row.headline, default: 0] > 1 {
                let stamp = row.createdMilliseconds.map { Timestamp.format(milliseconds: $0) } ?? "?"
                let at = stamp.hasPrefix(today) ? String(stamp.dropFirst(11).prefix(8)) : "\(time) \(stamp.dropFirst(11).prefix(5))"
                let who = TerminalText.line(String(row.author.split(separator: ".").last ?? Substring(row.author)))
                suffix = " (\(who), \(at))"
            }
            let fixed = [
                mark + " " + pad(shortPriority(row.priority), 5), pad(row.handling, 2) + " ", pad(time, 6),
                pad(cut(TerminalText.line(row.authority), 9), 9), pad(TerminalText.line(row.country), 2) + " ",
            ].joined(separator: " ")
            if wide { return fixed + " " + headline + suffix + "  " + row.id }
            let room = width - fixed.count - 1 - 10
            return fixed + " " + pad(cut(headline, max(10, room - suffix.count)) + suffix, room) + "  " + shortID(row.id)
        }
    }

    static func shortPriority(_ priority: String) -> String {
        switch priority {
        case "flash": "FLASH"
        case "immediate": "IMMED"
        case "priority": "prio"
        case "routine": ""
        default: String(priority.prefix(5))
        }
    }

    /// HH:MM for today (UTC), else the day and month.
    static func when(of milliseconds: Int64, today: String) -> String {
        let stamp = Timestamp.format(milliseconds: milliseconds)
        if stamp.hasPrefix(today) { return String(stamp.dropFirst(11).prefix(5)) }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let month = Int(stamp.dropFirst(5).prefix(2)).map { months[max(0, min(11, $0 - 1))] } ?? "?"
        return "\(stamp.dropFirst(8).prefix(2)) \(month)"
    }

    /// `text` in at most `width` characters, cut at a word with "…".
    public static func cut(_ text: String, _ width: Int) -> String {
        guard text.count > width, width > 1 else { return text }
        let head = text.prefix(width - 1)
        if let space = head.lastIndex(of: " "), head.distance(from: head.startIndex, to: space) > width / 2 {
            return String(head[..<space]) + "…"
        }
        return String(head) + "…"
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
