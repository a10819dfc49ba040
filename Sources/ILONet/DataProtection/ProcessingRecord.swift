/// The record of processing activities of one node (GDPR Art. 30, Directive
/// (EU) 2016/680 Art. 24), generated from what the node enforces: its
/// configuration (`node.controller`, retention ceilings), its access rules
/// (who may receive personal data of each category, which nodes may hold it)
/// and the deployment register (which deploying authorities have people here).
/// `ilo dpo record` prints it; nothing in it is typed by hand, so it cannot
/// drift from what the node does (docs/ACCESS.md §9).
public enum ProcessingRecord {
    /// Who the personal data of each category are about, and in which kind of report.
    static let subjects: [Purpose: (subjects: String, kind: String)] = [
        .returnIdentification: ("third-country nationals subject to a return decision: identity and nationality", "return"),
        .returnPassengerList: ("persons on return flights and other means of transport used for return", "return"),
        .smugglingTrafficking: (
            "persons suspected of migrant smuggling or trafficking in human beings: identity; the modus operandi of criminal networks", "smuggling"),
    ]

    /// The record as JSON (RECORD's answer, docs/PROTOCOL.md §3).
    static func json(configuration: NodeConfiguration, rules: AccessRules, register: [RegisterEntry], now: Int64) -> JSONValue {
        let categories: [JSONValue] = Purpose.allCases.map { purpose in
            let ceiling = configuration.reportDefaults.maximumRetention[purpose].map { Int64($0 / 86400) }
            return [
                "category": .string(purpose.rawValue), "meaning": .string(purpose.summary),
                "data_subjects": .string(subjects[purpose]?.subjects ?? ""), "report_kind": .string(subjects[purpose]?.kind ?? ""),
                "retention_ceiling_days": ceiling.map { .integer($0) } ?? .null,
            ]
        }
        func listed(_ action: AccessRules.Action) -> [JSONValue] {
            rules.rules.filter { $0.action == action }.map { ["rule": .string($0.summary), "location": .string($0.location)] }
        }
        let day = String(Timestamp.format(milliseconds: now).prefix(10))
        let authorities = Set(register.filter { $0.isInForce(on: day) }.map(\.authority)).sorted()
        var record: [String: JSONValue] = [
            "node": .string(configuration.name),
            "controller": configuration.controllerJSON ?? [:],
            "legal_basis": .string(
                "Regulation (EU) 2019/1240 Art. 10 (personal data in the network), with "
                    + (configuration.controllerLaw.map { $0.title + " as the controller's law" }
                        ?? "Regulation (EU) 2016/679, Directive (EU) 2016/680 or Regulation (EU) 2018/1725 as applies to the controller (node.controller-law not stated)")),
            "categories": .array(categories),
            "recipients": .array(listed(.readPersonal)),
            "recipients_note": "a report with personal data goes only to its named addressees, and among them only to those a read-personal rule allows; every read by anyone but its author is logged with a reason",
            "holders": .array(listed(.holdPersonal)),
            "deploying_authorities_in_register": .array(authorities.map { .string($0) }),
            "erasure": "at the report's erase_by date (UTC midnight), within the retention ceiling of its category; earlier by an order (ilo erase, ilo withdraw, ilo correct) at every node that holds it; queued copies, mailboxes, search index and the write-ahead log included",
            "security": .array([
                .string(
                    "mutual TLS \(configuration.tls.minimumVersion.rawValue) or later, both sides with certificates of the network's CA; "
                        + (configuration.tls.revocationListPath == nil ? "no revocation list configured (tls.crl)" : "its revocation list checked (tls.crl)")),
                .string(
                    configuration.requireSignatures
                        ? "every report signed by its author and checked at every node (reports.signatures required)"
                        : "reports signed by their authors where they are; unsigned reports taken (reports.signatures optional); orders, corrections, consents and receipts always signed"),
                "SQLite with secure_delete; the write-ahead log truncated after every erasure",
                "a hash-chained audit trail of every receipt, delivery, read (with its reason), order and erasure",
            ]),
        ]
        if let delivered = configuration.deliveredRetention { record["retention_delivered_days"] = .integer(Int64(delivered / 86400)) }
        return .object(record)
    }

    /// The record as people read it (`ilo dpo record`).
    public static func text(_ record: JSONValue) -> String {
        func s(_ value: JSONValue?) -> String { value?.stringValue ?? "" }
        let controller = record["controller"]
        let law = controller?["law"]?.stringValue.flatMap(DataProtectionLaw.init(rawValue:))
        let article = law?.recordArticle ?? "GDPR Art. 30, Directive (EU) 2016/680 Art. 24, Regulation (EU) 2018/1725 Art. 31"
        var out = "Record of processing activities (\(article)) of \(s(record["node"]))\n\n"
        out += "Controller:   \(controller?["name"]?.stringValue ?? "(not stated: node.controller)")\n"
        out += "Contact:      \(controller?["contact"]?.stringValue ?? "(not stated: node.controller-contact)")\n"
        out += "Law applied:  \(law?.title ?? "(not stated: node.controller-law)")\n"
        out += "Legal basis:  \(s(record["legal_basis"]))\n\n"
        out += "Categories of personal data (Art. 10(3)) and their data subjects:\n"
        for category in record["categories"]?.arrayValue ?? [] {
            let ceiling = category["retention_ceiling_days"]?.integerValue.map { "at most \($0) days" } ?? "no ceiling"
            out += "  \(s(category["category"])) (\(s(category["report_kind"])) reports; kept \(ceiling))\n"
            out += "    \(s(category["meaning"]))\n"
            out += "    data subjects: \(s(category["data_subjects"]))\n"
        }
        out += "\nRecipients (read-personal rules, first match decides):\n"
        let recipients = record["recipients"]?.arrayValue ?? []
        out += recipients.isEmpty ? "  none: no rule lets anyone receive personal data here\n" : ""
        for rule in recipients { out += "  \(s(rule["rule"]))   [\(s(rule["location"]))]\n" }
        out += "  \(s(record["recipients_note"]))\n"
        out += "\nNodes this node passes personal data to (hold-personal rules):\n"
        let holders = record["holders"]?.arrayValue ?? []
        out += holders.isEmpty ? "  none: this node passes personal data to no other node\n" : ""
        for rule in holders { out += "  \(s(rule["rule"]))   [\(s(rule["location"]))]\n" }
        let authorities = (record["deploying_authorities_in_register"]?.arrayValue ?? []).compactMap(\.stringValue)
        out += "\nDeploying authorities with people in the register: \(authorities.isEmpty ? "none" : authorities.joined(separator: ", "))\n"
        out += "\nErasure: \(s(record["erasure"]))\n"
        if let days = record["retention_delivered_days"]?.integerValue { out += "Other reports: erased \(days) days after they arrived, once nobody waits for them\n" }
        out += "\nSecurity measures:\n"
        for measure in record["security"]?.arrayValue ?? [] { out += "  - \(s(measure))\n" }
        return out
    }
}
