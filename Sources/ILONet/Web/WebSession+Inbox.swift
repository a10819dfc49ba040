/// The mailbox in the browser (docs/WEB.md §2.1): unread reports first, most
/// urgent first, then the ones read, newest first — the same flags `ilo inbox`
/// sets, since both ask the node (FETCH, MARK). Opening a report does not mark
/// it; the buttons do, per report or for the ones ticked.
extension WebSession {
    static let mailboxReadShown = 100

    func inboxPage(_ request: HTTPRequest) {
        if let role = identity?.role, !WebSession.contentRoles.contains(role) {
            finish(.html(page("Inbox", "<p class=\"notice\">\(HTML.escape(role.rawValue)) identities receive no reports. " + (WebSession.statisticsRoles.contains(role) ? "See <a href=\"/trends\">trends</a> and the <a href=\"/activity\">activity report</a>.</p>" : "</p>"), current: "/")))
            return
        }
        // Someone whose home is another node reads there (docs/ROUTING.md §8): this node keeps no mailbox for them.
        if let home {
            finish(.html(page("Inbox", "<p class=\"notice\">You read at <strong>\(HTML.escape(home))</strong> (the deployment register's reads_at): your mailbox, "
                + "and everything your subscriptions draw, is there. This node delivers nothing to you; open that node's web view. "
                + "Reports you may read are still found here by <a href=\"/search\">search</a>.</p>", current: "/")))
            return
        }
        ask(.fetch, ["limit": 200], title: "Inbox") { session, unreadReply in
            session.ask(.fetch, ["all": true, "limit": .integer(Int64(WebSession.mailboxReadShown))], title: "Inbox") { session, allReply in
                session.finish(.html(session.page("Inbox", session.inboxBody(request, unread: unreadReply, all: allReply), current: "/")))
            }
        }
    }

    private func inboxBody(_ request: HTTPRequest, unread: Message, all: Message) -> String {
        let unreadReports = (unread.body["reports"]?.arrayValue ?? []).compactMap { $0["report"] }
        let unreadIDs = Set(unreadReports.compactMap { $0["id"]?.stringValue })
        let readReports = (all.body["reports"]?.arrayValue ?? []).filter { $0["read"]?.boolValue == true }.compactMap { $0["report"] }
            .filter { !unreadIDs.contains($0["id"]?.stringValue ?? "") }
        var body = ""
        if let banner = WebSession.banner(request.query["done"], [
            "read": "Marked as read. They stay in your inbox, below the unread ones, until they expire.",
            "unread": "Marked as unread: they are back at the top of your inbox, and `ilo inbox` shows them again.",
            "none": "Nothing changed: those reports already were so, or are no longer in your inbox.",
        ]) { body += banner }
        if unreadReports.isEmpty && readReports.isEmpty {
            return body + "<p class=\"notice\">Your inbox is empty. Reports reach it by your <a href=\"/subscriptions\">subscriptions</a>, when they are addressed to you or your authority, and by consent. Older reports you may read are found by <a href=\"/search\">search</a>.</p>"
        }
        let everything = unreadReports + readReports
        var headlines: [String: Int] = [:]
        for report in everything { headlines[report["headline"]?.stringValue ?? "", default: 0] += 1 }
        func rows(_ reports: [JSONValue], read: Bool) -> [[String]] {
            reports.map { report in
                let id = report["id"]?.stringValue ?? ""
                let priority = report["priority"]?.stringValue ?? "?"
                let handling = report["handling"]?.stringValue ?? "?"
                let headline = report["headline"]?.stringValue ?? id
                let author = report["origin"]?["officer"]?.stringValue ?? "?"
                let authority = report["origin"]?["authority"]?.stringValue ?? "?"
                let created = report["created"]?.stringValue.flatMap(Timestamp.parse)
                let same = headlines[headline, default: 0] > 1
                let country = report["country"]?.stringValue ?? "?"
                return [
                    "<input type=\"checkbox\" name=\"id\" value=\"\(HTML.escape(id))\" aria-label=\"select\">",
                    (read ? "" : "<strong class=\"unread\" title=\"unread\">●</strong> ") + "<span class=\"prio-\(HTML.escape(priority))\">\(HTML.escape(priority))</span>",
                    "<span class=\"badge\" title=\"\(HTML.escape(CodeBook.handling.label(handling) ?? ""))\">\(HTML.escape(handling))</span>",
                    HTML.escape(created.map(WebSession.dayAndTime) ?? "?"),
                    HTML.escape(same ? "\(author) (\(authority))" : authority),
                    HTML.escape(ISOCodes.countryName(country).map { "\($0) (\(country))" } ?? country),
                    (read ? "" : "<strong>") + "<a href=\"\(HTML.link("/report/\(id)"))\">\(HTML.escape(headline))</a>" + (read ? "" : "</strong>"),
                    "<button type=\"submit\" name=\"one\" value=\"\(read ? "unread" : "read") \(HTML.escape(id))\" class=\"link\">Mark \(read ? "unread" : "read")</button>",
                ]
            }
        }
        body += "<form method=\"post\" action=\"/inbox/mark\" class=\"mailbox\">"
        body += "<input type=\"hidden\" name=\"token\" value=\"\(formToken)\">"
        let header = ["", "Priority", "Handling", "Sent", "From", "Country", "Headline", ""]
        body += "<h2>Unread (\(unreadReports.count)\(unread.body["more"] == .bool(true) ? "+" : ""))</h2>"
        if unreadReports.isEmpty {
            body += "<p class=\"muted\">Nothing new.</p>"
        } else {
            body += "<p class=\"muted\">Most urgent first. Opening a report does not mark it as read.</p>"
            body += HTML.table(header, rows(unreadReports, read: false), escaped: true, cssClass: "cards")
        }
        body += "<p class=\"actions\"><button type=\"submit\" name=\"action\" value=\"read\">Mark selected as read</button> "
        body += "<button type=\"submit\" name=\"action\" value=\"unread\">Mark selected as unread</button></p>"
        if !readReports.isEmpty {
            body += "<h2>Read</h2><p class=\"muted\">Newest first; the latest \(WebSession.mailboxReadShown) at most. They stay until they expire.</p>"
            body += HTML.table(header, rows(readReports, read: true), escaped: true, cssClass: "cards")
        }
        return body + "</form>"
    }

