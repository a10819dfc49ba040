/// The pages of a report's life after it is sent and of the data-protection
/// officer (docs/WEB.md §2.8, §2.9): where an order stands (ORDERS), the record
/// of processing (RECORD) and the subject-access lookup (SUBJECT-FIND). None
/// shows report content.
extension WebSession {
    /// Roles with the record of processing.
    static let recordRoles: Set<Role> = [.dpo, .admin, .operator, .authority]

    /// `/orders?report=ID`: the orders about a report the reader may follow, node by node.
    func ordersPage(_ request: HTTPRequest) {
        let id = request.query["report"].flatMap { $0.isEmpty ? nil : $0 }
        var form = "<form class=\"filters\" method=\"get\" action=\"/orders\">"
        form += "<label for=\"report\">Report id" + HTML.input("report", id, placeholder: "01a2…", size: 40) + "</label>"
        form += "<button type=\"submit\">Show its orders</button></form>"
        guard let id else {
            finish(.html(page("Orders", form + "<p class=\"muted\">The orders to withdraw, restrict or erase a report, and the receipt each node signed.</p>", current: "/orders")))
            return
        }
        guard ReportID(id) != nil else {
            finish(.html(page("Orders", form + "<p class=\"refusal\">\(HTML.escape(id)) is not a report id (ids are 36 characters: ilo sent and ilo inbox --wide show them).</p>", current: "/orders"), status: 400))
            return
        }
        ask(.orders, ["about": .string(id)], title: "Orders") { session, reply in
            var links: [String: (state: String, since: String?)] = [:]
            for link in reply.body["links"]?.arrayValue ?? [] {
                if let node = link["node"]?.stringValue { links[node] = (link["link"]?.stringValue ?? "down", link["since"]?.stringValue) }
            }
            let orders = reply.body["orders"]?.arrayValue ?? []
            var out = form
            if orders.isEmpty {
                out += "<p>No order about report \(HTML.escape(id)) that you may follow was given at this node. Orders are followed at the node where they were given.</p>"
            }
            for entry in orders {
                let order = entry["order"] ?? .null
                let path = (entry["path"]?.arrayValue ?? []).compactMap(\.stringValue)
                let status = OrderStatus(order: order, path: path, notices: entry["receipts"]?.arrayValue ?? [], links: links)
                let body = order["body"] ?? .null
                out += "<h2>\(HTML.escape(body["action"]?.stringValue ?? "?")) (\(HTML.escape(body["ground"]?.stringValue ?? "?")))</h2>"
                out += "<p>Given by \(HTML.escape(order["origin"]?["officer"]?.stringValue ?? "?")) on \(HTML.escape(ReportPage.time(order["created"]?.stringValue) ?? "?"))"
                if let note = body["note"]?.stringValue { out += " — “\(HTML.escape(note))”" }
                out += ". <strong>\(HTML.escape(status.summary))</strong>.</p>"
                out += HTML.table(["Node", "State", "When", "Receipt"], status.lines.map { line in
                    switch line.state {
                    case .answered(let event, let at, let receipt):
                        let signed = session.node.signatures.check(document: receipt, trust: session.node.tlsContext)
                        let verdict: String
                        switch signed {
                        case .success(let signer) where signer.id == line.node && receipt["signature"] != nil: verdict = "signed by the node, verified"
                        case .success, .failure(.unsigned): verdict = "NOT signed"
                        case .failure(let failure): verdict = "NOT verified: \(failure.description)"
                        }
                        let hash = receipt["body"]?["content_hash"]?.stringValue.map { "; content \($0.prefix(12))…" } ?? ""
                        return [line.node, event == "not-held" ? "did not hold it" : event, ReportPage.time(at) ?? at, verdict + hash]
                    case .unreachable(let since, let why): return [line.node, "unreachable", ReportPage.time(since) ?? since, why]
                    case .pending: return [line.node, "pending", "", ""]
                    }
                })
            }
            session.finish(.html(session.page("Orders", out, current: "/orders")))
        }
    }

    /// `/dpo`: the node's record of processing activities.
    func recordPage() {
        ask(.record, [:], title: "Record of processing") { session, reply in
            let record = reply.body["record"] ?? .null
            session.finish(.html(session.page("Record of processing", "<pre class=\"record\">\(HTML.escape(ProcessingRecord.text(record)))</pre>", current: "/dpo")))
        }
    }

    /// `/dpo/find?document_number=…&reason=…` (or `name` with `date_of_birth`): a subject-access lookup.
    func subjectPage(_ request: HTTPRequest) {
        let q = request.query
        func value(_ name: String) -> String? { q[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        var form = "<form class=\"filters\" method=\"get\" action=\"/dpo/find\">"
        form += "<label for=\"document_number\">Document number" + HTML.input("document_number", value("document_number"), size: 16) + "</label>"
        form += "<label for=\"name\">or name" + HTML.input("name", value("name"), size: 20) + "</label>"
        form += "<label for=\"date_of_birth\">with date of birth" + HTML.input("date_of_birth", value("date_of_birth"), type: "date", size: 10) + "</label>"
        form += "<label for=\"reason\">Reason (kept in the audit trail)<input type=\"text\" name=\"reason\" id=\"reason\" required minlength=\"4\" maxlength=\"500\" size=\"40\" value=\"\(HTML.escape(value("reason") ?? ""))\"></label>"
        form += "<button type=\"submit\">Look up</button></form>"
        let intro = "<p class=\"muted\">The reports held at this node that name a person (GDPR Art. 15, Directive (EU) 2016/680 Art. 14): ids, category, erase-by date and holders, never content. Every lookup is recorded with its reason.</p>"
        guard value("document_number") != nil || value("name") != nil else {
            finish(.html(page("Subject-access lookup", form + intro, current: "/dpo/find")))
            return
        }
        var body: [String: JSONValue] = [:]
        for name in ["document_number", "name", "date_of_birth", "reason"] { if let v = value(name) { body[name] = .string(v) } }
        ask(.subjectFind, .object(body)) { session, reply in
            guard reply.type == .subjectMatches else {
                let error = ProtocolError(message: reply)
                session.finish(.html(session.page("Subject-access lookup", form + "<p class=\"refusal\">\(HTML.escape(error.message))</p>", current: "/dpo/find"), status: WebSession.status(for: reply)))
                return
            }
            let reports = reply.body["reports"]?.arrayValue ?? []
            var out = form
            out += reports.isEmpty
                ? "<p>No report held at this node names that person (reports stored before the index existed are not in it).</p>"
                : HTML.table(["Report", "Category", "Erase by", "Held at"], reports.map { r in
                    [r["id"]?.stringValue ?? "", r["category"]?.stringValue ?? "", r["erase_by"]?.stringValue ?? "–",
                     (r["holders"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ", ")]
                })
            session.finish(.html(session.page("Subject-access lookup", out, current: "/dpo/find")))
        }
    }
}
