/// The deployment register as this node holds it (docs/ACCESS.md §6), and the
/// checks a first node makes with it before it takes a report.
extension ReportStore {
    /// Applies a stored `deployment` entry: it supersedes the identity's entry
    /// if its writer numbered it higher (`sequence`; a tie goes to the greater
    /// entry id, so that every node settles on the same one), never by its
    /// claimed time. The first entry for an identity no certificate was seen
    /// for binds it to the writer's authority (`bindFromRegister`).
    func applyRegisterEntry(_ report: Report, now: Int64) throws(SQLiteError) {
        guard let entry = RegisterEntry(report) else { return }
        try bindFromRegister(entry, now: now)
        let upsert = try database.cached(
            """
            INSERT INTO register (identity, entry_id, created_ms, authority, body, sequence) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (identity) DO UPDATE SET entry_id = excluded.entry_id, created_ms = excluded.created_ms,
                authority = excluded.authority, body = excluded.body, sequence = excluded.sequence
            WHERE excluded.sequence > register.sequence OR (excluded.sequence = register.sequence AND excluded.entry_id > register.entry_id)
            """)
        upsert.bind(1, entry.identity)
        upsert.bind(2, entry.entryID)
        upsert.bind(3, entry.createdMilliseconds)
        upsert.bind(4, entry.authority)
        upsert.bind(5, report.body.encodedString())
        upsert.bind(6, entry.sequence)
        try upsert.run()
        if database.changes > 0 { interestInputsChanged = true }
    }

    /// Why this node does not take the register entry `report` from `writer`
    /// (nil: it does). Only the authority an identity belongs to writes its
    /// entries: the one of its certificate where this node saw one, else the
    /// one its first entry bound it to. The first node also refuses an entry
    /// numbered no higher than the one in force: its writer did not see that one.
    public func registerEntryProblem(_ report: Report, writer: PeerIdentity, firstNode: Bool) throws(SQLiteError) -> ProtocolError? {
        guard let entry = RegisterEntry(report) else { return nil }
        if let bound = try identityBinding(entry.identity), bound.authority != writer.authority || bound.state != writer.memberState {
            let how = bound.source == .certificate ? "its certificate, seen at \(nodeName)," : "its first register entry"
            return ProtocolError(
                .forbidden,
                "deployment: \(entry.identity) belongs to \(bound.authority) (\(bound.state)), as \(how) says; only \(bound.authority) writes "
                    + "entries for it, not \(writer.authority). The entry was refused and logged",
                field: "body.identity")
        }
        guard firstNode, let current = try registerEntry(entry.identity), current.entryID != entry.entryID, entry.sequence <= current.sequence else {
            return nil
        }
        return ProtocolError(
            .invalidReport,
            "body.sequence: \(entry.sequence) does not follow the entry in force for \(entry.identity) (sequence \(current.sequence), entry \(current.entryID)); "
                + "ilo deploy numbers entries itself: run it again",
            field: "body.sequence")
    }

    /// Every identity's current entry, by identity.
    public func registerEntries() throws(SQLiteError) -> [RegisterEntry] {
        let select = try database.cached("SELECT entry_id, created_ms, body FROM register ORDER BY identity")
        var entries: [RegisterEntry] = []
        while try select.step() {
            guard let body = try? JSONValue(parsing: select.text(2)),
                let entry = RegisterEntry(body: body, entryID: select.text(0), created: select.int(1))
            else { continue }
            entries.append(entry)
        }
        return entries
    }

    public func registerEntry(_ identity: String) throws(SQLiteError) -> RegisterEntry? {
        let select = try database.cached("SELECT entry_id, created_ms, body FROM register WHERE identity = ?")
        select.bind(1, identity)
        guard try select.step() else { return nil }
        defer { _ = try? select.step() }
        guard let body = try? JSONValue(parsing: select.text(2)) else { return nil }
        return RegisterEntry(body: body, entryID: select.text(0), created: select.int(1))
    }

    /// Why a first node does not take `report` from its author, by the register
    /// (nil: it does): an `on_behalf_of` state the author does not represent on
    /// the report's date, or an addressee nobody in the network is (with a
    /// "did you mean"). Addressees are checked once the register has entries.
    public func registerProblem(_ report: Report) throws(SQLiteError) -> ProtocolError? {
        let day = String(Timestamp.format(milliseconds: report.createdMilliseconds).prefix(10))
        if !report.onBehalfOf.isEmpty {
            let author = report.origin.officer
            guard let entry = try registerEntry(author), entry.isInForce(on: day) else {
                return ProtocolError(
                    .invalidReport,
                    "on_behalf_of[0]: \(author) has no deployment in force on \(day) in the deployment register, so represents no other state; "
                        + "leave on_behalf_of out, or ask your authority to register the joint deployment (ilo deploy --represents)",
                    field: "on_behalf_of[0]")
            }
            let represented = entry.represented(on: day)
            for (index, state) in report.onBehalfOf.enumerated() where !represented.contains(state) {
                return ProtocolError(
                    .invalidReport,
                    "on_behalf_of[\(index)]: \(author) does not represent \(state) (deployment register"
                        + (represented.isEmpty ? "" : "; on \(day) they represent \(represented.sorted().joined(separator: ", "))") + ")",
                    field: "on_behalf_of[\(index)]")
            }
        }
        guard !report.addressees.isEmpty else { return nil }
        let entries = try registerEntries()
        guard !entries.isEmpty else { return nil }
        // Addressable: people in the register, and people seen here whose role reads reports
        // (not administrators, data-protection officers or nodes).
        let known = try subscriptionIndex().subscribers.values.filter { !Disclosure.contentlessRoles.contains($0.role) }
        let identities = Set(entries.map(\.identity)).union(known.map(\.id))
        let authorities = Set(entries.map(\.authority)).union(known.map(\.authority))
        for (index, addressee) in report.addressees.enumerated() {
            if addressee.hasPrefix("authority:") {
                let code = String(addressee.dropFirst("authority:".count))
                guard !authorities.contains(code) else { continue }
                let hint = DidYouMean.suggestion(for: code, among: authorities).map { "; did you mean authority:\($0)?" } ?? ""
                return ProtocolError(
                    .invalidReport, "addressees[\(index)]: no authority \"\(code)\" in the deployment register\(hint)", field: "addressees[\(index)]")
            }
            guard !identities.contains(addressee) else { continue }
            let hint = DidYouMean.suggestion(for: addressee, among: identities).map { "; did you mean \($0)?" } ?? ""
            return ProtocolError(
                .invalidReport, "addressees[\(index)]: nobody called \"\(addressee)\" in the deployment register\(hint)", field: "addressees[\(index)]")
        }
        return nil
    }

    /// Where the authorities named (`authority:CODE` addressees) and the
    /// authorities of the states represented read, by the register on `day`:
    /// node → why. Only `authority` identities count: they are the contact points.
    public func registerReaders(authorities: Set<String>, states: Set<String>, on day: String) throws(SQLiteError) -> [String: String] {
        guard !authorities.isEmpty || !states.isEmpty else { return [:] }
        var nodes: [String: String] = [:]
        for entry in try registerEntries() where entry.role == "authority" && entry.isInForce(on: day) && !entry.ended {
            if authorities.contains(entry.authority) {
                nodes[entry.readsAt] = nodes[entry.readsAt] ?? "authority:\(entry.authority) reads at \(entry.readsAt)"
            } else if states.contains(entry.state) {
                nodes[entry.readsAt] = nodes[entry.readsAt] ?? "on behalf of \(entry.state): \(entry.authority) reads at \(entry.readsAt)"
            }
        }
        return nodes
    }
}
