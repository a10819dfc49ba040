/// RFC 4180 CSV: the fields of a row, quoted only when they must be.
public enum CSV {
    /// `text` as one field: quoted when it holds a comma, a quote or a line break.
    public static func field(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// One record, CRLF-terminated.
    public static func row(_ fields: [String]) -> String { fields.map(field).joined(separator: ",") + "\r\n" }
}
