/// Notices: what a node tells an officer about one of their reports. A notice
/// names the report by id and says where it was stuck, or (a receipt) where it
/// arrived; it carries none of the report's content. Its headline is always
/// one of four fixed wordings built from its body, and why it was refused is a
/// protocol error code, never text, so that no node can word a message of its
/// own to an officer (`wordingProblem`, `ErrorCode.noticeWording`).
public enum Notice {
    /// The one headline a notice with these body fields has.
    static func headline(event: String, about id: String, node: String, nextHop: String?) -> String {
        let text: String
        switch event {
        case "delivered": text = "Delivered: report \(id) reached \(node)"
        case "expired": text = "Not delivered: report \(id) expired at \(node) waiting for \(nextHop ?? "?")"
        case "deleted": text = "Not delivered: report \(id) deleted at \(node) by an administrator"
        default: text = "Not delivered: \(nextHop ?? "?") refused report \(id) at \(node)"
        }
        return String(text.prefix(200))
    }

    /// Every event a notice may have.
    static let eventsByNodes: Set<String> = Set(["delivered", "expired", "refused", "deleted"]).union(OrderNotice.receiptEvents).union([OrderNotice.recallEvent])

    /// Why a notice is not one a node may send: written by another node than its
    /// body says, about something else than a report, or worded differently.
    static func wordingProblem(_ notice: Report) -> String? {
        let body = notice.body
        guard let about = body["about"]?.stringValue, ReportID(about) != nil, let event = body["event"]?.stringValue,
            eventsByNodes.contains(event), let node = body["node"]?.stringValue
        else { return "a notice names the report it is about (body.about), the event and the node" }
        guard node == notice.origin.officer else { return "body.node \(node) is not its author \(notice.origin.officer)" }
        guard notice.addressees.count == 1 else { return "a notice has exactly one addressee, the author of the report it is about" }
        if OrderNotice.receiptEvents.contains(event) || event == OrderNotice.recallEvent { return OrderNotice.wordingProblem(notice) }
        let expected = headline(event: event, about: about, node: node, nextHop: body["next_hop"]?.stringValue)
        guard notice.headline == expected else { return "its headline is not the fixed wording for a \(event) notice" }
        return nil
    }

    /// A receipt: `report`, which passed `path` (this node last), reached its
    /// destination here, `node`.
    public static func receipt(for report: Report, path: [String], node: Origin, now: Int64) -> Report? {
        let id = report.id.description
        let document: JSONValue = [
            "id": .string(ReportID.generate().description),
            "kind": "notice",
            "country": .string(report.country),
            "headline": .string(headline(event: "delivered", about: id, node: node.officer, nextHop: nil)),
            "created": .string(Timestamp.format(milliseconds: now)),
            "handling": "H0",
            "addressees": [.string(report.origin.officer)],
            "priority": "routine",
            "body": [
                "about": .string(id), "event": "delivered", "node": .string(node.officer),
                "since": .string(Timestamp.format(milliseconds: now)), "return_path": .array(path.map { .string($0) }),
            ],
        ]
        return try? Report.validate(document, sender: node, now: now)
    }

    /// A notice that an administrator of `node` deleted the author's report from
    /// its queues (`ilo queue delete`). Who and why stay at that node (its queue
    /// audit): a notice carries no text of its own.
    public static func deleted(_ report: ReportStore.DeletedReport, node: Origin, now: Int64) -> Report? {
        var body: [String: JSONValue] = [
            "about": .string(report.id), "event": "deleted", "node": .string(node.officer),
            "since": .string(Timestamp.format(milliseconds: now)),
            "return_path": .array((report.path.isEmpty ? [node.officer] : report.path).map { .string($0) }),
        ]
        if let hop = report.hops.first { body["next_hop"] = .string(hop) }
        let document: JSONValue = [
            "id": .string(ReportID.generate().description),
            "kind": "notice",
            "country": .string(report.country),
            "headline": .string(headline(event: "deleted", about: report.id, node: node.officer, nextHop: nil)),
            "created": .string(Timestamp.format(milliseconds: now)),
            "handling": "H0",
            "addressees": [.string(report.originOfficer)],
            "priority": "priority",
            "body": .object(body),
        ]
        return try? Report.validate(document, sender: node, now: now)
    }

    /// A notice for a dead letter, written by `node` (whose certificate gives `origin`).
    public static func make(for letter: ReportStore.DeadLetter, node: Origin, now: Int64) -> Report? {
        let event = letter.reason == "expired" ? "expired" : "refused"
        var body: [String: JSONValue] = [
            "about": .string(letter.reportID),
            "event": .string(event),
            "node": .string(node.officer),
            "next_hop": .string(letter.nextHop),
            "since": .string(Timestamp.format(milliseconds: letter.queuedMilliseconds)),
            "return_path": .array((letter.path.isEmpty ? [node.officer] : letter.path).map { .string($0) }),
        ]
        if let code = letter.code { body["code"] = .string(code.rawValue) }
        let document: JSONValue = [
            "id": .string(ReportID.generate().description),
            "kind": "notice",
            "country": .string(letter.country),
            "headline": .string(headline(event: event, about: letter.reportID, node: node.officer, nextHop: letter.nextHop)),
            "created": .string(Timestamp.format(milliseconds: now)),
            "handling": "H0",
            "addressees": [.string(letter.originOfficer)],
            "priority": "priority",
            "body": .object(body),
        ]
        return try? Report.validate(document, sender: node, now: now)
    }
}
