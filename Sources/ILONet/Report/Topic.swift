/// Topics are derived from the envelope and body, never chosen by the sender:
///
/// | kind | topic |
/// |---|---|
/// | smuggling | `smuggling/COUNTRY/MODE`, MODE `sea`, `land`, `air` or `mixed` from means_of_transport |
/// | return | `return/COUNTRY/NATIONALITY` |
/// | border | `border/COUNTRY/SITUATION_TYPE` |
/// | notice | `notice/COUNTRY/EVENT` |
/// | consent | `consent/COUNTRY/DECISION` |
/// | deployment | `deployment/COUNTRY/ROLE` |
/// | interest | `interest/several/NODE` |
/// | erasure | `erasure/COUNTRY/ACTION` |
///
/// Levels never contain `/`, `+` or `#`, so MQTT-style filters apply.
public enum Topic {
    public static func derive(kind: ReportKind, country: String, body: JSONValue) -> String {
        let third: String
        switch kind {
        case .smuggling:
            let means = Set((body["means_of_transport"]?.arrayValue ?? []).compactMap(\.stringValue))
            var modes = Set<String>()
            for m in means {
                switch m {
                case "boat", "rubber-boat", "ship": modes.insert("sea")
                case "air": modes.insert("air")
                case "other": break
                default: modes.insert("land")
                }
            }
            third = modes.count == 1 ? modes.first! : modes.isEmpty ? "other" : "mixed"
        case .return:
            third = body["nationality"]?.stringValue ?? "unknown"
        case .border:
            third = body["situation_type"]?.stringValue ?? "other"
        case .notice:
            third = body["event"]?.stringValue ?? "other"
        case .digest:
            third = body["period"]?.stringValue ?? "preview"
        case .consent:
            third = body["decision"]?.stringValue ?? "requested"
        case .deployment:
            third = body["role"]?.stringValue ?? "officer"
        case .erasure:
            third = body["action"]?.stringValue ?? "erase"
        case .event:
            third = body["action"]?.stringValue ?? "assess-impact"
        case .interest:
            // A node name has dots but no `/`, `+` or `#` (Interest.problem checks the author).
            third = (body["node"]?.stringValue ?? "node").filter { $0 != "/" && $0 != "+" && $0 != "#" }
        }
        return "\(kind.rawValue)/\(country)/\(third)"
    }
}
