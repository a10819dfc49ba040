/// An event as duty desks work it (Commission Implementing Regulation (EU)
/// 2021/581 Art. 9 and 17; docs/REPORTS.md §5.10): the first report of an
/// event and its follow-ups (`follow_up_of`), owned by the first author's
/// deploying authority, assessed, validated, closed and reopened by signed
/// `event` reports that follow the event's reports through the network.
public enum EventAction {
    public enum Action: String, Sendable, CaseIterable {
        /// The owner assigns or revises the event's impact (Art. 17(5)).
        case assessImpact = "assess-impact"
        /// An authority of the first author's state states whether the event is validated (Art. 16(2)).
        case validate
        /// The owner closes the event (Art. 9(7)): follow-ups are refused until it is reopened.
        case close
        case reopen
        /// The owner hands the event to another deploying authority.
        case transfer
        /// The owner lets an identity or a deploying authority read the event's
        /// H0 and H1 reports without personal data (the steering board, docs/ACCESS.md §1.1).
        case share
    }

    /// Why an owner closes an event (Art. 9(7) names the first two).
    public enum CloseReason: String, Sendable, CaseIterable {
        case didNotOccur = "did-not-occur"
        case impactDoesNotJustifyReporting = "impact-does-not-justify-reporting"
        case resolved
        case other
    }

    public enum Validation: String, Sendable, CaseIterable {
        case validated
        case notValidated = "not-validated"
    }

    public static let schema = ObjectSchema(
        "event",
        [
            Field("about", .reportID, required: true, "the event: the id of its first report"),
            Field(
                "action", .choice(Action.allCases.map(\.rawValue)), required: true,
                "assess-impact: the owner's impact (with impact); validate: validated or not (with validation), by an authority of the first author's state; "
                    + "close (with reason): follow-ups are refused until reopen; transfer (with to): another deploying authority owns it; "
                    + "share (with to): an identity or authority may read the event's H0 and H1 reports without personal data"),
            Field("impact", .code(CodeBook.impact), "assess-impact: the owner's impact (2021/581 Art. 17(5)); each report keeps its own"),
            Field("validation", .choice(Validation.allCases.map(\.rawValue)), "validate: validated or not-validated (2021/581 Art. 16(2))"),
            Field("reason", .choice(CloseReason.allCases.map(\.rawValue)), "close: why (2021/581 Art. 9(7) for the first two); other needs a note"),
            Field("to", .string(maxLength: 200), "transfer: the new owner, authority:NAME (a deploying authority); share: an identity id or authority:NAME"),
            Field("note", .text(maxLength: 500), "a note shown on the event page; screened like any free text"),
        ],
        rules: [
            { fields, path, issues in
                guard let action = fields["action"]?.stringValue.flatMap(Action.init(rawValue:)) else { return }
                let needs: [String: [Action]] = ["impact": [.assessImpact], "validation": [.validate], "reason": [.close], "to": [.transfer, .share]]
                for (field, actions) in needs.sorted(by: { $0.key < $1.key }) {
                    if actions.contains(action), fields[field] == nil { issues.append(ValidationIssue(field: join(path, field), "is required for \(action.rawValue)")) }
                    if !actions.contains(action), fields[field] != nil {
                        issues.append(ValidationIssue(field: join(path, field), "belongs to \(actions.map(\.rawValue).joined(separator: " and ")), not \(action.rawValue)"))
                    }
                }
                if action == .close, fields["reason"]?.stringValue == CloseReason.other.rawValue, fields["note"] == nil {
                    issues.append(ValidationIssue(field: join(path, "note"), "is required when the reason is other: say why"))
                }
                if action == .transfer, let to = fields["to"]?.stringValue, authority(named: to) == nil {
                    issues.append(ValidationIssue(field: join(path, "to"), "names a deploying authority as authority:NAME (e.g. authority:IT-PS)"))
                }
                if action == .share, let to = fields["to"]?.stringValue, !Report.isAddressee(to) {
                    issues.append(ValidationIssue(field: join(path, "to"), "names an identity (board.fr.martin) or a deploying authority (authority:FR-DGEF)"))
                }
            }
        ])

    /// NAME in `authority:NAME` (nil: not that form).
    public static func authority(named text: String) -> String? {
        guard text.hasPrefix("authority:") else { return nil }
        let name = String(text.dropFirst("authority:".count))
        return name.isEmpty || name.contains(where: { $0 == " " || $0 == "/" }) ? nil : name
    }

