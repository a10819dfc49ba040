/// The web view's addresses and the frame every page shares (docs/WEB.md §2).
extension WebSession {
    /// Roles that read report content (the inbox, reports, search, digests, subscriptions).
    static let contentRoles: Set<Role> = [.officer, .board, .authority]
    /// Roles that report on the network (trends, the activity report).
    static let statisticsRoles: Set<Role> = [.board, .authority, .admin, .operator, .dpo]

    func route(_ request: HTTPRequest) {
        let method = request.method == "HEAD" ? "GET" : request.method
        let path = request.path
        switch (method, path) {
        case ("GET", "/"): inboxPage(request)
        case ("GET", "/static/style.css"): finish(HTTPResponse.text(WebStyle.css, status: 200, contentType: "text/css; charset=utf-8"))
        case ("GET", _) where path.hasPrefix("/file/"): filePage(request)
        case ("GET", _) where path.hasPrefix("/report/"): reportPage(String(path.dropFirst("/report/".count)), reason: request.query["reason"])
        case ("GET", _) where path.hasPrefix("/event/"): eventPage(String(path.dropFirst("/event/".count)))
        case ("GET", "/events"): eventsPage(request)
        case ("GET", "/search"): searchPage(request)
        case ("GET", "/orders"): ordersPage(request)
        case ("GET", "/dpo"): recordPage()
        case ("GET", "/dpo/find"): subjectPage(request)
        case ("GET", "/digests"): digestPage(request)
        case ("GET", "/trends"), ("GET", "/trends.svg"), ("GET", "/trends.csv"): trendPage(request)
        case ("GET", "/activity"), ("GET", "/activity.csv"): activityPage(request)
        case ("GET", "/subscriptions"): subscriptionsPage(request, notice: nil)
        case ("POST", "/inbox/mark"), ("POST", "/subscriptions/add"), ("POST", "/subscriptions/remove"):
            guard request.headers["content-type"]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
                finish(.html(errorPage(400, "forms are sent as application/x-www-form-urlencoded"), status: 400))
                return
            }
            if let problem = formProblem(request) {
                node.logger.warning("web form refused", ["identity": identity?.id ?? "?", "path": path, "reason": problem])
                finish(.html(errorPage(403, "this form did not come from this node's own page (\(problem)); open the page again and resend it"), status: 403))
                return
            }
            switch path {
            case "/inbox/mark": markReports(request)
            case "/subscriptions/add": addSubscription(request)
            default: removeSubscription(request)
            }
        case (_, "/"), (_, "/search"), (_, "/digests"), (_, "/trends"), (_, "/activity"), (_, "/subscriptions"), (_, "/static/style.css"),
            (_, "/orders"), (_, "/dpo"), (_, "/dpo/find"), (_, "/events"):
            var response = HTTPResponse.html(errorPage(405, "\(request.method) is not taken here"), status: 405)
            response.extraHeaders = [("Allow", "GET, HEAD")]
            finish(response)
        default:
            finish(.html(errorPage(404, "there is no page \(path) here"), status: 404))
        }
    }

    /// The one notification banner a page shows after a form: a fixed message
    /// chosen by the code in `?done=`; an unknown code shows none. No text from
    /// the address ever reaches the page.
    static func banner(_ code: String?, _ messages: [String: String]) -> String? {
        guard let code, let message = messages[code] else { return nil }
        return "<p class=\"notice\" role=\"status\">\(HTML.escape(message))</p>"
    }

    // MARK: The frame

    /// A complete page: the header with the reader's identity and the menu for
    /// their role, then `body`.
    func page(_ title: String, _ body: String, current: String = "") -> String {
        let role = identity?.role
        var menu: [(String, String)] = []
        if let role, WebSession.contentRoles.contains(role) {
            menu += [("/", "Inbox"), ("/search", "Search"), ("/events", "Events"), ("/digests", "Digests")]
        }
        if let role, WebSession.statisticsRoles.contains(role) { menu += [("/trends", "Trends"), ("/activity", "Activity report")] }
        if let role, WebSession.contentRoles.contains(role) { menu.append(("/subscriptions", "Subscriptions")) }
        if let role, WebSession.contentRoles.contains(role) || role == .dpo { menu.append(("/orders", "Orders")) }
        if let role, WebSession.recordRoles.contains(role) { menu.append(("/dpo", "Record of processing")) }
        if role == .dpo { menu.append(("/dpo/find", "Subject lookup")) }
        let nav = menu.map { path, label in
            "<a href=\"\(path)\"\(path == current ? " aria-current=\"page\"" : "")>\(HTML.escape(label))</a>"
        }.joined()
        let who = identity.map { "\(HTML.escape($0.id)) · \(HTML.escape($0.role.rawValue)) · \(HTML.escape($0.authority)) (\(HTML.escape($0.memberState)))" } ?? ""
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title)) · ILONet \(HTML.escape(node.configuration.name))</title>
            <link rel="stylesheet" href="/static/style.css"></head>
            <body><header><div class="brand">ILONet <span>\(HTML.escape(node.configuration.name))</span></div>
            <div class="who">\(who)</div><nav>\(nav)</nav></header>
            <main><h1>\(HTML.escape(title))</h1>
            \(body)
            </main><footer>Shown to \(HTML.escape(identity?.id ?? "?")) under this node's access rules; every report opened is recorded in the node's audit trail.</footer></body></html>
            """
    }

    func errorPage(_ status: Int, _ reason: String) -> String {
        page("\(status) \(HTTPResponse.reason(status))", "<p class=\"refusal\">\(HTML.escape(reason))</p>")
    }

    /// The node refused a request: its words, and what to do.
    func refusalPage(_ title: String, _ error: ProtocolError) -> String {
        page(title, "<p class=\"refusal\"><strong>\(HTML.escape(error.code.rawValue))</strong>: \(HTML.escape(error.message))</p>")
    }

    /// A coded value with its meaning: `H2 — Restricted: …`.
    static func coded(_ code: Code, _ value: String?) -> String {
        guard let value else { return "–" }
        return "\(value) — \(code.label(value) ?? "unknown code")"
    }
}
