/// The data-protection officer's requests (docs/ACCESS.md §9): the record of
/// processing (RECORD) and the subject-access lookup (SUBJECT-FIND). Neither
/// gives report content.
extension ServerSession {
    /// RECORD: this node's record of processing activities, generated from what it enforces.
    func processingRecord(_ message: Message) throws(ProtocolError) {
        _ = try requireRole([.dpo, .admin, .operator, .authority], "the record of processing", message)
        let requestID = message.requestID
        let configuration = node.configuration
        let rules = node.access.rules
        withReader("the register", requestID: requestID, { store throws(SQLiteError) in try store.registerEntries() }) { session, register in
            let record = ProcessingRecord.json(configuration: configuration, rules: rules, register: register, now: Timestamp.nowMilliseconds())
            session.send(Message(.processingRecord, requestID: requestID, ["record": record]))
        }
    }
}

extension ServerSession {
    /// SUBJECT-FIND: the reports held here that name a person (document number,
    /// or name with date of birth), for a data-protection officer with a reason:
    /// ids, category, erase-by date and the nodes known to hold them; no content.
    func subjectFind(_ message: Message) throws(ProtocolError) {
        let identity = try requireRole([.dpo], "looking a person up in the subject-access index", message)
        guard let reason = try ReadReason.parse(message) else {
            throw ProtocolError(.badMessage, "reason: say why you look the person up (a data subject's request, its reference); it goes into the audit trail", field: "reason", requestID: message.requestID)
        }
        let document = try message.optionalString("document_number")
        let name = try message.optionalString("name")
        let born = try message.optionalString("date_of_birth")
        if let born, ReportDate.parse(born) == nil || born.count != 10 {
            throw ProtocolError(.badMessage, "date_of_birth: YYYY-MM-DD", field: "date_of_birth", requestID: message.requestID)
        }
        if (name == nil) != (born == nil) {
            throw ProtocolError(.badMessage, "name and date_of_birth go together (a name alone finds too many people)", field: name == nil ? "name" : "date_of_birth", requestID: message.requestID)
        }
        let identifiers = SubjectIndex.identifiers(documentNumber: document, name: name, dateOfBirth: born)
        guard !identifiers.isEmpty else {
            throw ProtocolError(.badMessage, "give document_number, or name with date_of_birth", field: "document_number", requestID: message.requestID)
        }
        let by = [document.map { _ in "document number" }, name.map { _ in "name and date of birth" }].compactMap { $0 }.joined(separator: " and ")
        let requestID = message.requestID
        withStore({ store throws(SQLiteError) in
            try store.findSubject(identifiers, by: identity.id, reason: reason, lookedUpBy: by, now: Timestamp.nowMilliseconds())
        }) { session, result in
            switch result {
            case .success(let matches):
                let listed: [JSONValue] = matches.map { match in
                    var entry: [String: JSONValue] = [
                        "id": .string(match.reportID), "category": .string(match.category), "holders": .array(match.holders.map { .string($0) }),
                    ]
                    if let eraseAt = match.eraseAtMilliseconds { entry["erase_by"] = .string(String(Timestamp.format(milliseconds: eraseAt).prefix(10))) }
                    return .object(entry)
                }
                session.send(Message(.subjectMatches, requestID: requestID, ["node": .string(session.node.router.nodeName), "reports": .array(listed)]))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the index could not be read; try again later", requestID: requestID))
            }
        }
    }
}
