/// The reader's subscriptions (docs/WEB.md §2.7): SUBSCRIPTIONS, SUBSCRIBE and
/// UNSUBSCRIBE, as `ilo subscriptions`, `ilo subscribe` and `ilo unsubscribe`.
extension WebSession {
    func subscriptionsPage(_ request: HTTPRequest, notice: String?) {
        ask(.subscriptions, [:], title: "Subscriptions") { session, reply in
            let token = session.formToken
            var out = ""
            if let banner = WebSession.banner(request.query["done"], [
                "subscribed": "Subscribed: the subscription is in the list below.",
                "unsubscribed": "Unsubscribed: the subscription left the list below.",
                "none": "There was no such subscription to remove.",
            ]) { out += banner }
            let list = reply.body["subscriptions"]?.arrayValue ?? []
            if list.isEmpty {
                out += "<p class=\"muted\">No subscriptions: reports reach you only when addressed to you.</p>"
            } else {
                out += HTML.table(["Topic filter", "Delivery", "Since", ""], list.map { s in
                    let filter = s["filter"]?.stringValue ?? ""
                    let mode = s["mode"]?.stringValue ?? "each"
                    let delivery = mode == "digest" ? "digest, \(s["period"]?.stringValue ?? "") at \(s["at"]?.stringValue ?? "00:00") UTC" : "each report"
                    let remove = s["implicit"] == .bool(true) ? "<small>from your deployment</small>"
                        : "<form method=\"post\" action=\"/subscriptions/remove\" class=\"inline\"><input type=\"hidden\" name=\"token\" value=\"\(token)\">"
                            + "<input type=\"hidden\" name=\"filter\" value=\"\(HTML.escape(filter))\">"
                            + "<input type=\"hidden\" name=\"mode\" value=\"\(HTML.escape(mode))\"><button class=\"quiet\" type=\"submit\">Unsubscribe</button></form>"
                    return ["<code>\(HTML.escape(filter))</code>", HTML.escape(delivery), HTML.escape(String((s["created"]?.stringValue ?? "").prefix(10))), remove]
                }, escaped: true)
            }
            out += "<h2>Subscribe</h2><form class=\"filters\" method=\"post\" action=\"/subscriptions/add\">"
            out += "<input type=\"hidden\" name=\"token\" value=\"\(token)\">"
            out += "<label for=\"filter\">Topic filter" + HTML.input("filter", nil, placeholder: "smuggling/LY/#", size: 22) + "</label>"
            out += "<label for=\"mode\">Delivery" + HTML.select("mode", [("each", "each report"), ("hourly", "hourly digest"), ("daily", "daily digest"), ("weekly", "weekly digest")], selected: "each") + "</label>"
            out += "<button type=\"submit\">Subscribe</button></form>"
            out += "<p class=\"muted\">Topics are KIND/COUNTRY/…: <code>smuggling/LY/#</code> is every smuggling report about Libya, <code>+/TN/#</code> every report about Tunisia. The access rules decide what you may subscribe to.</p>"
            session.finish(.html(session.page("Subscriptions", out, current: "/subscriptions")))
        }
    }

    func addSubscription(_ request: HTTPRequest) {
        let form = request.form
        let filter = (form["filter"] ?? "").trimmingCharacters(in: .whitespaces)
        var body: [String: JSONValue] = ["filter": .string(filter)]
        let mode = form["mode"] ?? "each"
        if mode != "each" { body["digest"] = ["period": .string(mode)] }
        ask(.subscribe, .object(body)) { session, reply in
            guard reply.type == .ok else {
                session.finish(.html(session.page("Subscriptions", "<p class=\"refusal\">\(HTML.escape(ProtocolError(message: reply).message))</p><p><a href=\"/subscriptions\">Back to your subscriptions</a></p>", current: "/subscriptions"), status: WebSession.status(for: reply)))
                return
            }
            session.finish(.seeOther("/subscriptions?done=subscribed"))
        }
    }

    func removeSubscription(_ request: HTTPRequest) {
        let filter = request.form["filter"] ?? ""
        let digest = request.form["mode"] == "digest"
        ask(.unsubscribe, ["filter": .string(filter), "digest": .bool(digest)], title: "Subscriptions") { session, reply in
            let removed = reply.body["removed"]?.integerValue ?? 0
            session.finish(.seeOther("/subscriptions?done=" + (removed > 0 ? "unsubscribed" : "none")))
        }
    }
}
