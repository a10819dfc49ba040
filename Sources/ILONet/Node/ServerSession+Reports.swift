/// PUBLISH, FETCH and CONFIRM: reports in and out of the store.
extension ServerSession {
    func publish(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        guard node.identityLimits.takePublishToken(identity.id, now: Timestamp.monotonicNanoseconds()) else {
            throw ProtocolError(
                .rateLimited,
                "\(identity.id) sent more than \(Int(node.configuration.publishRate)) reports per second (limits.publish-rate); "
                    + "nothing was accepted, send again later", requestID: message.requestID)
        }
        let document = try message.require("report")
        // A report that is not even an object is a malformed message, not an invalid report.
        guard case .object = document else {
            throw ProtocolError(.badMessage, "report: expected a JSON object, found \(document.typeName)", field: "report", requestID: message.requestID)
        }
        let report: Report
        let now = node.clock.now()
        do throws(ReportValidationError) {
            report = try Report.validate(document, sender: Origin(identity), defaults: node.configuration.reportDefaults, now: now)
        } catch {
            throw ProtocolError(error.code, error.summary, field: error.field, requestID: message.requestID)
        }
        // The first node holds personal data no longer than its ceiling for their category.
        if let issue = report.retentionProblem(node.configuration.reportDefaults) {
            throw ProtocolError(.invalidReport, "\(issue.field): \(issue.message)", field: issue.field, requestID: message.requestID)
        }
        try node.requireAdmissible(report, author: identity, now: now, requestID: message.requestID)
        let signer = try node.requireSignature(report, document: document, from: nil, requestID: message.requestID)
        takeCustody(of: report, arrivedVia: [], signer: signer, author: identity, requestID: message.requestID)
    }

    /// FORWARD: a report from a peer node, checked like any other.
    func forward(_ message: Message) throws(ProtocolError) {
        guard let identity, protocolState.isPeerLink else {
            throw ProtocolError(.forbidden, "only configured peer nodes forward reports", requestID: message.requestID)
        }
        let (report, path, signer) = try ForwardIntake.admit(message, from: identity.id, services: node)
        let deliverTo = try ForwardIntake.deliverTo(message)
        guard report.kind == .notice else {
            return takeCustody(of: report, arrivedVia: path, signer: signer, deliverTo: deliverTo, requestID: message.requestID)
        }
        // A notice must be about a report this node holds and sent that way.
        let requestID = message.requestID
        let peer = identity.id
        withStore({ store throws(SQLiteError) in try store.noticeProblem(report, from: peer) }) { session, result in
            switch result {
            case .success(nil): session.takeCustody(of: report, arrivedVia: path, signer: signer, requestID: requestID)
            case .success(let problem?):
                session.node.logger.warning("notice refused", ["report": report.id.description, "from": peer, "reason": problem])
                session.refuse(ProtocolError(.forbidden, "notice: \(problem); it was not accepted", requestID: requestID))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the notice could not be checked; nothing was accepted, send it again later", requestID: requestID))
            }
        }
    }

    private func takeCustody(
        of report: Report, arrivedVia path: [String], signer: PeerIdentity?, author: PeerIdentity? = nil, deliverTo: [String] = [], requestID: UInt32
    ) {
        let services = node
        replyLater { reply in
            services.takeCustody(of: report, arrivedVia: path, signer: signer, author: author, deliverTo: deliverTo) { result in
                reply { ForwardIntake.answer(result, report: report, requestID: requestID, services: services) }
            }
        }
    }

    static let maximumFetch: Int64 = 500

