import ILONet

/// The deployment register for people (`ilo directory`): who is where, for
/// whom, until when; and the list Regulation (EU) 2019/1240 Art. 8 asks for.
public enum Directory {
    /// The entries of a DIRECTORY-LIST answer.
    public static func entries(_ answer: JSONValue) -> [RegisterEntry] { RegisterList.entries(answer) }

    /// Those in force on `day`, posted to `country` (if given), of or representing `state` (if given).
    public static func select(_ entries: [RegisterEntry], on day: String, country: String?, state: String?) -> [RegisterEntry] {
        RegisterList.select(entries, on: day, country: country, state: state)
    }

    static func posts(_ entry: RegisterEntry) -> String {
        entry.posts.isEmpty ? "-" : entry.posts.map { post in post.place.map { "\($0) (\(post.country))" } ?? post.country }.joined(separator: ", ")
    }

    static func represents(_ entry: RegisterEntry) -> String {
        entry.represents.isEmpty ? "-" : entry.represents.map { "\($0.state) (\($0.arrangement))" }.joined(separator: ", ")
    }

    /// A table for the terminal.
    public static func table(_ entries: [RegisterEntry]) -> String {
        var lines = ["IDENTITY                 NAME                     ROLE       STATE  AUTHORITY   POSTS                     UNTIL       REPRESENTS"]
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        for entry in entries {
            lines.append([
                pad(entry.identity, 23), pad(entry.displayName ?? "-", 23), pad(entry.role, 9), pad(entry.state, 5), pad(entry.authority, 10),
                pad(posts(entry), 24), pad(entry.until ?? "-", 10), represents(entry),
            ].map(TerminalText.line).joined(separator: "  "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The Art. 8 list: one row per post of each officer in force on the day.
    /// Columns: country, post, state, authority, function, from, until, represents.
    public static func export(_ entries: [RegisterEntry], format: String) -> String {
        let (header, rows) = exportTable(entries)
        if format == "md" {
            func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
            return (["| " + header.joined(separator: " | ") + " |", "|" + header.map { _ in "---" }.joined(separator: "|") + "|"]
                + rows.map { "| " + $0.map(cell).joined(separator: " | ") + " |" }).joined(separator: "\n") + "\n"
        }
        return ([header] + rows).map(CSV.row).joined()
    }

    /// The Art. 8 list as a header and rows.
    public static func exportTable(_ entries: [RegisterEntry]) -> (header: [String], rows: [[String]]) { RegisterList.deployedOfficers(entries) }
}
