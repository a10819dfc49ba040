/// The report page (docs/WEB.md §2.2).
extension WebSession {
    /// One report (GET: the disclosure decision, and an audit record of the read).
    /// A report with personal data asks first why it is read (`reason`, docs/WEB.md §2.2).
    func reportPage(_ id: String, reason: String?) {
        guard ReportID(id) != nil else {
            finish(.html(errorPage(404, "\(id) is not a report id"), status: 404))
            return
        }
        var request: [String: JSONValue] = ["id": .string(id)]
        if let reason, !reason.isEmpty { request["reason"] = .string(reason) }
        ask(.get, .object(request)) { session, reply in
            guard reply.type == .report, let report = reply.body["report"] else {
                let error = ProtocolError(message: reply)
                if error.field == "reason" {
                    session.finish(.html(session.page("Why do you read this report?", session.reasonForm(id, refusal: reason == nil ? nil : error.message))))
                    return
                }
                // Not found and not allowed read the same: nothing is said about a report the reader may not read.
                let text = error.code == .notFound
                    ? "No report \(id) that you may read is held here. A report is withheld when its handling code or the access rules do not let you read it, and it is gone once erased or past its retention."
                    : error.message
                session.finish(.html(session.page("Report", "<p class=\"refusal\">\(HTML.escape(text))</p>"), status: WebSession.status(for: reply)))
                return
            }
            session.finish(.html(session.page(report["headline"]?.stringValue ?? id, session.reportBody(report, followUps: reply.body["follow_ups"]?.arrayValue ?? [], reason: reason))))
        }
    }

    /// The form that asks why a report with personal data is read.
    private func reasonForm(_ id: String, refusal: String?) -> String {
        var out = "<p>This report carries personal data. Say why you read it: your reason is kept in this node's audit trail with your read "
            + "(Directive (EU) 2016/680 Art. 25). No names or document numbers in it.</p>"
        if let refusal { out += "<p class=\"refusal\">\(HTML.escape(refusal))</p>" }
        out += "<form class=\"filters\" method=\"get\" action=\"\(HTML.link("/report/\(id)"))\">"
            + "<label>Reason <input type=\"text\" name=\"reason\" required minlength=\"4\" maxlength=\"500\" size=\"60\"></label>"
            + "<button type=\"submit\">Read the report</button></form>"
        return out
    }

    private func reportBody(_ report: JSONValue, followUps: [JSONValue], reason: String?) -> String {
        func text(_ key: String) -> String? { report[key]?.stringValue ?? report[key]?.integerValue.map(String.init) }
        let handling = text("handling") ?? "?"
        var out = "<div class=\"handling \(HTML.escape(handling.lowercased()))\"><strong>\(HTML.escape(WebSession.coded(CodeBook.handling, handling)))</strong>"
        out += "ILONet's policy: \(HTML.escape(HandlingCode(rawValue: handling)?.disseminationPolicy ?? "?"))."
        if let conditions = text("conditions") { out += "<br>Conditions: \(HTML.escape(conditions))" }
        out += "</div>"
        if let evaluation = ReportPage.evaluation(report) { out += "<p class=\"evaluation\">Evaluation: \(evaluation)</p>" }
        out += "<dl class=\"summary\">" + ReportPage.summary(report).map { "<dt>\(HTML.escape($0.0))</dt><dd>\($0.1)</dd>" }.joined() + "</dl>"

        // The signature, checked here against this node's trust roots and revocation list.
        switch node.signatures.check(document: report, trust: node.tlsContext) {
        case .success(let signer) where report["signature"] != nil:
            out += "<p class=\"signature ok\">Signed by \(HTML.escape(signer.id)) (\(HTML.escape(signer.authority)), \(HTML.escape(signer.memberState))); the signature verified.</p>"
        case .failure(.unsigned), .success:
            out += "<p class=\"signature bad\">Not signed: nothing proves who wrote this report.</p>"
        case .failure(let failure):
            out += "<p class=\"signature bad\">Signature NOT verified: \(HTML.escape(failure.description)).</p>"
        }
        if let kind = report["kind"]?.stringValue.flatMap(ReportKind.init(rawValue:)), let body = report["body"] {
            out += "<h2>The report</h2>" + ReportPage.body(body, schema: BodySchemas.schema(for: kind), path: "")
        }
        for (code, footnote) in ISOCodes.designationFootnotes.sorted(by: { $0.key < $1.key }) where report.encodedString().contains("\"\(code)\"") {
            out += "<p class=\"muted\">* \(HTML.escape(ISOCodes.countryName(code) ?? code)): \(HTML.escape(footnote))</p>"
        }
        out += WebSession.attachmentsSection(report, reason: reason)
        out += "<h2>Follow-ups</h2>"
        if followUps.isEmpty {
            out += "<p class=\"muted\">None that you may read.</p>"
        } else {
            out += HTML.table(["Written", "Headline"], followUps.map { f in
                let id = f["id"]?.stringValue ?? ""
                return [HTML.escape(ReportPage.time(f["created"]?.stringValue) ?? ""), "<a href=\"\(HTML.link("/report/\(id)"))\">\(HTML.escape(f["headline"]?.stringValue ?? id))</a>"]
            }, escaped: true)
            out += "<p class=\"muted\">Follow-ups you may not read are not listed.</p>"
        }
        if let kind = report["kind"]?.stringValue.flatMap(ReportKind.init(rawValue:)), kind.isContent, let id = report["id"]?.stringValue {
            out += "<p><a href=\"\(HTML.link("/event/\(id)"))\">The event this report belongs to</a>: its status, owner, impact and every report of it you may read.</p>"
        }
        return out + ReportPage.record(report)
    }

    /// A value as words: lists joined, objects as `key: value`, country codes named.
    static func plain(_ value: JSONValue, countries: Bool) -> String {
        switch value {
        case .string(let s): return countries ? ReportPage.country(s) : s
        case .array(let items): return items.map { plain($0, countries: countries) }.joined(separator: ", ")
        case .object(let members): return members.keys.sorted().map { "\($0): \(plain(members[$0]!, countries: countries))" }.joined(separator: "; ")
        default: return value.encodedString()
        }
    }
}
