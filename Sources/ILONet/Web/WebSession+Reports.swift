/// The inbox and the report page (docs/WEB.md §2.1, §2.2).
extension WebSession {
    /// Undelivered reports, most urgent first (FETCH: the same list `ilo inbox`
    /// reads). Looking does not take them out of the inbox; "Mark as read" does.
    func inboxPage(_ request: HTTPRequest) {
        if let role = identity?.role, !WebSession.contentRoles.contains(role) {
            finish(.html(page("Inbox", "<p class=\"notice\">\(HTML.escape(role.rawValue)) identities receive no reports. " + (WebSession.statisticsRoles.contains(role) ? "See <a href=\"/trends\">trends</a> and the <a href=\"/activity\">activity report</a>.</p>" : "</p>"), current: "/")))
            return
        }
        ask(.fetch, ["limit": 200], title: "Inbox") { session, reply in
            let entries = reply.body["reports"]?.arrayValue ?? []
            let now = session.node.clock.now()
            var rows: [[String]] = []
            var ids: [String] = []
            for entry in entries {
                guard let report = entry["report"], let id = report["id"]?.stringValue else { continue }
                ids.append(id)
                let priority = report["priority"]?.stringValue ?? "?"
                let handling = report["handling"]?.stringValue ?? "?"
                let created = report["created"]?.stringValue.flatMap(Timestamp.parse) ?? now
                rows.append([
                    "<span class=\"prio-\(HTML.escape(priority))\">\(HTML.escape(priority))</span>",
                    "<span class=\"badge\" title=\"\(HTML.escape(CodeBook.handling.label(handling) ?? ""))\">\(HTML.escape(handling))</span> <small>\(HTML.escape(CodeBook.handling.label(handling) ?? ""))</small>",
                    HTML.escape(Timestamp.age(now - created)),
                    HTML.escape(report["kind"]?.stringValue ?? "?"),
                    HTML.escape(report["country"]?.stringValue ?? "?") + " <small>\(HTML.escape(ISOCodes.countryName(report["country"]?.stringValue ?? "") ?? ""))</small>",
                    "<a href=\"\(HTML.link("/report/\(id)"))\">\(HTML.escape(report["headline"]?.stringValue ?? id))</a>",
                ])
            }
            var body = ""
            if let banner = WebSession.banner(request.query["done"], [
                "read": "The reports you marked as read left your inbox.",
                "none": "Those reports had already left your inbox.",
            ]) { body += banner }
            if rows.isEmpty {
                body += "<p class=\"notice\">Nothing new. Older reports you may read are found by <a href=\"/search\">search</a>.</p>"
            } else {
                body += "<p class=\"muted\">\(rows.count) undelivered report(s)\(reply.body["more"] == .bool(true) ? " (more wait behind these)" : ""), most urgent first. Opening a report does not mark it as read.</p>"
                body += HTML.table(["Priority", "Handling", "Age", "Kind", "Country", "Headline"], rows, escaped: true, cssClass: "cards")
                body += "<form method=\"post\" action=\"/inbox/read\" class=\"pager\">"
                body += "<input type=\"hidden\" name=\"token\" value=\"\(session.formToken)\">"
                body += "<input type=\"hidden\" name=\"ids\" value=\"\(HTML.escape(ids.joined(separator: " ")))\">"
                body += "<button type=\"submit\">Mark these \(ids.count) as read</button></form>"
            }
            session.finish(.html(session.page("Inbox", body, current: "/")))
        }
    }

    /// CONFIRM for the reports the inbox listed.
    func markRead(_ request: HTTPRequest) {
        let ids = (request.form["ids"] ?? "").split(separator: " ").map(String.init)
        guard !ids.isEmpty, ids.count <= 1000, ids.allSatisfy({ ReportID($0) != nil }) else {
            finish(.html(errorPage(400, "ids: the report ids the inbox listed (at most 1000)"), status: 400))
            return
        }
        ask(.confirm, ["ids": .array(ids.map { .string($0) })], title: "Inbox") { session, reply in
            session.finish(.seeOther((reply.body["confirmed"]?.integerValue ?? 0) > 0 ? "/?done=read" : "/?done=none"))
        }
    }

    /// One report (GET: the disclosure decision, and an audit record of the read).
    func reportPage(_ id: String) {
        guard ReportID(id) != nil else {
            finish(.html(errorPage(404, "\(id) is not a report id"), status: 404))
            return
        }
        ask(.get, ["id": .string(id)]) { session, reply in
            guard reply.type == .report, let report = reply.body["report"] else {
                let error = ProtocolError(message: reply)
                // Not found and not allowed read the same: nothing is said about a report the reader may not read.
                let text = error.code == .notFound
                    ? "No report \(id) that you may read is held here. A report is withheld when its handling code or the access rules do not let you read it, and it is gone once erased or past its retention."
                    : error.message
                session.finish(.html(session.page("Report", "<p class=\"refusal\">\(HTML.escape(text))</p>"), status: WebSession.status(for: reply)))
                return
            }
            session.finish(.html(session.page(report["headline"]?.stringValue ?? id, session.reportBody(report, followUps: reply.body["follow_ups"]?.arrayValue ?? []))))
        }
    }

