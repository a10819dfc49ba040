/// The notices an order produces at each node (docs/REPORTS.md §5.4, §5.9),
/// both about the order (`body.about`), naming the report (`body.report`),
/// never its content:
///
/// - a **receipt** to the order's issuer: the node withdrew, restricted,
///   lifted or erased the report (or did not hold it), with the SHA-256 of
///   the report's content and the next hops the order went on to. Signed by the
///   node; it travels back along the order's path.
/// - a **recall** to each identity that received or read the report at that
///   node (GDPR Art. 19, Directive (EU) 2016/680 Art. 7(3)): "Withdrawn by its
///   originator: inaccurate (report ID)". It stays at that node, the reader's home.
///
/// Like every notice, the headline is a fixed wording built from the body.
public enum OrderNotice {
    /// Receipt events, by action; `not-held`: the node never held the report.
    static let receiptEvents: Set<String> = ["withdrawn", "restricted", "lifted", "erased", "corrected", "not-held"]
    static let recallEvent = "recalled"
    /// Who gave an order, as a recall says it.
    static let issuers: [String] = ["originator", "authority", "dpo"]

    /// Whether `report` is a node's receipt for an order.
    static func isReceipt(_ report: Report) -> Bool {
        report.kind == .notice && receiptEvents.contains(report.body["event"]?.stringValue ?? "")
    }

    static func receiptHeadline(event: String, report: String, node: String) -> String {
        let text: String
        switch event {
        case "withdrawn": text = "Withdrawn at \(node): report \(report)"
        case "restricted": text = "Restricted at \(node): report \(report)"
        case "lifted": text = "Restriction lifted at \(node): report \(report)"
        case "erased": text = "Erased at \(node): report \(report)"
        case "corrected": text = "Corrected at \(node): report \(report)"
        default: text = "Not held at \(node): report \(report)"
        }
        return String(text.prefix(200))
    }

    /// "Erased by its originator: purpose-fulfilled (report ID)": what happened first, so a
    /// listing that shortens the headline still says it.
    static func recallHeadline(action: String, report: String, by: String, authority: String, ground: String) -> String {
        let verb: String
        switch action {
        case "withdraw": verb = "Withdrawn"
        case "restrict": verb = "Restricted"
        case "lift-restriction": verb = "Released from restriction"
        case "correct": verb = "Corrected"
        default: verb = "Erased"
        }
        let who: String
        switch by {
        case "originator": who = "its originator"
        case "dpo": who = "the data-protection officer of \(authority)"
        default: who = "the deploying authority \(authority)"
        }
        return String("\(verb) by \(who): \(ground) (report \(report))".prefix(200))
    }

    /// Why a notice with an order event is not one a node may send (nil: it may).
    static func wordingProblem(_ notice: Report) -> String? {
        let body = notice.body
        guard let event = body["event"]?.stringValue, let report = body["report"]?.stringValue, ReportID(report) != nil,
            let node = body["node"]?.stringValue
        else { return "an order's notice names the order (body.about), the report (body.report), the event and the node" }
        let expected: String
        if event == recallEvent {
            guard let action = body["action"]?.stringValue, let by = body["by"]?.stringValue, issuers.contains(by),
                let ground = body["ground"]?.stringValue
            else { return "a recall names the action, the ground and who gave the order (body.by)" }
            expected = recallHeadline(action: action, report: report, by: by, authority: body["by_authority"]?.stringValue ?? "", ground: ground)
        } else {
            expected = receiptHeadline(event: event, report: report, node: node)
        }
        guard notice.headline == expected else { return "its headline is not the fixed wording for a \(event) notice" }
        return nil
    }

    /// The receipt `node` writes for `order` after acting on it.
    static func receipt(
        for order: Report, parts: Order.Parts, event: String, contentHash: [UInt8]?, nextHops: [String], path: [String], node: Origin, now: Int64,
        controller: String? = nil, controllerLaw: DataProtectionLaw? = nil
    ) -> Report? {
        var body: [String: JSONValue] = [
            "about": .string(order.id.description), "report": .string(parts.about), "event": .string(event), "node": .string(node.officer),
            "since": .string(Timestamp.format(milliseconds: now)), "next_hops": .array(nextHops.map { .string($0) }),
            "return_path": .array(path.map { .string($0) }),
        ]
        if let contentHash { body["content_hash"] = .string(contentHash.hexString) }
        if let controller { body["controller"] = .string(controller) }
        if let controllerLaw { body["controller_law"] = .string(controllerLaw.rawValue) }
        let document: JSONValue = [
            "id": .string(ReportID.generate().description),
            "kind": "notice",
            "country": .string(order.country),
            "headline": .string(receiptHeadline(event: event, report: parts.about, node: node.officer)),
            "created": .string(Timestamp.format(milliseconds: now)),
            "handling": "H0",
            "addressees": [.string(order.origin.officer)],
            "priority": "flash",
            "body": .object(body),
        ]
        return try? Report.validate(document, sender: node, now: now)
    }

    /// The recall `node` writes to `reader`, who received or read the report.
    static func recall(for order: Report, parts: Order.Parts, issuer: PeerIdentity, reader: String, node: Origin, now: Int64) -> Report? {
        let by = issuer.role == .dpo ? "dpo" : issuer.role == .authority ? "authority" : "originator"
        let body: [String: JSONValue] = [
            "about": .string(order.id.description), "report": .string(parts.about), "event": .string(recallEvent), "node": .string(node.officer),
            "action": .string(parts.action.rawValue), "ground": .string(parts.ground.rawValue), "by": .string(by),
            "by_authority": .string(issuer.authority), "since": .string(Timestamp.format(milliseconds: now)),
            "return_path": [.string(node.officer)],
        ]
        let document: JSONValue = [
            "id": .string(ReportID.generate().description),
            "kind": "notice",
            "country": .string(order.country),
            "headline": .string(
                recallHeadline(action: parts.action.rawValue, report: parts.about, by: by, authority: issuer.authority, ground: parts.ground.rawValue)),
            "created": .string(Timestamp.format(milliseconds: now)),
            "handling": "H0",
            "addressees": [.string(reader)],
            "priority": "flash",
            "body": .object(body),
        ]
        return try? Report.validate(document, sender: node, now: now)
    }
}
