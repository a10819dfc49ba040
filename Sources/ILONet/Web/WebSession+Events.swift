/// The event pages (docs/WEB.md §2.6, docs/REPORTS.md §5.10): the events the
/// reader may see, and one event — status, owner, impact, confidence, time to
/// first report, its reports in time order with their measures, its actions.
extension WebSession {
    /// `/events[?status=open|closed]`.
    func eventsPage(_ request: HTTPRequest) {
        let status = request.query["status"].flatMap { ["open", "closed"].contains($0) ? $0 : nil }
        var body: [String: JSONValue] = ["limit": 200]
        if let status { body["status"] = .string(status) }
        ask(.events, .object(body), title: "Events") { session, reply in
            let events = reply.body["events"]?.arrayValue ?? []
            var out = "<p>Each first report opens an event; follow-ups join it; its owner (the first author's deploying authority) assesses, "
                + "validates, closes and reopens it (Implementing Regulation (EU) 2021/581 Art. 9 and 17).</p>"
            out += "<p class=\"filters\"><a href=\"/events\">All</a> · <a href=\"/events?status=open\">Open</a> · <a href=\"/events?status=closed\">Closed</a></p>"
            if events.isEmpty {
                out += "<p class=\"muted\">No event you may see.</p>"
            } else {
                out += HTML.table(["Event", "Kind", "Country", "Status", "Owner", "Impact", "First report"], events.map { event in
                    let id = event["id"]?.stringValue ?? ""
                    return [
                        "<a href=\"\(HTML.link("/event/\(id)"))\">\(HTML.escape(String(id.suffix(8))))</a>", HTML.escape(event["kind"]?.stringValue ?? ""),
                        HTML.escape(event["country"]?.stringValue ?? ""), HTML.escape(WebSession.eventStatus(event)), HTML.escape(event["owner"]?.stringValue ?? ""),
                        HTML.escape(event["impact"]?.stringValue ?? "–"), HTML.escape(WebSession.firstReport(event)),
                    ]
                }, escaped: true)
            }
            session.finish(.html(session.page("Events", out, current: "/events")))
        }
    }

    /// `/event/ID`: ID is the event's first report, or any report of it.
    func eventPage(_ id: String) {
        guard ReportID(id) != nil else {
            finish(.html(errorPage(404, "\(id) is not a report id"), status: 404))
            return
        }
        ask(.event, ["id": .string(id)], title: "Event") { session, reply in
            let event = reply.body["event"] ?? .null
            func s(_ value: JSONValue?) -> String { value?.stringValue ?? value?.integerValue.map(String.init) ?? "–" }
            let confidence = reply.body["confidence"] ?? .null
            var summary: [(String, String)] = [
                ("Status", WebSession.eventStatus(event)),
                ("Owner", "\(s(event["owner"])) (first report by \(s(event["first_author"])), \(s(event["first_state"])))"),
                ("Impact", "\(s(event["impact"])) (\(s(event["impact_by"])))"),
                ("Confidence", "reliability \(s(confidence["reliability"])), accuracy \(s(confidence["accuracy"])), \(s(confidence["validation"]))"),
                ("Happened", ReportPage.time(event["time"]?.stringValue) ?? "not stated"),
                ("First report", "\(ReportPage.time(event["created"]?.stringValue) ?? "–"), \(WebSession.firstReport(event))"),
            ]
            if let note = event["note"]?.stringValue { summary.append(("Note", note)) }
            var out = "<dl class=\"summary\">" + summary.map { "<dt>\(HTML.escape($0.0))</dt><dd>\(HTML.escape($0.1))</dd>" }.joined() + "</dl>"
            out += "<h2>Reports, in time order</h2>"
            let reports = reply.body["reports"]?.arrayValue ?? []
            if reports.isEmpty { out += "<p class=\"muted\">None that you may read.</p>" }
            for report in reports {
                let reportID = report["id"]?.stringValue ?? ""
                out += "<section class=\"event-report\"><h3><a href=\"\(HTML.link("/report/\(reportID)"))\">\(HTML.escape(s(report["headline"])))</a></h3>"
                out += "<p class=\"muted\">\(HTML.escape(ReportPage.time(report["created"]?.stringValue) ?? "")) · \(HTML.escape(s(report["author"]))) "
                    + "(\(HTML.escape(s(report["authority"])))) · impact \(HTML.escape(s(report["impact"])))</p>"
                if let taken = report["measures_taken"]?.stringValue { out += "<p><strong>Measures taken:</strong> \(HTML.escape(taken))</p>" }
                if let planned = report["measures_planned"]?.stringValue { out += "<p><strong>Measures planned:</strong> \(HTML.escape(planned))</p>" }
                out += "</section>"
            }
            let withheld = reply.body["withheld"]?.integerValue ?? 0
            if withheld > 0 { out += "<p class=\"muted\">\(withheld) report\(withheld == 1 ? "" : "s") you may not read.</p>" }
            let actions = reply.body["actions"]?.arrayValue ?? []
            if !actions.isEmpty {
                out += "<h2>Actions</h2>" + HTML.table(["When", "Action", "By", "Note"], actions.map { action in
                    var what = s(action["action"])
                    for key in ["impact", "validation", "reason", "to"] { if let value = action[key]?.stringValue { what += " " + value } }
                    return [ReportPage.time(action["created"]?.stringValue) ?? "", what, "\(s(action["by"])) (\(s(action["authority"])))", action["note"]?.stringValue ?? ""]
                })
            }
            session.finish(.html(session.page("Event \(String(s(event["id"]).suffix(8))): \(s(event["kind"])), \(s(event["country"]))", out, current: "/events")))
        }
    }

    static func eventStatus(_ event: JSONValue) -> String {
        event["status"]?.stringValue == "closed" ? "closed (\(event["close_reason"]?.stringValue ?? "?"))" : "open"
    }

    /// "after 3h00m", flagged late beyond 24 h (2021/581 Art. 9(3)).
    static func firstReport(_ event: JSONValue) -> String { EventAction.firstReportText(event, lateMark: " — late (more than 24 h)") }
}
