/// Reading the deployment register as DIRECTORY answers it: the entries in
/// force on a day, and the list of deployed officers Regulation (EU) 2019/1240
/// Art. 8 asks for (`ilo directory`, `ilo report activity`, the web view's
/// activity report).
public enum RegisterList {
    /// The entries of a DIRECTORY-LIST answer.
    public static func entries(_ answer: JSONValue) -> [RegisterEntry] {
        (answer["entries"]?.arrayValue ?? []).compactMap { item in
            guard let id = item["entry"]?.stringValue, let written = item["written"]?.stringValue.flatMap(Timestamp.parse) else { return nil }
            return RegisterEntry(body: item, entryID: id, created: written)
        }
    }

    /// Those in force on `day`, posted to `country` (if given), of or representing `state` (if given).
    public static func select(_ entries: [RegisterEntry], on day: String, country: String?, state: String?) -> [RegisterEntry] {
        entries.filter { entry in
            guard entry.isInForce(on: day) else { return false }
            if let country, !entry.posts.contains(where: { $0.country == country }) { return false }
            if let state, entry.state != state && !entry.represented(on: day).contains(state) { return false }
            return true
        }.sorted { ($0.posts.first?.country ?? "", $0.state, $0.identity) < ($1.posts.first?.country ?? "", $1.state, $1.identity) }
    }

    /// The Art. 8 list as a header and rows.
    public static func deployedOfficers(_ entries: [RegisterEntry]) -> (header: [String], rows: [[String]]) {
        let header = ["country", "post", "state", "authority", "function", "from", "until", "represents"]
        var rows: [[String]] = []
        for entry in entries where entry.role == "officer" {
            for post in entry.posts {
                rows.append([
                    ISOCodes.countryName(post.country).map { "\($0) (\(post.country))" } ?? post.country, post.place ?? "", entry.state, entry.authority,
                    entry.function ?? "", entry.from, entry.until ?? "", entry.represents.map(\.state).joined(separator: " "),
                ])
            }
        }
        return (header, rows)
    }
}
