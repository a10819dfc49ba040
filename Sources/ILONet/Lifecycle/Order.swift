/// An order about a sent report (docs/REPORTS.md §5.9): a signed `erasure`
/// report that withdraws, restricts, lifts a restriction on, or erases a report
/// at every node that holds it. GDPR Art. 17–19 and Directive (EU) 2016/680
/// Art. 7(3), 16: erasure, rectification and restriction are carried out and
/// communicated to every recipient; Regulation (EU) 2019/1240 Art. 10(2): personal
/// data are erased when no longer necessary, not only at a date set in advance.
///
/// The order follows the report's own path (`OrderPlan`): each node passes it to
/// every node it sent the report to and to the node it came from, at flash
/// priority, acts on it in the same transaction, and answers with a receipt
/// signed by the node (`OrderReceipt`).
public enum Order {
    public enum Action: String, Sendable, CaseIterable {
        case withdraw, restrict
        case liftRestriction = "lift-restriction"
        case erase
        /// Not an `erasure` order's action: a correction is a new report with
        /// `corrects` (`ilo correct`), which acts as the order along the way.
        case correct

        /// The actions an `erasure` order may name.
        static let ordered: [Action] = [.withdraw, .restrict, .liftRestriction, .erase]

        /// The receipt's event once a node has acted.
        var done: String {
            switch self {
            case .withdraw: "withdrawn"
            case .restrict: "restricted"
            case .liftRestriction: "lifted"
            case .erase: "erased"
            case .correct: "corrected"
            }
        }

        /// Whether the report leaves the node (rows, mailboxes, index, queues).
        public var removes: Bool { self != .restrict && self != .liftRestriction }
    }

    public enum Ground: String, Sendable, CaseIterable {
        case purposeFulfilled = "purpose-fulfilled"
        case inaccurate
        case unlawfullyTransmitted = "unlawfully-transmitted"
        case dataSubjectRequest = "data-subject-request"
        case other
    }

    public static let schema = ObjectSchema(
        "erasure",
        [
            Field("about", .reportID, required: true, "the report the order is about"),
            Field(
                "author", .string(maxLength: 200),
                "that report's author (origin.officer), checked at every node that holds it; lets the author follow an order given by someone else"),
            Field(
                "action", .choice(Action.ordered.map(\.rawValue)), required: true,
                "withdraw: removed everywhere, counted as withdrawn; restrict: held, disclosed to nobody, not forwarded; lift-restriction: "
                    + "disclosed and forwarded again; erase: every copy erased now"),
            Field("ground", .choice(Ground.allCases.map(\.rawValue)), required: true, "why (told to every recipient)"),
            Field("note", .text(maxLength: 500), "a note for the audit trail and the receipts' reader; screened like any free text"),
        ])

    /// The one headline an order has, built from its body.
    public static func headline(_ action: Action, about id: String, ground: Ground) -> String {
        let text: String
        switch action {
        case .withdraw: text = "Withdrawal: report \(id) (\(ground.rawValue))"
        case .restrict: text = "Restriction: report \(id) (\(ground.rawValue))"
        case .liftRestriction: text = "Restriction lifted: report \(id) (\(ground.rawValue))"
        case .erase: text = "Erasure: report \(id) (\(ground.rawValue))"
        case .correct: text = "Correction: report \(id) (\(ground.rawValue))"
        }
        return String(text.prefix(200))
    }

    /// An order about `report` (as GET returned it), before it is signed (`ilo withdraw|restrict|erase`).
    public static func draft(_ action: Action, about report: JSONValue, ground: Ground, note: String?, now: Int64) -> JSONValue {
        let id = report["id"]?.stringValue ?? ""
        var body: [String: JSONValue] = [
            "about": .string(id), "action": .string(action.rawValue), "ground": .string(ground.rawValue),
        ]
        if let author = report["origin"]?["officer"] { body["author"] = author }
        if let note { body["note"] = .string(note) }
        return [
            "id": .string(ReportID.generate().description),
            "kind": "erasure",
            "country": report["country"] ?? .string(ISOCodes.severalCountries),
            "headline": .string(headline(action, about: id, ground: ground)),
            "created": .string(Timestamp.format(milliseconds: now)),
            "handling": "H0",
            "priority": "flash",
            "body": .object(body),
        ]
    }

    /// The parts of a validated `erasure` report.
    public struct Parts: Sendable, Equatable {
        public let about: String
        public let author: String?
        public let action: Action
        public let ground: Ground
        public let note: String?
    }

    public static func parts(_ order: Report) -> Parts? {
        let body = order.body
        guard order.kind == .erasure, let about = body["about"]?.stringValue,
            let action = body["action"]?.stringValue.flatMap(Action.init(rawValue:)), let ground = body["ground"]?.stringValue.flatMap(Ground.init(rawValue:))
        else { return nil }
        return Parts(about: about, author: body["author"]?.stringValue, action: action, ground: ground, note: body["note"]?.stringValue)
    }

    /// Why `order` is not a well-formed order: its headline is not the fixed
    /// wording, or it names addressees (an order goes to no mailbox; the
    /// recipients of the report get a notice of their own at each node).
    public static func wordingProblem(_ order: Report) -> String? {
        guard let parts = parts(order) else { return "an order names the report (body.about), the action and the ground" }
        let expected = headline(parts.action, about: parts.about, ground: parts.ground)
        guard order.headline == expected else { return "headline: an order's headline is the fixed wording \"\(expected)\"" }
        guard order.addressees.isEmpty else { return "addressees: an order has none; every recipient of the report is told at its node" }
        guard order.personalData == nil else { return "personal_data: an order carries none" }
        return nil
    }

    /// Who may give an order about a report by `author` of `authority`: the
    /// author, or an `authority` or `dpo` identity of the author's deploying
    /// authority (docs/ACCESS.md §7). Nil: `issuer` may.
    public static func issuerProblem(_ issuer: PeerIdentity, author: String, authority: String) -> String? {
        if issuer.id == author { return nil }
        if (issuer.role == .authority || issuer.role == .dpo) && issuer.authority == authority { return nil }
        return "only the report's author (\(author)), or an authority or data-protection officer of \(authority), may withdraw, restrict or erase it"
    }
}