    /// "Jan 3, 14:05" as "3 Jan 2026 14:05" (UTC).
    static func dayAndTime(_ milliseconds: Int64) -> String {
        let stamp = Timestamp.format(milliseconds: milliseconds)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let month = Int(stamp.dropFirst(5).prefix(2)).map { months[max(0, min(11, $0 - 1))] } ?? "?"
        let day = Int(stamp.dropFirst(8).prefix(2)).map(String.init) ?? "?"
        return "\(day) \(month) \(stamp.prefix(4)) \(stamp.dropFirst(11).prefix(5))"
    }

    /// MARK for one report (its own button) or the ones ticked (the selection's buttons).
    func markReports(_ request: HTTPRequest) {
        let form = request.form
        var read: Bool
        var ids: [String]
        if let one = form["one"] {
            let parts = one.split(separator: " ").map(String.init)
            guard parts.count == 2, ["read", "unread"].contains(parts[0]) else {
                finish(.html(errorPage(400, "one: \"read ID\" or \"unread ID\""), status: 400))
                return
            }
            read = parts[0] == "read"
            ids = [parts[1]]
        } else {
            guard let action = form["action"], ["read", "unread"].contains(action) else {
                finish(.html(errorPage(400, "action: read or unread"), status: 400))
                return
            }
            read = action == "read"
            ids = (form["id"] ?? "").split(separator: " ").map(String.init)
        }
        guard ids.count <= 1000, ids.allSatisfy({ ReportID($0) != nil }) else {
            finish(.html(errorPage(400, "id: the report ids the inbox listed (at most 1000)"), status: 400))
            return
        }
        if ids.isEmpty {
            finish(.seeOther("/?done=none"))
            return
        }
        ask(.mark, ["ids": .array(ids.map { .string($0) }), "read": .bool(read)], title: "Inbox") { session, reply in
            session.finish(.seeOther((reply.body["changed"]?.integerValue ?? 0) > 0 ? (read ? "/?done=read" : "/?done=unread") : "/?done=none"))
        }
    }
}
