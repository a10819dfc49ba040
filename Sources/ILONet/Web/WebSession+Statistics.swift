/// Trends, the activity report and digests (docs/WEB.md §2.4–2.6): the same
/// requests as `ilo trend`, `ilo report activity` and `ilo digest`.
extension WebSession {
    /// `from`/`to` from the query, or the year up to today; an error text when malformed.
    private func span(_ request: HTTPRequest, defaultDays: Int64) -> Result<(from: String, to: String), WebInputProblem> {
        let today = String(Timestamp.format(milliseconds: node.clock.now()).prefix(10))
        let to = request.query["to"].flatMap { $0.isEmpty ? nil : $0 } ?? today
        let start = (ReportDate.parse(to) ?? node.clock.now()) - defaultDays * 86_400_000
        let from = request.query["from"].flatMap { $0.isEmpty ? nil : $0 } ?? String(Timestamp.format(milliseconds: max(0, start)).prefix(10))
        for (name, day) in [("from", from), ("to", to)] where day.count != 10 || ReportDate.parse(day) == nil {
            return .failure(WebInputProblem("\(name): a day like 2026-12-31"))
        }
        guard from <= to else { return .failure(WebInputProblem("to: before from")) }
        return .success((from, to))
    }

    func trendPage(_ request: HTTPRequest) {
        let every = Trend.Every(rawValue: request.query["every"] ?? "week")
        let by = Trend.Series(rawValue: request.query["by"].flatMap { $0.isEmpty ? nil : $0 } ?? "none")
        // By default the last 12 weeks (docs/WEB.md §2.5), from the first report if that is later.
        let chosen = span(request, defaultDays: 7 * 12 - 1)
        let fromGiven = request.query["from"].map { !$0.isEmpty } ?? false
        var form = "<form class=\"filters\" method=\"get\" action=\"/trends\">"
        if case .success(let s) = chosen {
            form += "<label for=\"from\">From" + HTML.input("from", s.from, type: "date") + "</label><label for=\"to\">To" + HTML.input("to", s.to, type: "date") + "</label>"
        }
        form += "<label for=\"every\">Every" + HTML.select("every", Trend.Every.allCases.map { ($0.rawValue, $0.rawValue) }, selected: every?.rawValue) + "</label>"
        form += "<label for=\"by\">One series per" + HTML.select("by", [("none", "(one series)"), ("country", "country"), ("kind", "kind"), ("priority", "priority"), ("state", "author's state"), ("route", "smuggling route")], selected: by?.rawValue) + "</label>"
        form += "<button type=\"submit\">Show</button></form>"
        guard case .success(let s) = chosen, let every, let by else {
            var problem = "every: week or month"
            if case .failure(let failure) = chosen { problem = failure.text } else if by == nil { problem = "by: country, kind, priority, state or route" }
            finish(.html(page("Trends", form + "<p class=\"refusal\">\(HTML.escape(problem))</p>", current: "/trends"), status: 400))
            return
        }
        ask(.activity, ["from": .string(s.from), "to": .string(s.to), "per_day": true], title: "Trends") { session, reply in
            let rows = reply.body["rows"]?.arrayValue?.compactMap(LedgerRow.init) ?? []
            let from = fromGiven ? s.from : max(s.from, min(s.to, Trend.firstDay(rows) ?? s.to))
            let trend = Trend(rows: rows, from: from, to: s.to, every: every, by: by)
            switch request.path {
            case "/trends.svg":
                session.finish(.text(TrendChart(trend).svg, status: 200, contentType: "image/svg+xml; charset=utf-8"))
            case "/trends.csv":
                var response = HTTPResponse.text(trend.csv, status: 200, contentType: "text/csv; charset=utf-8")
                response.extraHeaders = [("Content-Disposition", "attachment; filename=\"ilonet-trend-\(s.from)-\(s.to).csv\"")]
                session.finish(response)
            default:
                let parameters: [(String, String?)] = [("from", from), ("to", s.to), ("every", every.rawValue), ("by", by.rawValue)]
                var out = form
                out += "<p class=\"muted\">Smuggling, return and border reports created in each \(every.rawValue) (weeks begin on Monday, ISO 8601) from \(HTML.escape(WebSession.day(from))) to \(HTML.escape(WebSession.day(s.to)))"
                    + (fromGiven ? "" : " (the last 12 weeks, or since the first report)") + " that reached this node, counted in its statistics ledger, so erased reports still count. Reports with personal data are left out of every breakdown.</p>"
                out += "<figure class=\"chart\"><img src=\"\(HTML.link("/trends.svg", parameters))\" alt=\"Stacked bar chart of the counts in the table below\"></figure>"
                out += "<p><a href=\"\(HTML.link("/trends.csv", parameters))\">Download as CSV</a></p>"
                let header = ["Period"] + trend.series.map(\.name) + (trend.series.count > 1 ? ["Total"] : [])
                let totals = trend.totals
                let table = trend.labels.enumerated().map { index, period in
                    [period] + trend.series.map { String($0.counts[index]) } + (trend.series.count > 1 ? [String(totals[index])] : [])
                }
                out += HTML.table(header, table, numericColumns: Set(1..<max(1, header.count)), caption: "Reports per \(every.rawValue)")
                session.finish(.html(session.page("Trends", out, current: "/trends")))
            }
        }
    }

