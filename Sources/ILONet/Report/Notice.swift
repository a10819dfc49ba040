/// Notices: what a node tells an officer about one of their reports. A notice
/// names the report by id and says where it was stuck, or (a receipt) where it
/// arrived; it carries none of the report's content.
public enum Notice {
    /// A receipt: `report`, which passed `path` (this node last), reached its
    /// destination here, `node`.
    public static func receipt(for report: Report, path: [String], node: Origin, now: Int64) -> Report? {
        let id = report.id.description
        let document: JSONValue = [
            "id": .string(ReportID.generate().description),
            "kind": "notice",
            "country": .string(report.country),
            "headline": .string(String("Delivered: report \(id) reached \(node.officer)".prefix(200))),
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
        let detail = letter.reason == "expired" ? letter.lastError : letter.reason
        if let detail, !detail.isEmpty { body["reason"] = .string(String(detail.prefix(2000))) }
        let headline = event == "expired"
            ? "Not delivered: report \(letter.reportID) expired at \(node.officer) waiting for \(letter.nextHop)"
            : "Not delivered: \(letter.nextHop) refused report \(letter.reportID) at \(node.officer)"
        let document: JSONValue = [
            "id": .string(ReportID.generate().description),
            "kind": "notice",
            "country": .string(letter.country),
            "headline": .string(String(headline.prefix(200))),
            "created": .string(Timestamp.format(milliseconds: now)),
            "handling": "H0",
            "addressees": [.string(letter.originOfficer)],
            "priority": "priority",
            "body": .object(body),
        ]
        return try? Report.validate(document, sender: node, now: now)
    }
}
