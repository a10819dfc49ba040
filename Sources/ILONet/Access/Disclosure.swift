/// The one authorization decision for anything that reveals a report or
/// something about it (docs/ACCESS.md §1). Every path asks it at the moment of
/// disclosure, with the rules in force then: FETCH, GET, WATCH, follow-up
/// listings, digests and previews (their counts included). A delivery row only
/// records that a report is waiting for someone; it never authorizes.
///
/// In order, the first that applies decides:
/// 0. A restricted report (`ilo restrict`, docs/REPORTS.md §5.9) is disclosed
///    to nobody, its author included, until the restriction is lifted.
/// 1. The author sees their own report.
/// 2. A notice or digest (written by a node) goes to its addressee only.
/// 3. An expired report is disclosed to nobody else.
/// 4. Deployment-register entries are disclosed to every identity (the
///    network's phone book); `admin`, `dpo` and `node` identities read no
///    report content.
/// 5. H2 and H3 reports go to their named addressees only (an identity, or
///    `authority:CODE` for every identity of that deploying authority); an H2
///    report also to those its author consented to (`Consent`). A consent
///    report goes to its addressees only.
/// 6. Reports with personal data go to their named addressees only, and among
///    them only to those a `read-personal` rule allows for the data's category.
/// 7. The access rules must let the reader read the report's topic.
public struct Disclosure: Sendable {
    /// What the decision looks at: the envelope, never the body.
    public struct Facts: Sendable, Equatable {
        public var kind: ReportKind?
        public var topic: String
        public var handling: HandlingCode?
        /// The Art. 10(3) category of the personal data carried; nil: none.
        public var personalData: String?
        public var addressees: [String]
        /// Who the author consented an H2 report may also go to (`Consent`), and whom
        /// the owner of its event shared an H0/H1 report with (docs/REPORTS.md §5.10).
        public var consented: [String]
        public var originOfficer: String
        public var expiresMilliseconds: Int64
        /// Restricted by an order: held, disclosed to nobody.
        public var restricted: Bool

        public init(
            kind: ReportKind?, topic: String, handling: HandlingCode?, personalData: String?, addressees: [String], consented: [String] = [],
            originOfficer: String, expiresMilliseconds: Int64, restricted: Bool = false
        ) {
            self.restricted = restricted
            self.kind = kind
            self.topic = topic
            self.handling = handling
            self.personalData = personalData == "none" ? nil : personalData
            self.addressees = addressees
            self.consented = consented
            self.originOfficer = originOfficer
            self.expiresMilliseconds = expiresMilliseconds
        }

        public init(_ report: Report, consented: [String] = []) {
            self.init(
                kind: report.kind, topic: report.topic, handling: report.handling, personalData: report.personalData?.rawValue,
                addressees: report.addressees, consented: consented, originOfficer: report.origin.officer, expiresMilliseconds: report.expiresMilliseconds)
        }
    }

    public enum Verdict: Sendable, Equatable, CustomStringConvertible {
        case disclose
        case withhold(String)

        public var allowed: Bool { self == .disclose }
        public var description: String {
            switch self {
            case .disclose: "disclosed"
            case .withhold(let reason): "withheld: \(reason)"
            }
        }
    }

    /// Roles that operate or oversee a node and read no report content.
    public static let contentlessRoles: Set<Role> = [.admin, .operator, .dpo, .node]

    public let rules: AccessRules
    /// The moment of disclosure (milliseconds since 1970), for expiry.
    public let now: Int64

    public init(rules: AccessRules, now: Int64) {
        self.rules = rules
        self.now = now
    }

    public func decide(_ facts: Facts, for reader: PeerIdentity) -> Verdict {
        if facts.restricted { return .withhold("the report is restricted: held, disclosed to nobody until the restriction is lifted") }
        let system = facts.kind?.isSystem ?? false
        if !system && facts.originOfficer == reader.id { return .disclose }
        let named = Disclosure.names(reader, in: facts.addressees)
        if system { return named ? .disclose : .withhold("a \(facts.kind?.rawValue ?? "system") report goes to its addressee only") }
        if facts.expiresMilliseconds <= now { return .withhold("the report has expired") }
        if facts.kind == .deployment { return .disclose }  // the register is the network's phone book (docs/ACCESS.md §6)
        if Disclosure.contentlessRoles.contains(reader.role) { return .withhold("\(reader.role.rawValue) identities read no report content") }
        if facts.kind == .consent { return named ? .disclose : .withhold("a consent goes to its addressees only") }
        if facts.kind == .erasure { return .withhold("an order goes to no mailbox: its issuer follows it with ilo erasure") }
        if facts.kind == .event { return .withhold("an event report goes to no mailbox: the event page shows it (ilo event show)") }
        if let handling = facts.handling, handling.namedAddresseesOnly, !named {
            let consented = handling == .h2 && Disclosure.names(reader, in: facts.consented)
            if !consented { return .withhold("a \(handling.rawValue) report goes to its named addressees only") }
        }
        if let category = facts.personalData {
            guard named else { return .withhold("personal data goes to its named addressees only") }
            let verdict = rules.decide(.readPersonal(category: category), for: reader)
            guard verdict.allowed else { return .withhold("personal data (\(category)): \(verdict)") }
        }
        let verdict = rules.decide(.read(topic: facts.topic), for: reader)
        if verdict.allowed { return .disclose }
        // A digest rule (the steering board's overview) reads in full what is addressed to the
        // reader or shared with them (an event's owner, docs/REPORTS.md §5.10), and nothing else.
        if named || Disclosure.names(reader, in: facts.consented), rules.decide(.overview(topic: facts.topic), for: reader).allowed { return .disclose }
        return .withhold("reading \(facts.topic): \(verdict)")
    }

    /// Whether `addressees` names `reader`: by identity, or by its deploying authority.
    public static func names(_ reader: PeerIdentity, in addressees: [String]) -> Bool {
        addressees.contains { $0 == reader.id || $0 == "authority:\(reader.authority)" }
    }
}
