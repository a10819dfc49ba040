/// What kind of report a document is. The body's schema depends on it.
public enum ReportKind: String, Sendable, CaseIterable {
    case smuggling
    case `return`
    case border
    /// A system report a node writes to an officer: a report of theirs expired
    /// undelivered, or a next hop refused it (docs/REPORTS.md §5.4).
    case notice
    /// A periodic summary for a digest subscription (docs/REPORTS.md §5.5).
    case digest

    /// The kinds officers write.
    public static let authored: [ReportKind] = [.smuggling, .return, .border]

    /// A provider's consent to pass an H2 report on, or a request for it
    /// (docs/REPORTS.md §5.6): written by people, carries no report content.
    case consent
    /// An entry of the deployment register, written by a deploying authority
    /// (docs/REPORTS.md §5.7); flooded to every node.
    case deployment
    /// A node's announcement of its readers' interest (docs/ROUTING.md §8):
    /// written and signed by the node, flooded to every node.
    case interest
    /// An order about a sent report — correct, withdraw, restrict, lift the
    /// restriction, erase — by its author or their deploying authority or
    /// data-protection officer (docs/REPORTS.md §5.9); follows the report's own
    /// path through the network, and every node that held it answers with a
    /// signed receipt.
    case erasure
    /// An action on an event (docs/REPORTS.md §5.10): assess its impact,
    /// validate, close, reopen or transfer it; by its owner (or, to validate, an
    /// authority of the first author's state); follows the event's reports.
    case event

    /// Kinds only nodes produce; a PUBLISH of one is refused.
    public var isSystem: Bool { self == .notice || self == .digest || self == .interest }

    /// The kinds that carry information (evaluated, screened, levelled).
    public var isContent: Bool { ReportKind.authored.contains(self) }
}

/// Delivery precedence, most urgent first (DTN / military message handling order).
public enum Priority: String, Sendable, CaseIterable, Comparable {
    case flash, immediate, priority, routine

    /// 0 is the most urgent; stored as this number so queues sort on it.
    public var rank: Int {
        switch self {
        case .flash: 0
        case .immediate: 1
        case .priority: 2
        case .routine: 3
        }
    }

    public static func < (a: Priority, b: Priority) -> Bool { a.rank < b.rank }
}

/// SIENA's handling codes (`CodeBook.handling` gives their meaning). What
/// ILONet does with each, beyond carrying it, is ILONet's own dissemination
/// policy (`disseminationPolicy`, docs/REPORTS.md §3.3).
public enum HandlingCode: String, Sendable, CaseIterable {
    case h0 = "H0"
    case h1 = "H1"
    case h2 = "H2"
    case h3 = "H3"

    /// ILONet's policy for the code: who the network delivers the report to.
    public var disseminationPolicy: String {
        switch self {
        case .h0, .h1: "delivered to whoever the access rules let read its topic"
        case .h2: "delivered to its named addressees only, and to those its author consents to (ilo consent)"
        case .h3: "delivered to its named addressees only, with the provider's conditions"
        }
    }

    /// Whether ILONet restricts delivery to named addressees.
    public var namedAddresseesOnly: Bool { self == .h2 || self == .h3 }
}

/// Source reliability, Europol Regulation Art. 29(1) (`CodeBook.reliability`).
public enum SourceReliability: String, Sendable, CaseIterable { case a = "A", b = "B", c = "C", x = "X" }

/// What the information is for, Regulation (EU) 2019/1240 Art. 3(4) (`CodeBook.level`).
public enum ReportLevel: String, Sendable, CaseIterable { case operational, strategic, both }

/// Who sent a report: always taken from the sender's certificate.
public struct Origin: Sendable, Equatable {
    public var officer: String
    public var authority: String
    public var state: String

    public init(officer: String, authority: String, state: String) {
        self.officer = officer
        self.authority = authority
        self.state = state
    }

    public init(_ identity: PeerIdentity) {
        self.init(officer: identity.id, authority: identity.authority, state: identity.memberState)
    }

    /// The origin a complete report document names (set at its first node).
    public init?(claimedIn document: JSONValue) {
        guard let value = document["origin"], let officer = value["officer"]?.stringValue, let authority = value["authority"]?.stringValue,
            let state = value["state"]?.stringValue
        else { return nil }
        self.init(officer: officer, authority: authority, state: state)
    }

    var json: JSONValue { ["officer": .string(officer), "authority": .string(authority), "state": .string(state)] }
}

/// A validated, complete report: every envelope field explicit (defaults filled
/// in), and the body checked against its kind's schema. `document` is what is
/// stored, forwarded and shown; its canonical encoding is stable byte for byte.
public struct Report: Sendable {
    public let id: ReportID
    public let kind: ReportKind
    public let country: String
    public let headline: String
    public let origin: Origin
    public let onBehalfOf: [String]
    public let priority: Priority
    public let handling: HandlingCode
    public let addressees: [String]
    public let conditions: String?
    /// The report format version (`Report.format`).
    public let format: Int
    /// Source reliability and information accuracy (Art. 29 of the Europol
    /// Regulation); stated by the author of every content report, absent otherwise.
    public let reliability: SourceReliability?
    public let accuracy: Int?
    /// Operational, strategic or both (Art. 3(4)); content reports only.
    public let level: ReportLevel?
    /// The Art. 10(3) category of the personal data the report carries; nil: none.
    public let personalData: Purpose?
    public let eraseByMilliseconds: Int64?
    public let createdMilliseconds: Int64
    public let expiresMilliseconds: Int64
    public let followUpOf: ReportID?
    public let topic: String
    public let body: JSONValue
    /// The report this one corrects (docs/REPORTS.md §5.9): it goes to exactly
    /// that report's recipients, along its path, and that report is erased.
    public internal(set) var corrects: ReportID? = nil
    /// Reports linked to this one that are not updates of its event (docs/REPORTS.md §5.10).
    public internal(set) var related: [ReportID] = []
    /// The files the report carries, in order (docs/REPORTS.md §1.1; empty:
    /// none). Entry N of the protocol and of `ilo attachment get ID N` is `attachments[N-1]`.
    public internal(set) var attachments: [Attachment] = []
    /// The author's signature, when the report carries one (checked by `SignatureCheck`).
    public internal(set) var signature: ReportSignature? = nil
    /// What the personal-data screen warns of (likely names, addresses): shown to
    /// the sender and logged by the node, never part of the document.
    public internal(set) var screenWarnings: [PersonalDataFinding] = []

