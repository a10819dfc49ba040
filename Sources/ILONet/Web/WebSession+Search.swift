/// The search page (docs/WEB.md §2.3): SEARCH, the same request as `ilo search`.
extension WebSession {
    static let searchPageSize = 20

    func searchPage(_ request: HTTPRequest) {
        let q = request.query
        func value(_ name: String) -> String? { q[name].flatMap { $0.isEmpty ? nil : $0 } }
        let words = value("q")
        var form = "<form class=\"filters\" method=\"get\" action=\"/search\" role=\"search\">"
        form += "<label for=\"q\">Words" + HTML.input("q", words, type: "search", placeholder: "e.g. zuwara dinghy", size: 28) + "</label>"
        form += "<label for=\"kind\">Kind" + HTML.select("kind", [("", "any")] + ReportKind.authored.map { ($0.rawValue, $0.rawValue) }, selected: value("kind")) + "</label>"
        form += "<label for=\"country\">Country" + HTML.input("country", value("country"), placeholder: "LY", size: 4) + "</label>"
        form += "<label for=\"priority\">Priority" + HTML.select("priority", [("", "any")] + CodeBook.priority.words.map { ($0, $0) }, selected: value("priority")) + "</label>"
        form += "<label for=\"handling\">Handling" + HTML.select("handling", [("", "any")] + CodeBook.handling.words.map { ($0, $0) }, selected: value("handling")) + "</label>"
        form += "<label for=\"state\">Origin state" + HTML.input("state", value("state"), placeholder: "DE", size: 4) + "</label>"
        form += "<label for=\"since\">From" + HTML.input("since", value("since"), type: "date") + "</label>"
        form += "<label for=\"until\">To" + HTML.input("until", value("until"), type: "date") + "</label>"
        form += "<button type=\"submit\">Search</button></form>"
        guard let words else {
            finish(.html(page("Search", form + "<p class=\"muted\">Words in headlines and free-text fields of the reports you may read; every word must occur (a word ending in * matches its beginning). Results are ranked; only what the access rules let you read is searched.</p>", current: "/search")))
            return
        }
        let offset = Int(q["offset"] ?? "0") ?? 0
        var body: [String: JSONValue] = ["query": .string(words), "limit": .integer(Int64(WebSession.searchPageSize)), "offset": .integer(Int64(max(0, offset)))]
        for name in ["kind", "priority", "handling", "since", "until"] { if let v = value(name) { body[name] = .string(v) } }
        for name in ["country", "state"] { if let v = value(name) { body[name] = .string(v.uppercased()) } }
        ask(.search, .object(body)) { session, reply in
            guard reply.type == .searchResults else {
                let error = ProtocolError(message: reply)
                let field = error.field.map { "<strong>\(HTML.escape($0))</strong>: " } ?? ""
                session.finish(.html(session.page("Search", form + "<p class=\"refusal\">\(field)\(HTML.escape(error.message))</p>", current: "/search"), status: WebSession.status(for: reply)))
                return
            }
            let hits = reply.body["results"]?.arrayValue ?? []
            var out = form
            if hits.isEmpty {
                out += "<p class=\"notice\">No report you may read matches.</p>"
            } else {
                out += "<p class=\"muted\">Results \(offset + 1)–\(offset + hits.count), best match first" + (reply.body["truncated"] == .bool(true) ? "; many reports match, so the 2,000 most recent were ranked — add words or filters to narrow it" : "") + ".</p>"
                out += "<ol class=\"results\" start=\"\(offset + 1)\">"
                for hit in hits {
                    let id = hit["id"]?.stringValue ?? ""
                    func s(_ key: String) -> String { HTML.escape(hit[key]?.stringValue ?? "") }
                    out += "<li><a href=\"\(HTML.link("/report/\(id)"))\">\(s("headline"))</a><br>"
                    out += "<span class=\"muted\">\(s("created").prefix(10)) · \(s("kind")) · \(s("country")) · <span class=\"prio-\(s("priority"))\">\(s("priority"))</span> · \(s("handling")) · from \(s("state"))</span><br>"
                    out += HTML.snippet(hit["snippet"]?.stringValue ?? "") + "</li>"
                }
                out += "</ol>"
            }
            var pager: [String] = []
            let keep = ["q", "kind", "country", "priority", "handling", "state", "since", "until"].map { ($0, value($0)) }
            if offset > 0 { pager.append("<a href=\"\(HTML.link("/search", keep + [("offset", String(max(0, offset - WebSession.searchPageSize)))]))\">← earlier results</a>") }
            if reply.body["more"] == .bool(true) { pager.append("<a href=\"\(HTML.link("/search", keep + [("offset", String(offset + hits.count))]))\">more results →</a>") }
            if !pager.isEmpty { out += "<div class=\"pager\">" + pager.joined() + "</div>" }
            session.finish(.html(session.page("Search", out, current: "/search")))
        }
    }
}
