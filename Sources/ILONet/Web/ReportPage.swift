/// One report laid out for people (docs/WEB.md §2.2): the substance first —
/// handling band, the evaluation in one line, what, where and when in a
/// summary — then the body with labels in words (never JSON keys or list
/// indexes; countries by name with the code beside it; codes with their
/// meaning), and the record (the envelope as machines read it) folded at the
/// end. Every text from the report goes through `HTML.escape`.
enum ReportPage {
    static let kindNames = ["smuggling": "Smuggling intelligence", "return": "Return facilitation", "border": "Border information"]

    /// The evaluation in one line: "B2 — a source that …; information …".
    static func evaluation(_ report: JSONValue) -> String? {
        guard let reliability = report["reliability"]?.stringValue, let accuracy = report["accuracy"]?.integerValue.map(String.init) else { return nil }
        let words = [CodeBook.reliability.label(reliability), CodeBook.accuracy.label(accuracy)].compactMap { $0 }.joined(separator: "; ")
        return "<strong>\(HTML.escape(reliability + accuracy))</strong> — \(HTML.escape(words))"
    }

    /// A country code by name, with the code: "Libya (LY)".
    static func country(_ code: String) -> String {
        if code == ISOCodes.severalCountries { return "several countries" }
        return ISOCodes.countryName(code).map { "\($0) (\(code))" } ?? code
    }

    static func countries(_ value: JSONValue?) -> String {
        (value?.arrayValue ?? []).compactMap(\.stringValue).map(country).joined(separator: ", ")
    }

    /// "Sudan (SD) → Libya (LY) → Italy (IT)": origin, transit in order, destination.
    static func route(_ route: JSONValue?) -> String? {
        guard let route else { return nil }
        let legs = ["origin", "transit", "destination"].map { countries(route[$0]) }.filter { !$0.isEmpty }
        return legs.isEmpty ? nil : legs.joined(separator: " → ")
    }

    /// "Eritrea (ER) 40, Sudan (SD)": nationalities with their counts where known.
    static func nationalities(_ value: JSONValue?) -> String? {
        let items = (value?.arrayValue ?? []).compactMap { item -> String? in
            guard let code = item["country"]?.stringValue else { return nil }
            return country(code) + (item["persons"]?.integerValue.map { " \($0)" } ?? "")
        }
        return items.isEmpty ? nil : items.joined(separator: ", ")
    }

    /// "2026-11-22T02:15:00Z" as "22 Nov 2026 02:15 UTC".
    static func time(_ text: String?) -> String? {
        guard let text, let milliseconds = Timestamp.parse(text) else { return text }
        return WebSession.dayAndTime(milliseconds) + " UTC"
    }

    /// What, where, when: the lines of the summary, each already escaped.
    static func summary(_ report: JSONValue) -> [(String, String)] {
        func s(_ key: String) -> String? { report[key]?.stringValue }
        let body = report["body"] ?? .null
        var lines: [(String, String)] = []
        let kind = s("kind") ?? "?"
        lines.append(("What", HTML.escape([kindNames[kind] ?? kind, s("priority"), s("level").map { "\($0) level" }].compactMap { $0 }.joined(separator: ", "))))
        if let code = s("country") { lines.append(("Where", HTML.escape(country(code)))) }
        if let route = route(body["route"]) { lines.append(("Route", HTML.escape(route))) }
        if let place = body["location"]?["crossing_point"]?.stringValue { lines.append(("Place", HTML.escape(place))) }
        if let when = time(body["time"]?.stringValue) { lines.append(("When", HTML.escape(when))) }
        if let period = body["period_observed"], let from = period["from"]?.stringValue, let to = period["to"]?.stringValue {
            lines.append(("Observed", HTML.escape("\(WebSession.day(from)) to \(WebSession.day(to))")))
        }
        if let situation = body["situation_type"]?.stringValue { lines.append(("Situation", HTML.escape(CodeBook.situationType.label(situation) ?? situation))) }
        for (key, label) in [("estimated_persons", "Persons (estimated)"), ("persons", "Persons"), ("returnees", "Returnees")] {
            if let count = body[key]?.integerValue { lines.append((label, String(count))) }
        }
        if let nationality = body["nationality"]?.stringValue { lines.append(("Nationality", HTML.escape(country(nationality)))) }
        if let list = nationalities(body["nationalities"]) { lines.append(("Nationalities", HTML.escape(list))) }
        if let impact = body["impact"]?.stringValue { lines.append(("Impact", HTML.escape(impact + " — " + (CodeBook.impact.label(impact) ?? "")))) }
        let origin = report["origin"]
        let author = [origin?["officer"]?.stringValue, origin?["authority"]?.stringValue, origin?["state"]?.stringValue].compactMap { $0 }
        var from = author.first ?? "?"
        if author.count > 1 { from += " (" + author.dropFirst().joined(separator: ", ") + ")" }
        if let states = report["on_behalf_of"]?.arrayValue, !states.isEmpty { from += ", on behalf of " + countries(.array(states)) }
        lines.append(("From", HTML.escape(from) + (time(s("created")).map { ", written " + HTML.escape($0) } ?? "")))
        if let addressees = report["addressees"]?.arrayValue, !addressees.isEmpty {
            lines.append(("For", HTML.escape(addressees.compactMap(\.stringValue).joined(separator: ", "))))
        }
        return lines
    }

