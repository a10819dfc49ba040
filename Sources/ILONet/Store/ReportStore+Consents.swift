/// Consents to pass H2 reports on (docs/REPORTS.md §5.6): what a node checks
/// before it takes a `consent` report, and what a grant changes.
extension ReportStore {
    /// The H2 report a consent is about, as held here.
    public struct HeldReport: Sendable {
        public let report: Report
        /// The nodes it passed, this node last.
        public let path: [String]
        public let consented: [String]
    }

    /// The report `id` as held here, re-read from its stored document (nil: not held).
    public func heldReport(_ id: String) throws(SQLiteError) -> HeldReport? {
        let statement = try database.cached("SELECT document, path, consented, origin_officer, origin_authority, origin_state FROM reports WHERE id = ?")
        statement.bind(1, id)
        guard try statement.step() else { return nil }
        let document = statement.blob(0)
        let path = (try? JSONValue(parsing: statement.text(1)))?.arrayValue?.compactMap(\.stringValue) ?? []
        let consented = (try? JSONValue(parsing: statement.text(2)))?.arrayValue?.compactMap(\.stringValue) ?? []
        let origin = Origin(officer: statement.text(3), authority: statement.text(4), state: statement.text(5))
        try statement.step()
        guard let value = try? JSONValue(parsing: document),
            let report = try? Report.validate(value, sender: origin, screening: false)
        else { return nil }
        return HeldReport(report: report, path: path, consented: consented)
    }

    /// Why this node does not take `consent` from `author` (nil: it does). A
    /// request comes from someone the H2 report is disclosed to, a decision from
    /// the report's author; the report must be held here. The same wording as
    /// a report that does not exist, for anyone it is not disclosed to.
    public func consentProblem(_ consent: Report, author: PeerIdentity, disclosure: Disclosure) throws(SQLiteError) -> ProtocolError? {
        let about = consent.body["about"]?.stringValue ?? ""
        let decision = consent.body["decision"]?.stringValue.flatMap(Consent.Decision.init(rawValue:))
        let notHeld = ProtocolError(.notFound, "body.about: report \(about) is not held at \(nodeName), or not one you may read", field: "body.about")
        guard let held = try heldReport(about) else { return notHeld }
        let report = held.report
        switch decision {
        case .requested:
            let facts = Disclosure.Facts(report, consented: held.consented)
            guard disclosure.decide(facts, for: author).allowed else { return notHeld }
            if report.origin.officer == author.id { return ProtocolError(.forbidden, "you wrote report \(about): decide with ilo consent grant|refuse, there is nobody to ask") }
            // A request goes to the provider only: the author, or the author's authority.
            let provider = [report.origin.officer, "authority:\(report.origin.authority)"]
            if consent.addressees.isEmpty || !consent.addressees.allSatisfy(provider.contains) {
                return ProtocolError(
                    .forbidden,
                    "addressees: a consent request goes to the report's author (\(report.origin.officer)) or their authority "
                        + "(authority:\(report.origin.authority)) only; ilo consent request addresses it so",
                    field: "addressees")
            }
        case .granted, .refused:
            guard report.origin.officer == author.id else {
                // Only the provider decides; to anyone else the report may well be visible, so say why.
                let visible = disclosure.decide(Disclosure.Facts(report, consented: held.consented), for: author).allowed
                return visible
                    ? ProtocolError(.forbidden, "only the report's author, \(report.origin.officer), may grant or refuse consent; ask with ilo consent request")
                    : notHeld
            }
        case nil:
            return ProtocolError(.invalidReport, "body.decision: requested, granted or refused", field: "body.decision")
        }
        guard report.handling == .h2 else {
            return ProtocolError(
                .forbidden,
                "report \(about) is \(report.handling.rawValue), not H2: consent applies to H2 (not to be disseminated without the provider's permission); "
                    + (report.handling == .h3 ? "an H3 report goes to its addressees only, under the provider's conditions" : "it already reaches whoever the access rules allow"))
        }
        return nil
    }

    /// Records what a stored `consent` changes here, in the custody transaction:
    /// a grant by the report's author adds its `to` to those the report is
    /// disclosed to and delivers it to them; a refusal takes them out again.
    /// Audits the step. Returns the identities the report was delivered to.
    func applyConsent(_ consent: Report, disclosure: Disclosure, now: Int64) throws(SQLiteError) -> [String] {
        guard let about = consent.body["about"]?.stringValue,
            let decision = consent.body["decision"]?.stringValue.flatMap(Consent.Decision.init(rawValue:))
        else { return [] }
        let recipients = (consent.body["to"]?.arrayValue ?? []).compactMap(\.stringValue)
        let event: AuditEvent = decision == .requested ? .consentRequest : decision == .granted ? .consentGrant : .consentRefuse
        try audit(event, report: about, actor: consent.origin.officer, counterpart: recipients.joined(separator: ","), detail: "consent=\(consent.id)", now: now)
        guard decision != .requested, let held = try heldReport(about), held.report.origin.officer == consent.origin.officer, held.report.handling == .h2
        else { return [] }
        var consented = held.consented
        if decision == .granted {
            for name in recipients where !consented.contains(name) { consented.append(name) }
        } else {
            consented.removeAll { recipients.contains($0) }
        }
        let update = try database.cached("UPDATE reports SET consented = ? WHERE id = ?")
        update.bind(1, JSONValue.array(consented.map { .string($0) }).encodedString())
        update.bind(2, about)
        try update.run()
        guard decision == .granted, let seq = try reportSeq(about) else { return [] }
        return try deliver(held.report, to: recipients, seq: seq, consented: consented, disclosure: disclosure, now: now)
    }

    func reportSeq(_ id: String) throws(SQLiteError) -> Int64? {
        let statement = try database.cached("SELECT seq FROM reports WHERE id = ?")
        statement.bind(1, id)
        guard try statement.step() else { return nil }
        defer { _ = try? statement.step() }
        return statement.int(0)
    }

    /// Queues the held report `id` again, for `hops` it had not been sent to.
    func queueAgain(reportID id: String, to hops: [String], now: Int64) throws(SQLiteError) {
        guard !hops.isEmpty else { return }
        let statement = try database.cached("SELECT seq, priority, expires_ms FROM reports WHERE id = ?")
        statement.bind(1, id)
        guard try statement.step() else { return }
        let (seq, priority, expires) = (statement.int(0), statement.int(1), statement.int(2))
        try statement.step()
        try enqueue(seq: seq, to: hops, priority: priority, expires: expires, now: now)
    }
}