    /// FETCH: the caller's undelivered reports, most urgent first.
    func fetch(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let limit = try message.optionalInteger("limit") ?? 100
        guard (1...ServerSession.maximumFetch).contains(limit) else {
            throw ProtocolError(.badMessage, "limit: must be from 1 to \(ServerSession.maximumFetch)", field: "limit", requestID: message.requestID)
        }
        // Notices about the caller's own reports belong to `ilo sent`, not the inbox:
        // only when asked for (`"notices": true`, then only they).
        let notices: ReportStore.NoticeSelection
        switch message.body["notices"] {
        case nil, .bool(false)?: notices = .excluded
        case .bool(true)?: notices = .only
        default: throw ProtocolError(.badMessage, "notices: true or false", field: "notices", requestID: message.requestID)
        }
        let disclosure = Disclosure(rules: node.access.rules, now: Timestamp.nowMilliseconds())
        let requestID = message.requestID
        // A BATCH is one frame: it holds as many reports as fit in limits.max-frame-bytes
        // (at least one), and says `more` when others wait. Only those are read from the store.
        let room = max(0, node.configuration.maximumFrameSize - AnswerBudget.reserve)
        // The whole mailbox, read and unread, newest first (`all`), page by page (`before`).
        switch message.body["all"] {
        case nil, .bool(false)?: break
        case .bool(true)?:
            let before = try message.optionalInteger("before")
            withStore({ store throws(SQLiteError) in
                try store.mailboxPage(for: identity, disclosure: disclosure, limit: Int(limit), bytes: room, before: before)
            }) { session, result in
                switch result {
                case .success(let page):
                    session.send(
                        Message.batchFrame(
                            requestID: requestID, reports: page.entries.map { ($0.delivery.seq, $0.delivery.document) }, more: page.more,
                            read: page.entries.map(\.read)))
                case .failure(let error):
                    session.node.logger.error("mailbox read failed", ["identity": identity.id, "error": error.description])
                    session.refuse(ProtocolError(.storeUnavailable, "the mailbox could not be read; try again later", requestID: requestID))
                }
            }
            return
        default: throw ProtocolError(.badMessage, "all: true or false", field: "all", requestID: message.requestID)
        }
        withStore({ store throws(SQLiteError) in
            try store.inboxPage(for: identity, disclosure: disclosure, limit: Int(limit), bytes: room, notices: notices)
        }) { session, result in
            switch result {
            case .success(let page):
                // Stored documents are the node's own canonical encoding: spliced in, not parsed again.
                session.send(Message.batchFrame(requestID: requestID, reports: page.deliveries.map { ($0.seq, $0.document) }, more: page.more))
            case .failure(let error):
                session.node.logger.error("inbox read failed", ["identity": identity.id, "error": error.description])
                session.refuse(ProtocolError(.storeUnavailable, "the inbox could not be read; try again later", requestID: requestID))
            }
        }
    }

    static let maximumSent: Int64 = 200