    func activityPage(_ request: HTTPRequest) {
        let chosen = span(request, defaultDays: 729)
        let byText = request.query["by"].flatMap { $0.isEmpty ? nil : $0 } ?? "quarter,country,state,kind"
        var form = "<form class=\"filters\" method=\"get\" action=\"/activity\">"
        if case .success(let s) = chosen {
            form += "<label for=\"from\">From" + HTML.input("from", s.from, type: "date") + "</label><label for=\"to\">To" + HTML.input("to", s.to, type: "date") + "</label>"
        }
        form += "<label for=\"by\">Broken down by" + HTML.input("by", byText, size: 28) + "</label><button type=\"submit\">Show</button></form>"
        let dimensions: [ActivityReport.Dimension]
        switch ActivityReport.dimensions(byText) {
        case .success(let parsed): dimensions = parsed
        case .failure(let error):
            finish(.html(page("Activity report", form + "<p class=\"refusal\">\(HTML.escape(error.description))</p>", current: "/activity"), status: 400))
            return
        }
        guard case .success(let s) = chosen else {
            if case .failure(let failure) = chosen { finish(.html(page("Activity report", form + "<p class=\"refusal\">\(HTML.escape(failure.text))</p>", current: "/activity"), status: 400)) }
            return
        }
        ask(.activity, ["from": .string(s.from), "to": .string(s.to)], title: "Activity report") { session, reply in
            let rows = reply.body["rows"]?.arrayValue?.compactMap(LedgerRow.init) ?? []
            let events = reply.body["events"]?.arrayValue?.compactMap(EventLedgerRow.init) ?? []
            let report = ActivityReport(
                rows: rows, events: events, from: s.from, to: s.to, node: reply.body["node"]?.stringValue ?? "the node", dimensions: dimensions)
            if request.path == "/activity.csv" {
                var response = HTTPResponse.text(report.csv, status: 200, contentType: "text/csv; charset=utf-8")
                response.extraHeaders = [("Content-Disposition", "attachment; filename=\"ilonet-activity-\(s.from)-\(s.to).csv\"")]
                session.finish(response)
                return
            }
            session.ask(.directory, [:], title: "Activity report") { session, directory in
                let deployed = RegisterList.deployedOfficers(RegisterList.select(RegisterList.entries(directory.body), on: s.to, country: nil, state: nil))
                let officers = ActivityReport.Table(
                    title: "Liaison officers deployed on \(s.to) (the deployment register)", header: deployed.header, rows: deployed.rows, note: nil)
                var out = form + "<p>\(HTML.escape(report.summary.text))</p>"
                out += "<p><a href=\"\(HTML.link("/activity.csv", [("from", s.from), ("to", s.to), ("by", byText)]))\">Download as CSV</a> (the same bytes as <code>ilo report activity --format csv</code>)</p>"
                for table in report.tables + [officers] {
                    out += "<h2>\(HTML.escape(table.title))</h2>"
                    if table.rows.isEmpty {
                        out += "<p class=\"muted\">None.</p>"
                    } else {
                        out += HTML.table(table.header, table.rows, numericColumns: Set(table.header.indices.filter { table.header[$0] == "reports" }))
                    }
                    if let note = table.note { out += "<p class=\"muted\">\(HTML.escape(note))</p>" }
                }
                session.finish(.html(session.page("Activity report", out, current: "/activity")))
            }
        }
    }