    private func reportBody(_ report: JSONValue, followUps: [JSONValue]) -> String {
        func text(_ key: String) -> String? { report[key]?.stringValue ?? report[key]?.integerValue.map(String.init) }
        let handling = text("handling") ?? "?"
        var out = "<div class=\"handling \(HTML.escape(handling.lowercased()))\"><strong>\(HTML.escape(WebSession.coded(CodeBook.handling, handling)))</strong>"
        out += "ILONet's policy: \(HTML.escape(HandlingCode(rawValue: handling)?.disseminationPolicy ?? "?"))."
        if let conditions = text("conditions") { out += "<br>Conditions: \(HTML.escape(conditions))" }
        out += "</div>"

        // The signature, checked here against this node's trust roots and revocation list.
        switch node.signatures.check(document: report, trust: node.tlsContext) {
        case .success(let signer) where report["signature"] != nil:
            out += "<p class=\"signature ok\">Signed by \(HTML.escape(signer.id)) (\(HTML.escape(signer.authority)), \(HTML.escape(signer.memberState))); the signature verified.</p>"
        case .failure(.unsigned), .success:
            out += "<p class=\"signature bad\">Not signed: nothing proves who wrote this report.</p>"
        case .failure(let failure):
            out += "<p class=\"signature bad\">Signature NOT verified: \(HTML.escape(failure.description)).</p>"
        }

        var fields: [(label: String, value: String, meaning: String)] = []
        for field in EnvelopeSchema.schema.fields where field.name != "body" && field.name != "signature" {
            guard let value = report[field.name] else { continue }
            let shown: String
            if let code = CodeBook.code(for: field.name) {
                let word = value.stringValue ?? value.integerValue.map(String.init) ?? value.encodedString()
                shown = HTML.escape(word) + " — " + HTML.escape(code.label(word) ?? "unknown code")
            } else if field.name == "country" || field.name == "origin" || field.name == "addressees" || field.name == "on_behalf_of" {
                shown = HTML.escape(WebSession.plain(value, countries: true))
            } else {
                shown = HTML.escape(WebSession.plain(value, countries: false))
            }
            fields.append((field.name, shown, field.summary))
        }
        out += "<h2>Envelope</h2>" + WebSession.fieldList(fields)
        if let kind = report["kind"]?.stringValue.flatMap(ReportKind.init(rawValue:)), let body = report["body"] {
            var lines: [(String, String, String)] = []
            WebSession.flatten(body, schema: BodySchemas.schema(for: kind), path: "", into: &lines)
            out += "<h2>Body</h2>" + WebSession.fieldList(lines)
        }
        for (code, footnote) in ISOCodes.designationFootnotes.sorted(by: { $0.key < $1.key }) where report.encodedString().contains("\"\(code)\"") {
            out += "<p class=\"muted\">* \(HTML.escape(ISOCodes.countryName(code) ?? code)): \(HTML.escape(footnote))</p>"
        }
        out += "<h2>Follow-ups</h2>"
        if followUps.isEmpty {
            out += "<p class=\"muted\">None that you may read.</p>"
        } else {
            out += HTML.table(["Created", "Headline"], followUps.map { f in
                let id = f["id"]?.stringValue ?? ""
                return [HTML.escape(f["created"]?.stringValue ?? ""), "<a href=\"\(HTML.link("/report/\(id)"))\">\(HTML.escape(f["headline"]?.stringValue ?? id))</a>"]
            }, escaped: true)
            out += "<p class=\"muted\">Follow-ups you may not read are not listed.</p>"
        }
        return out
    }

    static func fieldList(_ fields: [(label: String, value: String, meaning: String)]) -> String {
        "<dl class=\"fields\">" + fields.map { "<dt>\(HTML.escape($0.label))</dt><dd>\($0.value)\($0.meaning.isEmpty ? "" : "<small>\(HTML.escape($0.meaning))</small>")</dd>" }.joined() + "</dl>"
    }

    /// A value as words: lists joined, objects as `key: value`, country codes named.
    static func plain(_ value: JSONValue, countries: Bool) -> String {
        switch value {
        case .string(let s): return countries ? ISOCodes.countryName(s).map { "\(s) (\($0))" } ?? s : s
        case .array(let items): return items.map { plain($0, countries: countries) }.joined(separator: ", ")
        case .object(let members): return members.keys.sorted().map { "\($0): \(plain(members[$0]!, countries: countries))" }.joined(separator: "; ")
        default: return value.encodedString()
        }
    }

    /// The body's fields, each with its meaning from the schema and coded values in words.
    static func flatten(_ value: JSONValue, schema: ObjectSchema?, path: String, into lines: inout [(String, String, String)]) {
        guard case .object(let members) = value else { return }
        for key in members.keys.sorted() {
            let field = schema?.field(key)
            let name = path.isEmpty ? key : "\(path).\(key)"
            let member = members[key]!
            var nested: ObjectSchema?
            switch field?.type {
            case .object(let schema)?: nested = schema
            case .list(.object(let schema), _, _, _)?: nested = schema
            default: nested = nil
            }
            switch member {
            case .object where nested != nil:
                flatten(member, schema: nested, path: name, into: &lines)
            case .array(let items) where items.allSatisfy({ if case .object = $0 { true } else { false } }) && !items.isEmpty:
                for (index, item) in items.enumerated() { flatten(item, schema: nested, path: "\(name)[\(index)]", into: &lines) }
            default:
                let code = CodeBook.code(for: "body." + name)
                let words: [String] = member.arrayValue?.map { $0.stringValue ?? $0.encodedString() } ?? [member.stringValue ?? member.encodedString()]
                let shown = words.map { word in HTML.escape(word) + (code?.label(word).map { " — " + HTML.escape($0) } ?? "") }.joined(separator: "<br>")
                lines.append((name, shown, field?.summary ?? ""))
            }
        }
    }
}