    /// SENT: the caller's own reports held here, newest first (or one, `id`):
    /// where each went from here and the signed notices about it
    /// (docs/PROTOCOL.md §3). `more` says that older ones follow: ask again
    /// with the answer's `cursor`.
    func sentReports(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let limit = try message.optionalInteger("limit") ?? 20
        guard (1...ServerSession.maximumSent).contains(limit) else {
            throw ProtocolError(.badMessage, "limit: must be from 1 to \(ServerSession.maximumSent)", field: "limit", requestID: message.requestID)
        }
        let id = try message.optionalString("id")
        if let id, ReportID(id) == nil { throw ProtocolError(.badMessage, "id: not a report id", field: "id", requestID: message.requestID) }
        var before: Int64?
        if let cursor = try message.optionalString("cursor") {
            guard let seq = Int64(cursor), seq > 0 else {
                throw ProtocolError(.badMessage, "cursor: the cursor of an earlier SENT answer", field: "cursor", requestID: message.requestID)
            }
            before = seq
        }
        let requestID = message.requestID
        let now = Timestamp.nowMilliseconds()
        var budget = AnswerBudget(frameBytes: node.configuration.maximumFrameSize)
        let olderThan = before
        withStore({ store throws(SQLiteError) in try store.sentReports(of: identity, id: id, limit: Int(limit), before: olderThan) }) { session, result in
            switch result {
            case .success(let found):
                var entries: [JSONValue] = []
                var more = found.more
                var cursor = found.cursor
                for (index, report) in found.reports.enumerated() {
                    let size = report.document.count + report.notices.reduce(0) { $0 + $1.count } + 512
                    guard budget.take(size) else {
                        // The frame is full: the rest follow from the last one listed.
                        more = true
                        cursor = found.reports[index - 1].seq
                        break
                    }
                    guard let document = try? JSONValue(parsing: report.document) else { continue }
                    var entry: [String: JSONValue] = [
                        "report": document, "received": .string(Timestamp.format(milliseconds: report.receivedMilliseconds)),
                        "expired": .bool(report.expiresMilliseconds <= now), "hops": .array(report.hops),
                        "notices": .array(report.notices.compactMap { try? JSONValue(parsing: $0) }),
                    ]
                    if let deleted = report.deleted { entry["deleted"] = deleted }
                    entries.append(.object(entry))
                }
                var body: [String: JSONValue] = ["node": .string(session.node.router.nodeName), "reports": .array(entries), "more": .bool(more)]
                if more, let cursor { body["cursor"] = .string(String(cursor)) }
                if let erased = found.erased { body["erased"] = erased }
                session.send(Message(.sentList, requestID: requestID, .object(body)))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "your reports could not be read; try again later", requestID: requestID))
            }
        }
    }

    /// DIRECTORY: the deployment register as this node holds it, for every
    /// identity (docs/ACCESS.md §6): the current entry of each identity.
    func directory(_ message: Message) throws(ProtocolError) {
        let requestID = message.requestID
        var budget = AnswerBudget(frameBytes: node.configuration.maximumFrameSize)
        // `identity`: that identity's entry only (ilo deploy numbers the next one from it).
        let only: String?
        switch message.body["identity"] {
        case nil: only = nil
        case .string(let name)? where !name.isEmpty && name.utf8.count <= 200: only = name
        default: throw ProtocolError(.badMessage, "identity: an identity id (a certificate CN)", field: "identity", requestID: requestID)
        }
        withStore({ store throws(SQLiteError) in
            if let only { return try store.registerEntry(only).map { [$0] } ?? [] }
            return try store.registerEntries()
        }) { session, result in
            switch result {
            case .success(let entries):
                var listed: [JSONValue] = []
                var more = false
                for entry in entries {
                    let json = entry.json
                    guard budget.take(json.encoded().count + 8) else {
                        more = true
                        break
                    }
                    listed.append(json)
                }
                session.send(
                    Message(.directoryList, requestID: requestID, ["node": .string(session.node.router.nodeName), "entries": .array(listed), "more": .bool(more)]))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the register could not be read; try again later", requestID: requestID))
            }
        }
    }

    /// GET: one report by id with the list of its follow-ups, if the disclosure
    /// decision lets the caller read it now; `{"latest": "digest"}` asks for the
    /// newest digest delivered to the caller.
    func get(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let latest = message.body["latest"]?.stringValue
        var id = latest == nil ? try message.requireString("id") : ""
        // The end of an id (the short id listings show, docs/PROTOCOL.md §3): resolved among the
        // caller's mailbox and own reports; `resolve: true` answers with the full id only.
        let short = latest == nil && ReportID(id) == nil ? ReportStore.shortIDDigits(id) : nil
        guard latest != nil || ReportID(id) != nil || short != nil else {
            throw ProtocolError(.badMessage, "id: a report id, or its last 8 or more hexadecimal digits", field: "id", requestID: message.requestID)
        }
        if let latest, latest != "digest" { throw ProtocolError(.badMessage, "latest: only \"digest\"", field: "latest", requestID: message.requestID) }
        let resolveOnly = message.body["resolve"]?.boolValue == true
        let reason = try ReadReason.parse(message)
        let requestID = message.requestID
        if let short {
            let given = id
            withStore({ store throws(SQLiteError) in try store.resolveShortID(short, for: identity.id) }) { session, result in
                switch result {
                case .success(let matches) where matches.count == 1:
                    if resolveOnly {
                        session.send(Message(.ok, requestID: requestID, ["id": .string(matches[0])]))
                    } else {
                        session.getReport(matches[0], latest: false, identity: identity, reason: reason, requestID: requestID)
                    }
                case .success(let matches) where matches.isEmpty:
                    session.refuse(ProtocolError(.notFound, "no report ending in \(given) in your mailbox or among your own reports; give the full id", requestID: requestID))
                case .success(let matches):
                    session.refuse(ProtocolError(
                        .badMessage, "id: \(given) ends \(matches.count) reports (\(matches.joined(separator: ", "))); give more digits or the full id",
                        field: "id", requestID: requestID))
                case .failure:
                    session.refuse(ProtocolError(.storeUnavailable, "the report could not be read; try again later", requestID: requestID))
                }
            }
            return
        }
        if resolveOnly {
            send(Message(.ok, requestID: requestID, ["id": .string(id)]))
            return
        }
        if latest != nil { id = "" }
        getReport(id, latest: latest != nil, identity: identity, reason: reason, requestID: requestID)
    }

    private func getReport(_ id: String, latest: Bool, identity: PeerIdentity, reason: String?, requestID: UInt32) {
        let disclosure = Disclosure(rules: node.access.rules, now: Timestamp.nowMilliseconds())
        withStore({ store throws(SQLiteError) -> Result<(StoredReport, [ReportStore.FollowUp])?, ProtocolError> in
            let found: StoredReport?
            if latest {
                found = try store.latestDigest(for: identity, disclosure: disclosure)
            } else {
                switch try store.report(id: id, for: identity, disclosure: disclosure, reason: reason) {
                case .found(let report): found = report
                case .notFound: found = nil
                case .contentless:
                    return .failure(ProtocolError(
                        .forbidden, "\(identity.role.rawValue) identities read no report content (docs/ACCESS.md §1.1); "
                            + "what you may see of report \(id) is in ilo audit and ilo erasure", requestID: requestID))
                case .reasonRequired(let category):
                    return .failure(ProtocolError(
                        .forbidden,
                        "report \(id) carries personal data (\(category)): say why you read it, ilo show \(id) --reason TEXT; "
                            + "the reason is kept in this node's audit trail with your read", field: "reason", requestID: requestID))
                }
            }
            guard let found else { return .success(nil) }
            return .success((found, try store.followUps(of: found.id, for: identity, disclosure: disclosure)))
        }) { session, result in
            switch result {
            case .success(.failure(let refusal)):
                session.refuse(refusal)
            case .success(.success(let found?)):
                guard let document = try? JSONValue(parsing: found.0.document) else { return }
                let followUps: [JSONValue] = found.1.map {
                    ["id": .string($0.id), "headline": .string($0.headline), "created": .string(Timestamp.format(milliseconds: $0.createdMilliseconds))]
                }
                session.send(Message(.report, requestID: requestID, ["report": document, "follow_ups": .array(followUps)]))
            case .success(.success(nil)):
                session.refuse(ProtocolError(.notFound, latest ? "no digest delivered to you yet" : "no report \(id) that you may read", requestID: requestID))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the report could not be read; try again later", requestID: requestID))
            }
        }
    }

    /// MARK: the caller marks reports in its mailbox read (`read: true`) or unread.
    func mark(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let ids = try message.reportIDs()
        guard case .bool(let read) = try message.require("read") else {
            throw ProtocolError(.badMessage, "read: true (mark read) or false (mark unread)", field: "read", requestID: message.requestID)
        }
        let requestID = message.requestID
        let reader = identity.id
        withStore({ store throws(SQLiteError) in
            try store.mark(ids, read: read, for: reader, now: Timestamp.nowMilliseconds())
        }) { session, result in
            switch result {
            case .success(let count): session.send(Message(.ok, requestID: requestID, ["changed": .integer(Int64(count))]))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the change was not stored; send it again", requestID: requestID))
            }
        }
    }

    /// CONFIRM: a machine consumer has these reports; they leave its stream and count as read.
    func confirm(_ message: Message) throws(ProtocolError) {
        guard let identity else { return }
        let ids = try message.reportIDs()
        let requestID = message.requestID
        let reader = identity.id
        withStore({ store throws(SQLiteError) in
            try store.confirm(ids, for: reader, now: Timestamp.nowMilliseconds())
        }) { session, result in
            session.watcher?.confirmationsStored(ids)
            switch result {
            case .success(let count):
                session.node.metrics.count("ilonet_reports_delivered_total", by: UInt64(count))
                session.send(Message(.ok, requestID: requestID, ["confirmed": .integer(Int64(count))]))
            case .failure:
                session.refuse(ProtocolError(.storeUnavailable, "the confirmation was not stored; send it again", requestID: requestID))
            }
        }
        // The watcher may send more at once; its reads skip these reports until
        // the update above has committed (`Watcher.confirmationsStored`).
        watcher?.confirmed(ids)
    }
}