    /// A field name in words: "modus_operandi" → "Modus operandi".
    static func words(_ key: String) -> String {
        let spaced = key.replacingOccurrences(of: "_", with: " ")
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }

    /// The body as nested definition lists, in the schema's order.
    static func body(_ value: JSONValue, schema: ObjectSchema?, path: String) -> String {
        guard case .object(let members) = value else { return HTML.escape(value.stringValue ?? value.encodedString()) }
        let ordered = (schema?.fields.map(\.name) ?? []).filter { members[$0] != nil } + members.keys.sorted().filter { name in schema?.field(name) == nil }
        var out = "<dl class=\"fields\">"
        for key in ordered {
            let field = schema?.field(key)
            out += "<dt>\(HTML.escape(words(key)))</dt><dd>\(render(members[key]!, type: field?.type, path: path.isEmpty ? key : "\(path).\(key)"))</dd>"
        }
        return out + "</dl>"
    }

    static func render(_ value: JSONValue, type: FieldType?, path: String) -> String {
        switch (value, type) {
        case (.object, .object(let schema)?):
            return body(value, schema: schema, path: path)
        case (.array(let items), .list(let element, _, _, _)?):
            // Nationalities read as one line: "Eritrea (ER) 40, Sudan (SD)".
            if case .object(let schema) = element, schema.name == "nationality", let line = nationalities(value) { return HTML.escape(line) }
            if case .object(let schema) = element {
                return "<ul class=\"items\">" + items.map { "<li>" + body($0, schema: schema, path: path) + "</li>" }.joined() + "</ul>"
            }
            return items.map { render($0, type: element, path: path) }.joined(separator: ", ")
        case (.string(let code), .country?), (.string(let code), .subjectCountry?), (.string(let code), .participatingState?):
            return HTML.escape(country(code))
        case (.string(let text), .timestamp?):
            return HTML.escape(time(text) ?? text)
        case (.string(let text), .date?):
            return HTML.escape(WebSession.day(text))
        case (.bool(let flag), _):
            return flag ? "yes" : "no"
        default:
            let word = value.stringValue ?? value.integerValue.map(String.init) ?? value.encodedString()
            if let code = CodeBook.code(for: "body." + path), let label = code.label(word) { return HTML.escape(label) + " <span class=\"code\">(\(HTML.escape(word)))</span>" }
            return HTML.escape(word)
        }
    }

    /// The envelope as stored, folded: for those who need the record.
    static func record(_ report: JSONValue) -> String {
        var rows: [(String, String)] = []
        for field in EnvelopeSchema.schema.fields where field.name != "body" {
            guard let value = report[field.name] else { continue }
            let shown: String
            if field.name == "signature" {
                shown = "present (ECDSA over the canonical encoding)"
            } else if let code = CodeBook.code(for: field.name), let word = value.stringValue ?? value.integerValue.map(String.init) {
                shown = word + " — " + (code.label(word) ?? "")
            } else {
                shown = WebSession.plain(value, countries: field.name == "country" || field.name == "on_behalf_of")
            }
            rows.append((words(field.name), HTML.escape(shown)))
        }
        return "<details class=\"record\"><summary>The record (envelope as stored: id, format, topic, expiry, signature)</summary><dl class=\"fields\">"
            + rows.map { "<dt>\(HTML.escape($0.0))</dt><dd>\($0.1)</dd>" }.joined() + "</dl></details>"
    }
}
