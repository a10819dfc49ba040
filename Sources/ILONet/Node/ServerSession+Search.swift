extension ServerSession {
    /// SEARCH: reports matching words and filters that the caller may read now
    /// (docs/PROTOCOL.md §3, docs/REPORTS.md §10). Ranked and checked on a reader
    /// connection; the results shown are recorded in the audit trail before the
    /// answer goes.
    func search(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        if Disclosure.contentlessRoles.contains(identity.role) {
            throw ProtocolError(.forbidden, "\(identity.role.rawValue) identities read no report content, so they search none", requestID: message.requestID)
        }
        let text = try message.requireString("query")
        guard text.count <= 500 else { throw ProtocolError(.badMessage, "query: at most 500 characters", field: "query", requestID: message.requestID) }
        var query = SearchQuery(words: SearchQuery.words(text))
        guard !query.words.isEmpty else {
            throw ProtocolError(.badMessage, "query: give at least one word (letters or digits)", field: "query", requestID: message.requestID)
        }
        guard query.words.count <= SearchQuery.maximumWords else {
            throw ProtocolError(.badMessage, "query: at most \(SearchQuery.maximumWords) words", field: "query", requestID: message.requestID)
        }
        func optional(_ field: String, _ valid: (String) -> Bool, _ expected: String) throws(ProtocolError) -> String? {
            guard let value = message.body[field] else { return nil }
            guard let text = value.stringValue, valid(text) else {
                throw ProtocolError(.badMessage, "\(field): \(expected)", field: field, requestID: message.requestID)
            }
            return text
        }
        let isCountry: (String) -> Bool = { $0.count == 2 && $0.allSatisfy { $0.isUppercase && $0.isASCII } }
        let isDay: (String) -> Bool = { $0.count == 10 && ReportDate.parse($0) != nil }
        query.kind = try optional("kind", { ReportKind.authored.map(\.rawValue).contains($0) }, "smuggling, return or border")
        query.country = try optional("country", isCountry, "a country code such as LY")
        query.priority = try optional("priority", { Priority(rawValue: $0) != nil }, "flash, immediate, priority or routine")
        query.handling = try optional("handling", { HandlingCode(rawValue: $0) != nil }, "H0, H1, H2 or H3")
        query.state = try optional("state", isCountry, "a member state code such as DE")
        query.since = try optional("since", isDay, "a day like 2026-01-31")
        query.until = try optional("until", isDay, "a day like 2026-12-31")
        let offset = try message.optionalInteger("offset") ?? 0
        let limit = try message.optionalInteger("limit") ?? 20
        guard (0...Int64(SearchQuery.maximumCandidates)).contains(offset) else {
            throw ProtocolError(.badMessage, "offset: 0 to \(SearchQuery.maximumCandidates)", field: "offset", requestID: message.requestID)
        }
        guard (1...Int64(SearchQuery.maximumLimit)).contains(limit) else {
            throw ProtocolError(.badMessage, "limit: 1 to \(SearchQuery.maximumLimit)", field: "limit", requestID: message.requestID)
        }
        query.offset = Int(offset)
        query.limit = Int(limit)
        let disclosure = Disclosure(rules: node.access.rules, now: node.clock.now())
        let requestID = message.requestID
        let searched = query
        // The index follows the commits by up to 0.2 s: catch it up first, so that
        // every report acknowledged before this search can be found.
        withStore({ store throws(SQLiteError) in try store.indexPending(limit: SearchIndexer.batch) }) { session, _ in
            session.runSearch(searched, identity: identity, disclosure: disclosure, requestID: requestID)
        }
    }

    private func runSearch(_ searched: SearchQuery, identity: PeerIdentity, disclosure: Disclosure, requestID: UInt32) {
        withReader("the search", requestID: requestID, { store throws(SQLiteError) in
            try store.search(searched, for: identity, disclosure: disclosure)
        }) { session, page in
            session.withStore({ store throws(SQLiteError) in
                try store.auditSearchResults(page.hits.map(\.id), reader: identity.id, now: disclosure.now)
            }) { session, result in
                guard case .success = result else {
                    session.refuse(ProtocolError(.storeUnavailable, "the search could not be recorded; try again later", requestID: requestID))
                    return
                }
                session.send(
                    Message(.searchResults, requestID: requestID, [
                        "results": .array(page.hits.map(\.json)), "more": .bool(page.more), "truncated": .bool(page.truncated),
                        "offset": .integer(Int64(searched.offset)),
                    ]))
            }
        }
    }
}