    /// The complete document, with its signature if it has one.
    public var document: JSONValue {
        guard let signature, case .object(var fields) = unsignedDocument else { return unsignedDocument }
        fields["signature"] = signature.json
        return .object(fields)
    }

    /// What the signature covers: the complete document without `signature`.
    public var signedContent: [UInt8] { canonicalBytes(withSignature: false) }

    /// The complete document without its signature.
    public var unsignedDocument: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id.description),
            "kind": .string(kind.rawValue),
            "country": .string(country),
            "headline": .string(headline),
            "origin": origin.json,
            "on_behalf_of": .array(onBehalfOf.map { .string($0) }),
            "priority": .string(priority.rawValue),
            "handling": .string(handling.rawValue),
            "addressees": .array(addressees.map { .string($0) }),
            "format": .integer(Int64(format)),
            "personal_data": .string(personalData?.rawValue ?? "none"),
            "created": .string(Timestamp.format(milliseconds: createdMilliseconds)),
            "expires": .string(Timestamp.format(milliseconds: expiresMilliseconds)),
            "topic": .string(topic),
            "body": body,
        ]
        if let conditions { fields["conditions"] = .string(conditions) }
        if let reliability { fields["reliability"] = .string(reliability.rawValue) }
        if let accuracy { fields["accuracy"] = .integer(Int64(accuracy)) }
        if let level { fields["level"] = .string(level.rawValue) }
        if let eraseByMilliseconds { fields["erase_by"] = .string(String(Timestamp.format(milliseconds: eraseByMilliseconds).prefix(10))) }
        if let followUpOf { fields["follow_up_of"] = .string(followUpOf.description) }
        if let corrects { fields["corrects"] = .string(corrects.description) }
        if !related.isEmpty { fields["related"] = .array(related.map { .string($0.description) }) }
        if !attachments.isEmpty { fields["attachments"] = .array(attachments.map(\.json)) }
        return .object(fields)
    }

    /// Whether the report carries personal data (Art. 10(3)).
    public var carriesPersonalData: Bool { personalData != nil }

    /// The report format this node reads and writes. A report names its format
    /// in `format`; the signature covers it; a node refuses a format it does
    /// not know (`unsupported-format`, docs/PROTOCOL.md §4).
    public static let format = 2
    public static let knownFormats: Set<Int> = [2]

    /// SHA-256 of `signedContent`: what makes two copies of a report the same report
    /// (a copy signed again carries another signature over the same content).
    public var contentHash: [UInt8] { sha256(signedContent) }

    /// The canonical bytes of `document`.
    public var canonicalEncoding: [UInt8] { canonicalBytes(withSignature: true) }
}

/// What a node fills in when a sender leaves a field out.
public struct ReportDefaults: Sendable, Equatable {
    /// How long a report of each kind stays deliverable when it names no `expires`.
    public var lifetime: [ReportKind: Double] = [
        .smuggling: 90 * 86400, .return: 30 * 86400, .border: 7 * 86400, .notice: 30 * 86400, .digest: 30 * 86400, .consent: 30 * 86400,
        .deployment: 3650 * 86400, .interest: 7 * 86400, .erasure: 90 * 86400, .event: 180 * 86400,
    ]
    /// The longest a report of each kind may stay deliverable: an `expires`
    /// further after `created` is refused (ILONet's own policy, docs/REPORTS.md §1).
    public var maximumLifetime: [ReportKind: Double] = [
        .smuggling: 730 * 86400, .return: 365 * 86400, .border: 180 * 86400, .notice: 90 * 86400, .digest: 90 * 86400, .consent: 365 * 86400,
        .deployment: 7300 * 86400, .interest: 30 * 86400, .erasure: 365 * 86400, .event: 730 * 86400,
    ]
    public var handling: HandlingCode = .h1
    /// The longest personal data of each Art. 10(3) category may be kept: an
    /// `erase_by` further after `created` is refused at the first node
    /// (ILONet's own ceiling, node settings `reports.personal.max-retention.CATEGORY`;
    /// docs/REPORTS.md §2).
    public var maximumRetention: [Purpose: Double] = [
        .returnIdentification: 365 * 86400, .returnPassengerList: 90 * 86400, .smugglingTrafficking: 365 * 86400,
    ]
    /// The largest attachment a node takes (`limits.max-attachment-bytes`).
    public var maximumAttachmentBytes = Attachment.defaultMaximumBytes
    /// How far in the future `created` may lie (clock skew between posts and nodes).
    public var clockSkew: Double = 600

    public init() {}
}