    /// The parts of a validated `event` report.
    public struct Parts: Sendable, Equatable {
        public let about: String
        public let action: Action
        public let impact: String?
        public let validation: Validation?
        public let reason: CloseReason?
        /// `authority:NAME` (transfer, share) or an identity id (share).
        public let to: String?
        public let note: String?

        /// The new owner of a transfer.
        public var newOwner: String? { to.flatMap(EventAction.authority(named:)) }

        public init(
            about: String, action: Action, impact: String? = nil, validation: Validation? = nil, reason: CloseReason? = nil, to: String? = nil,
            note: String? = nil
        ) {
            self.about = about
            self.action = action
            self.impact = impact
            self.validation = validation
            self.reason = reason
            self.to = to
            self.note = note
        }
    }

    public static func parts(_ report: Report) -> Parts? {
        let body = report.body
        guard report.kind == .event, let about = body["about"]?.stringValue,
            let action = body["action"]?.stringValue.flatMap(Action.init(rawValue:))
        else { return nil }
        return Parts(
            about: about, action: action, impact: body["impact"]?.stringValue,
            validation: body["validation"]?.stringValue.flatMap(Validation.init(rawValue:)),
            reason: body["reason"]?.stringValue.flatMap(CloseReason.init(rawValue:)),
            to: body["to"]?.stringValue, note: body["note"]?.stringValue)
    }

    /// The one headline an event report has, built from its body.
    public static func headline(_ parts: Parts) -> String {
        let text: String
        switch parts.action {
        case .assessImpact: text = "Event \(parts.about): impact assessed \(parts.impact ?? "")"
        case .validate: text = "Event \(parts.about): \(parts.validation?.rawValue ?? "")"
        case .close: text = "Event \(parts.about): closed (\(parts.reason?.rawValue ?? ""))"
        case .reopen: text = "Event \(parts.about): reopened"
        case .transfer: text = "Event \(parts.about): transferred to \(parts.newOwner ?? "")"
        case .share: text = "Event \(parts.about): shared with \(parts.to ?? "")"
        }
        return String(text.prefix(200))
    }

    /// An event report about `event` (its first report's id and country), before it is signed (`ilo event …`).
    public static func draft(_ parts: Parts, country: String, now: Int64) -> JSONValue {
        var body: [String: JSONValue] = ["about": .string(parts.about), "action": .string(parts.action.rawValue)]
        if let impact = parts.impact { body["impact"] = .string(impact) }
        if let validation = parts.validation { body["validation"] = .string(validation.rawValue) }
        if let reason = parts.reason { body["reason"] = .string(reason.rawValue) }
        if let to = parts.to { body["to"] = .string(to) }
        if let note = parts.note { body["note"] = .string(note) }
        return [
            "id": .string(ReportID.generate().description),
            "kind": "event",
            "country": .string(country),
            "headline": .string(headline(parts)),
            "created": .string(Timestamp.format(milliseconds: now)),
            "handling": "H0",
            "priority": "immediate",
            "body": .object(body),
        ]
    }

    /// Why `report` is not a well-formed event report: its headline is not the
    /// fixed wording, or it names addressees or personal data.
    public static func wordingProblem(_ report: Report) -> String? {
        guard let parts = parts(report) else { return "an event report names the event (body.about) and the action" }
        let expected = headline(parts)
        guard report.headline == expected else { return "headline: an event report's headline is the fixed wording \"\(expected)\"" }
        guard report.addressees.isEmpty else { return "addressees: an event report has none; it goes where the event's reports went" }
        guard report.personalData == nil else { return "personal_data: an event report carries none" }
        return nil
    }

    /// Who may take `action` on an event owned by `owner` whose first report
    /// was written by `firstAuthor` of state `firstState`: the owner (an
    /// `authority` identity of that deploying authority) or the first author;
    /// `validate` only an authority of the first author's state. Nil: `issuer` may.
    public static func issuerProblem(_ action: Action, issuer: PeerIdentity, owner: String, firstAuthor: String, firstState: String) -> String? {
        if action == .validate {
            if issuer.role == .authority && issuer.memberState == firstState { return nil }
            return "only an authority of \(firstState), the first author's state, may validate this event"
        }
        if issuer.id == firstAuthor || (issuer.role == .authority && issuer.authority == owner) { return nil }
        return "only the event's owner (an authority of \(owner)) or its first author (\(firstAuthor)) may \(action.rawValue) it"
    }
}
