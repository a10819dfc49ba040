import ILONet

/// `ilo export reports` (docs/REPORTS.md §11): reports as RFC 4180 CSV for a
/// reader's own tools. One row per report, in creation order (then id); the
/// columns are the envelope's routing and evaluation fields and the kind's
/// body fields flattened by the schema (`body.route.origin`), never a field that
/// holds personal data, never the author's identity (only their authority and
/// state), and free text only when asked for. The same reports give the same
/// bytes.
public enum ReportExport {
    public struct Column: Sendable {
        public let name: String
        let value: @Sendable (_ report: JSONValue, _ event: JSONValue?) -> String
    }

    /// A value as one cell: strings as they are, numbers canonical, lists of
    /// plain values joined with `;`, objects and lists of objects as compact JSON.
    static func cell(_ value: JSONValue?) -> String {
        guard let value else { return "" }
        switch value {
        case .null: return ""
        case .string(let text): return text
        case .array(let items) where items.allSatisfy({ if case .object = $0 { false } else if case .array = $0 { false } else { true } }):
            return items.map { cell($0) }.joined(separator: ";")
        case .array, .object: return value.encodedString()
        default: return value.encodedString()
        }
    }

    /// The columns for `kind`: the envelope's, then the body's.
    public static func columns(kind: ReportKind, freeText: Bool) -> [Column] {
        func envelope(_ name: String) -> Column { Column(name: name) { report, _ in cell(report[name]) } }
        var columns: [Column] = [
            envelope("id"),
            Column(name: "event") { _, event in event?["id"]?.stringValue ?? "" },
            envelope("follow_up_of"), envelope("related"), envelope("kind"), envelope("country"), envelope("created"), envelope("expires"),
            Column(name: "origin.authority") { report, _ in cell(report["origin"]?["authority"]) },
            Column(name: "origin.state") { report, _ in cell(report["origin"]?["state"]) },
            envelope("on_behalf_of"), envelope("priority"), envelope("handling"), envelope("reliability"), envelope("accuracy"), envelope("level"),
            Column(name: "attachments") { report, _ in report["attachments"]?.arrayValue.map { String($0.count) } ?? "0" },
        ]
        if freeText { columns.append(envelope("headline")) }
        func walk(_ schema: ObjectSchema, _ path: [String]) {
            for field in schema.fields where field.personalData == nil {
                let here = path + [field.name]
                switch field.type {
                case .text where !freeText: continue
                case .object(let inner):
                    walk(inner, here)
                default:
                    columns.append(Column(name: "body." + here.joined(separator: ".")) { report, _ in
                        var value: JSONValue? = report["body"]
                        for key in here { value = value?[key] }
                        return cell(value)
                    })
                }
            }
        }
        walk(BodySchemas.schema(for: kind), [])
        return columns
    }

    /// The CSV: a header of column names, then one row per report (creation time, then id).
    public static func csv(_ rows: [(report: JSONValue, event: JSONValue?)], kind: ReportKind, freeText: Bool) -> String {
        let columns = columns(kind: kind, freeText: freeText)
        let sorted = rows.sorted {
            let a = ($0.report["created"]?.stringValue ?? "", $0.report["id"]?.stringValue ?? "")
            let b = ($1.report["created"]?.stringValue ?? "", $1.report["id"]?.stringValue ?? "")
            return a < b
        }
        return CSV.row(columns.map(\.name)) + sorted.map { row in CSV.row(columns.map { $0.value(row.report, row.event) }) }.joined()
    }
}
