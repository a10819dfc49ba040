/// Building the web view's HTML: every piece of text from a report, an
/// identity or a request goes through `escape`; markup is only ever written
/// here and in the page functions, never taken from data. The SVG charts and
/// the activity report's HTML document escape with the same function.
enum HTML {
    /// Text for an element or a quoted attribute, in HTML or XML; control
    /// characters (which XML 1.0 does not allow) are left out.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            // Control characters (other than tab and line ends) are shown as nothing.
            case _ where scalar.value < 32 && scalar != "\t" && scalar != "\n" && scalar != "\r": break
            case _ where scalar.value == 0x7F: break
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A search snippet: the store marks matched words with U+0002 … U+0003;
    /// they become `<mark>` around escaped text.
    static func snippet(_ text: String) -> String {
        var out = ""
        var open = false
        var run = ""
        for scalar in text.unicodeScalars {
            if scalar.value == 2 && !open {
                out += escape(run) + "<mark>"
                run = ""
                open = true
            } else if scalar.value == 3 && open {
                out += escape(run) + "</mark>"
                run = ""
                open = false
            } else {
                run.unicodeScalars.append(scalar)
            }
        }
        out += escape(run)
        return open ? out + "</mark>" : out
    }

    /// `href` for a path and query (values percent-encoded, then escaped for the attribute).
    static func link(_ path: String, _ query: [(String, String?)] = []) -> String {
        let parameters = query.compactMap { name, value in value.map { "\(name)=\(HTTPRequest.percentEncode($0))" } }
        return escape(parameters.isEmpty ? path : path + "?" + parameters.joined(separator: "&"))
    }

    static func table(
        _ header: [String], _ rows: [[String]], numericColumns: Set<Int> = [], caption: String? = nil, escaped: Bool = false, cssClass: String? = nil
    ) -> String {
        var out = "<div class=\"scroll\"><table\(cssClass.map { " class=\"\(escape($0))\"" } ?? "")>"
        if let caption { out += "<caption>\(escape(caption))</caption>" }
        out += "<thead><tr>" + header.enumerated().map { "<th\(numericColumns.contains($0.offset) ? " class=\"num\"" : "")>\(escape($0.element))</th>" }.joined() + "</tr></thead><tbody>"
        for row in rows {
            out += "<tr>" + row.enumerated().map { "<td\(numericColumns.contains($0.offset) ? " class=\"num\"" : "")>\(escaped ? $0.element : escape($0.element))</td>" }.joined() + "</tr>"
        }
        return out + "</tbody></table></div>"
    }

    /// A `<select>` with the current value chosen.
    static func select(_ name: String, _ options: [(value: String, label: String)], selected: String?) -> String {
        "<select name=\"\(escape(name))\" id=\"\(escape(name))\">" + options.map {
            "<option value=\"\(escape($0.value))\"\($0.value == (selected ?? "") ? " selected" : "")>\(escape($0.label))</option>"
        }.joined() + "</select>"
    }

    static func input(_ name: String, _ value: String?, type: String = "text", placeholder: String = "", size: Int = 12) -> String {
        "<input type=\"\(type)\" name=\"\(escape(name))\" id=\"\(escape(name))\" value=\"\(escape(value ?? ""))\" placeholder=\"\(escape(placeholder))\" size=\"\(size)\">"
    }
}
