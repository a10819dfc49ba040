import ILONet

/// `ilo export events` (docs/REPORTS.md §11.2): border events as CSV whose
/// columns after the first five are information items of Implementing
/// Regulation (EU) 2021/581 Annex 2, point 1 (a single event report on an
/// unauthorised border crossing), numbered as in the annex; items ILONet's
/// reports do not carry are left empty. Read from the German text of the annex
/// (gesetze.legal, "Anhang 2 VO (EU) 2021/581"), which could be read only up to
/// item 1.2(h); the items after it are not columns. This is not the EUROSUR
/// exchange format (not public); it is a table for a national coordination
/// centre's own tools.
public enum EventAnnexExport {
    /// The header, item by item (`Tests/ILONetTests/Fixtures/annex2-events-header.csv`).
    public static let header = [
        "event", "first_report", "owner", "status", "impact",
        "1.1(a) attempted or actual illegal border crossing",
        "1.1(b) open or clandestine border crossing",
        "1.2(a) time and place",
        "1.2(b) destination: entry into or exit from the Schengen area, or unknown",
        "1.2(c) last country of embarkation (sea ports and airports only)",
        "1.2(d) country of destination",
        "1.2(e) purpose of the illegal border crossing",
        "1.2(f) circumstances of detection",
        "1.2(g) attempts to avoid border control",
        "1.2(h) means of transport",
    ]

    /// One row per border event whose first report is among `rows` (an EXPORT
    /// of kind border), in the first report's creation order.
    public static func csv(_ rows: [(report: JSONValue, event: JSONValue?)]) -> String {
        let first = rows.filter { $0.event?["id"] != nil && $0.event?["id"] == $0.report["id"] }.sorted {
            ($0.report["created"]?.stringValue ?? "", $0.report["id"]?.stringValue ?? "") < ($1.report["created"]?.stringValue ?? "", $1.report["id"]?.stringValue ?? "")
        }
        return CSV.row(header) + first.map { row in CSV.row(cells(row.report, row.event ?? .null)) }.joined()
    }

    static func cells(_ report: JSONValue, _ event: JSONValue) -> [String] {
        let body = report["body"] ?? .null
        let crossing: String
        switch body["situation_type"]?.stringValue {
        case "irregular-crossing": crossing = "actual"
        case "attempted-crossing": crossing = "attempted"
        default: crossing = ""
        }
        var place: [String] = []
        if let time = body["time"]?.stringValue { place.append(time) }
        if let point = body["location"]?["crossing_point"]?.stringValue { place.append(point) }
        if let coordinates = body["location"]?["coordinates"], let latitude = coordinates["latitude"], let longitude = coordinates["longitude"] {
            place.append("\(latitude.encodedString()) \(longitude.encodedString())")
        }
        let status = event["status"]?.stringValue == "closed" ? "closed (\(event["close_reason"]?.stringValue ?? ""))" : event["status"]?.stringValue ?? ""
        return [
            event["id"]?.stringValue ?? "", report["id"]?.stringValue ?? "", event["owner"]?.stringValue ?? "", status, event["impact"]?.stringValue ?? "",
            crossing, "", place.joined(separator: "; "), "", "", "", "", "", "", "",
        ]
    }
}
