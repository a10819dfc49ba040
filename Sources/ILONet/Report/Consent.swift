/// Consent to pass an H2 report on (docs/REPORTS.md §5.6). SIENA's H2 says the
/// information is not to be disseminated without the provider's permission; a
/// `consent` report carries the asking and the answer through the network:
///
/// - `requested`: an addressee asks the report's author (the provider) to let
///   the report reach `to`. It travels back along the report's path to the
///   author's node.
/// - `granted` / `refused`: the author answers. A grant travels along the
///   report's route; every node that holds the report then discloses it to
///   `to` as to a named addressee, and delivers it to their inboxes.
///
/// Consents are always signed by their author, whatever `reports.signatures`
/// says: a grant is honoured only when its signer is the report's author.
public enum Consent {
    public enum Decision: String, Sendable, CaseIterable {
        case requested, granted, refused
    }

    /// The one headline a consent report has, built from its body, so that no
    /// one words a message of their own through it.
    public static func headline(_ decision: Decision, about id: String, to recipients: [String]) -> String {
        let names = recipients.joined(separator: ", ")
        let text: String
        switch decision {
        case .requested: text = "Consent requested: pass report \(id) to \(names)"
        case .granted: text = "Consent granted: report \(id) may go to \(names)"
        case .refused: text = "Consent refused: report \(id) is not to go to \(names)"
        }
        return String(text.prefix(200))
    }

    /// A consent report, before the node completes it (`ilo consent`).
    public static func draft(
        _ decision: Decision, about report: JSONValue, to recipients: [String], requestedBy: String?, reason: String?, now: Int64
    ) -> JSONValue {
        let id = report["id"]?.stringValue ?? ""
        let author = report["origin"]?["officer"]?.stringValue ?? ""
        var body: [String: JSONValue] = [
            "about": .string(id), "decision": .string(decision.rawValue), "to": .array(recipients.map { .string($0) }),
        ]
        if let requestedBy { body["requested_by"] = .string(requestedBy) }
        if let reason { body["reason"] = .string(reason) }
        // A request goes to the provider; a decision to whoever asked and whoever it names.
        var addressees = decision == .requested ? [author] : recipients
        if let requestedBy, decision != .requested, !addressees.contains(requestedBy) { addressees.append(requestedBy) }
        return [
            "id": .string(ReportID.generate().description),
            "kind": "consent",
            "country": report["country"] ?? .string(ISOCodes.severalCountries),
            "headline": .string(headline(decision, about: id, to: recipients)),
            "created": .string(Timestamp.format(milliseconds: now)),
            "handling": "H0",
            "priority": report["priority"] ?? "routine",
            "addressees": .array(addressees.map { .string($0) }),
            "body": .object(body),
        ]
    }

    /// Why `consent` is not a well-formed consent report: its headline is not
    /// the fixed wording, or its addressees are not who it must go to.
    public static func wordingProblem(_ consent: Report) -> String? {
        let body = consent.body
        guard let about = body["about"]?.stringValue, let decision = body["decision"]?.stringValue.flatMap(Decision.init(rawValue:)) else {
            return "a consent names the report (body.about) and the decision"
        }
        let recipients = (body["to"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard consent.headline == headline(decision, about: about, to: recipients) else {
            return "headline: a consent's headline is the fixed wording \"\(headline(decision, about: about, to: recipients))\""
        }
        if decision != .requested {
            for name in recipients where !consent.addressees.contains(name) {
                return "addressees: a consent decision is addressed to everyone it names (missing \(name))"
            }
        }
        return nil
    }
}