    /// A digest built now (DIGEST-PREVIEW) for a filter and a span.
    func digestPage(_ request: HTTPRequest) {
        let filter = request.query["filter"].flatMap { $0.isEmpty ? nil : $0 } ?? "#"
        let since = request.query["since"].flatMap { $0.isEmpty ? nil : $0 } ?? "24h"
        var form = "<form class=\"filters\" method=\"get\" action=\"/digests\">"
        form += "<label for=\"filter\">Topic filter" + HTML.input("filter", filter, placeholder: "smuggling/LY/#", size: 22) + "</label>"
        form += "<label for=\"since\">Since" + HTML.input("since", since, placeholder: "24h, 7d or 2026-11-01", size: 12) + "</label>"
        form += "<button type=\"submit\">Show</button></form>"
        ask(.digestPreview, ["filter": .string(filter), "since": .string(since)]) { session, reply in
            guard reply.type == .digest, let digest = reply.body["digest"] else {
                let error = ProtocolError(message: reply)
                session.finish(.html(session.page("Digests", form + "<p class=\"refusal\">\(HTML.escape(error.message))</p>", current: "/digests"), status: WebSession.status(for: reply)))
                return
            }
            let counts = digest["counts"] ?? .null
            let total = counts["total"]?.integerValue ?? 0
            let change = digest["change"]?.integerValue ?? 0
            var out = form
            out += "<p>\(total) report(s) matching <code>\(HTML.escape(filter))</code> from \(HTML.escape(digest["from"]?.stringValue ?? "")) to \(HTML.escape(digest["to"]?.stringValue ?? "")); \(change >= 0 ? "+" : "")\(change) against the period before.</p>"
            if let withheld = digest["withheld"]?.integerValue, withheld > 0 {
                out += "<p class=\"muted\">\(withheld) more report(s) counted but not listed (a digest lists at most 500, and only what you may read).</p>"
            }
            for (key, title) in [("by_kind", "Kind"), ("by_country", "Country"), ("by_priority", "Priority")] {
                guard case .object(let map)? = counts[key], !map.isEmpty else { continue }
                out += HTML.table([title, "reports", "before"], map.keys.sorted().map { name in
                    [name, String(map[name]?.integerValue ?? 0), String(digest["previous"]?[key]?[name]?.integerValue ?? 0)]
                }, numericColumns: [1, 2])
            }
            let reports = digest["reports"]?.arrayValue ?? []
            if !reports.isEmpty {
                out += "<h2>Headlines</h2>" + HTML.table(["Written", "Priority", "Kind", "From", "Country", "Headline"], reports.map { r in
                    let id = r["id"]?.stringValue ?? ""
                    let written = r["created"]?.stringValue.flatMap(Timestamp.parse).map(WebSession.dayAndTime) ?? ""
                    let from = [r["author"]?.stringValue, r["authority"]?.stringValue.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
                    return [HTML.escape(written), HTML.escape(r["priority"]?.stringValue ?? ""), HTML.escape(r["kind"]?.stringValue ?? ""), HTML.escape(from),
                            HTML.escape(ReportPage.country(r["country"]?.stringValue ?? "")), "<a href=\"\(HTML.link("/report/\(id)"))\">\(HTML.escape(r["headline"]?.stringValue ?? id))</a>"]
                }, escaped: true)
            }
            session.finish(.html(session.page("Digests", out, current: "/digests")))
        }
    }
}

/// A malformed value in a page's query: what was expected.
struct WebInputProblem: Error {
    let text: String
    init(_ text: String) { self.text = text }
}

extension WebSession {
    /// "2026-11-30" as "30 Nov 2026".
    static func day(_ text: String) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard text.count == 10, let month = Int(text.dropFirst(5).prefix(2)), (1...12).contains(month), let day = Int(text.dropFirst(8)) else { return text }
        return "\(day) \(months[month - 1]) \(text.prefix(4))"
    }
}
