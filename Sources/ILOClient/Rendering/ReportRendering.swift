import ILONet
import Foundation

/// How `ilo` shows reports to people.
public enum ReportRendering {
    public static func text(_ report: JSONValue, followUps: [JSONValue], signature: JSONValue? = nil) -> String {
        func s(_ key: String) -> String { TerminalText.line(report[key]?.stringValue ?? "-") }
        func list(_ key: String) -> String {
            let items = (report[key]?.arrayValue ?? []).compactMap(\.stringValue)
            return items.isEmpty ? "-" : TerminalText.line(items.joined(separator: ", "))
        }
        let country = s("country")
        func coded(_ code: Code, _ key: String) -> String {
            guard let value = report[key] else { return "-" }
            let text = value.stringValue ?? value.integerValue.map(String.init) ?? "-"
            return "\(TerminalText.line(text)): " + (code.label(text) ?? "?")
        }
        let countryName = ISOCodes.countryName(country) ?? "?"
        var lines = [
            "\(s("headline"))",
            "",
            "  id           \(s("id"))   format \(report["format"]?.integerValue.map(String.init) ?? "-")",
            "  kind         \(s("kind")) about \(country) (\(countryName)), topic \(s("topic"))",
            "  priority     \(coded(CodeBook.priority, "priority"))",
            "  handling     \(coded(CodeBook.handling, "handling"))",
            "  delivery     ILONet's policy: \(HandlingCode(rawValue: s("handling"))?.disseminationPolicy ?? "?")",
        ]
        if let conditions = report["conditions"]?.stringValue { lines.append("  conditions   \(TerminalText.line(conditions))") }
        lines += [
            "  addressees   \(list("addressees"))",
            "  from         " + TerminalText.line("\(report["origin"]?["officer"]?.stringValue ?? "-") (\(report["origin"]?["authority"]?.stringValue ?? "-"), \(report["origin"]?["state"]?.stringValue ?? "-"))"),
            "  on behalf of \(list("on_behalf_of"))",
        ]
        if report["reliability"] != nil || report["accuracy"] != nil {
            lines.append("  source       \(coded(CodeBook.reliability, "reliability"))")
            lines.append("  information  \(coded(CodeBook.accuracy, "accuracy"))")
        }
        if report["level"] != nil { lines.append("  level        \(coded(CodeBook.level, "level"))") }
        lines.append("  personal     \(coded(CodeBook.personalData, "personal_data"))" + (report["erase_by"] != nil ? "; erase by \(s("erase_by"))" : ""))
        lines.append("  created      \(s("created"))   expires \(s("expires"))")
        if report["follow_up_of"] != nil { lines.append("  follows up   \(s("follow_up_of"))") }
        if let related = report["related"]?.arrayValue { lines.append("  related      \(related.compactMap(\.stringValue).joined(separator: ", "))") }
        if report["corrects"] != nil { lines.append("  corrects     \(s("corrects")) (erased; this report replaces it)") }
        if let signature {
            if signature["verified"] == .bool(true) {
                let signer = TerminalText.line("\(signature["signer"]?.stringValue ?? "?") (\(signature["authority"]?.stringValue ?? "?"), \(signature["state"]?.stringValue ?? "?"))")
                lines.append("  signed by    \(signer), signature verified")
            } else {
                lines.append("  signature    NOT VERIFIED: \(TerminalText.line(signature["reason"]?.stringValue ?? "?"))")
            }
        }
        lines.append("")
        lines.append("  body")
        flatten(report["body"] ?? .null, path: "", into: &lines)
        for (code, footnote) in ISOCodes.designationFootnotes.sorted(by: { $0.key < $1.key }) where report.encodedString().contains("\"\(code)\"") {
            lines.append("  * \(ISOCodes.countryName(code) ?? code): \(footnote)")
        }
        let files = Attachment.list(in: report)
        if !files.isEmpty {
            lines.append("")
            lines.append("  attachments  (ilo attachment get \(s("id").suffix(8)) N)")
            for (index, file) in files.enumerated() {
                let size = file.bytes >= 1 << 20 ? String(format: "%.1f MiB", Double(file.bytes) / 1_048_576) : "\(max(1, file.bytes / 1024)) KiB"
                var line = "    \(index + 1)  \(file.mediaType.rawValue)  \(size)"
                if file.personalData { line += "  personal data" }
                if let caption = file.caption { line += "  \(caption)" }
                lines.append(TerminalText.line(line))
            }
        }
        if !followUps.isEmpty {
            lines.append("")
            lines.append("  follow-ups")
            for f in followUps {
                lines.append("    " + TerminalText.line("\(f["id"]?.stringValue ?? "?")  \(f["created"]?.stringValue ?? "")  \(f["headline"]?.stringValue ?? "")"))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `route.transit[1]: LY` lines, for reading a body without JSON punctuation.
    public static func flatten(_ value: JSONValue, path: String, into lines: inout [String]) {
        switch value {
        case .object(let members):
            for key in members.keys.sorted() {
                let name = TerminalText.line(key)
                flatten(members[key]!, path: path.isEmpty ? name : "\(path).\(name)", into: &lines)
            }
        case .array(let elements):
            if let code = CodeBook.code(for: "body." + path), elements.allSatisfy({ $0.stringValue != nil }) {
                for case .string(let word) in elements { lines.append("    \(path): \(TerminalText.line(word)) (\(code.label(word) ?? "?"))") }
            } else if elements.allSatisfy({ $0.stringValue != nil }) {
                lines.append("    \(path): \(TerminalText.line(elements.compactMap(\.stringValue).joined(separator: ", ")))")
            } else {
                for (i, e) in elements.enumerated() { flatten(e, path: "\(path)[\(i)]", into: &lines) }
            }
        case .string(let s):
            let label = CodeBook.code(for: "body." + path)?.label(s).map { " (\($0))" } ?? ""
            lines.append("    \(path): \(TerminalText.line(s))\(label)")
        default: lines.append("    \(path): \(value.encodedString())")
        }
    }

    /// One inbox line: id, age, priority, handling, kind, country, headline.
    public static func summaryLine(_ report: JSONValue, now: Int64 = Timestamp.nowMilliseconds()) -> String {
        func s(_ key: String) -> String { TerminalText.line(report[key]?.stringValue ?? "?") }
        let age = Timestamp.parse(s("created")).map { Timestamp.age(now - $0) } ?? "?"
        func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        return [s("id"), pad(age, 4), pad(s("priority"), 9), s("handling"), pad(s("kind"), 9), s("country"), s("headline")].joined(separator: "  ")
    }
}
