/// Taking custody of a report at this node: decide its next hops, then store it
/// and queue it for them in one transaction. Shared by PUBLISH (from a person),
/// FORWARD (from a peer) and the notices the node writes itself.
extension NodeServices {
    struct CustodyReceipt: Sendable {
        let outcome: ReportStore.AcceptOutcome
        let decisions: [RoutingTable.Decision]
        let path: [String]
        /// Where a receipt written with it goes (and a report sent on after a consent).
        var noticeHops: [String] = []
        /// Why custody was refused (a consent this node does not take).
        var refusal: ProtocolError? = nil
    }

    /// Stores `report`, which has passed `path` (without this node), and queues it
    /// for its next hops. `signer` is its verified signer (nil: unsigned).
    /// `author`: the connected identity that published it (nil: it came from a peer).
    /// `deliverTo`: people whose home moved, whose mailbox it goes to (held or not).
    /// `completion` runs on the store thread after commit.
    func takeCustody(
        of report: Report, arrivedVia path: [String], signer: PeerIdentity?, author: PeerIdentity? = nil, deliverTo: [String] = [],
        completion: @escaping @Sendable (Result<CustodyReceipt, SQLiteError>) -> Void
    ) {
        let fullPath = path + [router.nodeName]
        let access = self.access.rules
        // A consent is routed by the report it is about, read in the store job.
        let routed: [RoutingTable.Decision]
        switch report.kind {
        case .consent, .erasure, .event: routed = []
        case .deployment: routed = router.flood(to: configuration.peers.map(\.name), path: fullPath)
        default: routed = router.nextHops(for: report, path: fullPath, access: access, logger: logger)
        }
        let document = report.canonicalEncoding
        let recipient = report.kind == .notice ? report.addressees.first : nil
        let limit = configuration.maximumQueuedPerHop
        // The destination of an author's report that came over at least one hop tells its author.
        let receipt = configuration.sendReceipts && routed.isEmpty && !path.isEmpty && report.kind.isContent && deliverTo.isEmpty
            ? Notice.receipt(for: report, path: fullPath, node: nodeOrigin, now: Timestamp.nowMilliseconds()).map(signedByNode) : nil
        store.submit({ [self] store throws(SQLiteError) in
            let now = Timestamp.nowMilliseconds()
            let disclosure = Disclosure(rules: access, now: now)
            var decisions = routed
            var plan = ConsentPlan()
            func refused(_ refusal: ProtocolError) -> CustodyReceipt {
                CustodyReceipt(outcome: .duplicate, decisions: [], path: fullPath, refusal: refusal)
            }
            // The signer's certificate binds its identity to its whole subject (docs/ACCESS.md §6.2).
            if let signer {
                switch try store.bindCertificate(signer, now: now) {
                case .clash(let bound):
                    return refused(ProtocolError(
                        .forbidden,
                        "signature: the report is signed by a certificate for \(signer.id) as (\(signer.role.rawValue), \(signer.authority), "
                            + "\(signer.memberState)), but \(router.nodeName) knows \(signer.id) as (\(bound.subject)): one identity is one subject",
                        field: "signature"))
                case .replaced(let bound, let dropped):
                    logger.warning(
                        "identity bound by its certificate",
                        ["identity": signer.id, "certificate": "\(signer.role.rawValue), \(signer.authority), \(signer.memberState)",
                         "register_said": bound.subject, "entry_dropped": dropped ?? "-"])
                case .known, .bound:
                    break
                }
            }
            // One notice per report, event and node: a second is acknowledged and not kept.
            if report.kind == .notice, try store.holdsNotice(like: report) {
                return CustodyReceipt(outcome: .duplicate, decisions: [], path: fullPath)
            }
            // Only an identity's own authority writes its register entries (docs/ACCESS.md §6.2).
            if report.kind == .deployment {
                guard let signer else { return refused(ProtocolError(.badSignature, "a register entry is always signed")) }
                if let refusal = try store.registerEntryProblem(report, writer: signer, firstNode: path.isEmpty) { return refused(refusal) }
            }
            // The first node checks the author's claims against the register (docs/ACCESS.md §6).
            if path.isEmpty, report.kind.isContent, let refusal = try store.registerProblem(report) { return refused(refusal) }
            // Its files came first, from the same sender, whole and checked (docs/REPORTS.md §1.1).
            if let refusal = try store.attachmentProblem(report, sender: path.last ?? report.origin.officer) { return refused(refusal) }
            // A follow-up names a report of its event that its author may read here; a closed event takes none (docs/REPORTS.md §5.10).
            if path.isEmpty, report.kind.isContent, let followed = report.followUpOf?.description,
                let refusal = try followUpProblem(followed, author: author ?? signer, store: store, disclosure: disclosure)
            {
                return refused(refusal)
            }
            // An action on an event follows the event's reports (docs/REPORTS.md §5.10).
            if report.kind == .event {
                guard let signer else { return refused(ProtocolError(.badSignature, "an event report is always signed")) }
                return try takeEventAction(report, issuer: signer, path: fullPath, store: store, disclosure: disclosure, now: now)
            }
            // A correction follows the path of the report it corrects, to its recipients (docs/REPORTS.md §5.9).
            if report.kind.isContent, report.corrects != nil {
                guard let signer else { return refused(ProtocolError(.badSignature, "a correction is always signed")) }
                return try takeCorrection(report, author: signer, path: fullPath, store: store, disclosure: disclosure, now: now)
            }
            // Where its readers read: the register's homes of its addressees and the
            // represented states' contact points, and interest in its topic (docs/ROUTING.md §8).
            if report.kind.isContent {
                for hop in try homeHops(for: report, consented: [], path: fullPath, store: store, now: now)
                where !decisions.contains(where: { $0.nextHop == hop.nextHop }) {
                    decisions.append(hop)
                }
            }
            // Interest travels between linked nodes in INTEREST messages, never as a report (docs/ROUTING.md §8).
            if report.kind == .interest {
                return refused(ProtocolError(.forbidden, "kind: interest announcements travel in INTEREST messages between linked nodes, not as reports"))
            }
            // An order about a sent report follows that report's path (docs/REPORTS.md §5.9).
            if report.kind == .erasure {
                guard let signer else { return refused(ProtocolError(.badSignature, "an order is always signed")) }
                return try takeOrder(report, issuer: signer, path: fullPath, store: store, disclosure: disclosure, now: now)
            }
            // A consent that comes before its H2 report waits for it here (the report is on its way).
            if report.kind == .consent, !path.isEmpty, let about = report.body["about"]?.stringValue, try store.heldReport(about) == nil,
                report.body["decision"]?.stringValue != Consent.Decision.requested.rawValue
            {
                guard signer != nil else { return refused(ProtocolError(.badSignature, "a consent is always signed")) }
                let outcome = try store.accept(
                    report, document: document, path: fullPath, nextHops: [], recipient: nil, now: now, queueLimit: limit, disclosure: disclosure)
                if case .stored = outcome { try store.holdPendingConsent(report.id.description, about: about) }
                return CustodyReceipt(outcome: outcome, decisions: [], path: fullPath)
            }
            if report.kind == .consent {
                guard let author = signer else { return refused(ProtocolError(.badSignature, "a consent is always signed")) }
                if let refusal = try store.consentProblem(report, author: author, disclosure: disclosure) { return refused(refusal) }
                plan = try consentPlan(report, store: store, path: fullPath, access: access)
                decisions = plan.decisions
            }
            // The entry in force before this one: a person whose home moves from here takes their unread reports along.
            let before = report.kind == .deployment ? try RegisterEntry(report).flatMap { entry throws(SQLiteError) in try store.registerEntry(entry.identity) } : nil
            var outcome = try store.accept(
                report, document: document, path: fullPath, nextHops: decisions.map(\.nextHop), recipient: recipient,
                now: now, queueLimit: limit, disclosure: disclosure)
            var moveHops: [String] = []
            if report.kind == .deployment, case .stored = outcome {
                try store.applyRegisterEntry(report, now: now)
                if let before, before.readsAt == router.nodeName, let after = try store.registerEntry(before.identity), after.readsAt != router.nodeName {
                    moveHops = try moveMailbox(of: before.identity, to: after.readsAt, store: store, now: now)
                }
            }
            // A report sent on for people whose home moved: into their mailbox here, or on towards their home.
            if !deliverTo.isEmpty, report.kind.isContent, outcome == .duplicate || { if case .stored = outcome { true } else { false } }() {
                moveHops += try deliverMoved(report, to: deliverTo, path: fullPath, store: store, disclosure: disclosure, now: now)
            }
            // Consents that arrived before this H2 report apply now, in the order they were written.
            if report.handling == .h2, report.kind.isContent, case .stored(let seq, let recipients) = outcome {
                var delivered = recipients
                for consent in try store.takePendingConsents(about: report.id.description) {
                    delivered += try store.applyConsent(consent, disclosure: disclosure, now: now)
                }
                outcome = .stored(seq: seq, recipients: delivered)
            }
            if report.kind == .consent, case .stored(let seq, let recipients) = outcome {
                let delivered = try store.applyConsent(report, disclosure: disclosure, now: now)
                try store.queueAgain(reportID: plan.about, to: plan.reportHops, now: now)
                outcome = .stored(seq: seq, recipients: recipients + delivered)
                if !plan.reportHops.isEmpty {
                    logger.info("report sent on after consent", ["report": plan.about, "consent": report.id.description, "next_hops": plan.reportHops.joined(separator: ",")])
                }
            }
            var receiptHops: [String] = []
            if let receipt, case .stored = outcome {
                receiptHops = try writeNotice(receipt, to: report.origin.officer, store: store, now: now)
                logger.info("receipt written", ["report": receipt.id.description, "about": report.id.description, "to": report.origin.officer])
            }
            return CustodyReceipt(outcome: outcome, decisions: decisions, path: fullPath, noticeHops: receiptHops + plan.reportHops + moveHops)
        }) { [self] result in
            if case .success(let receipt) = result, receipt.outcome == .duplicate { peers.poke(receipt.noticeHops) }
            if case .success(let receipt) = result, case .stored = receipt.outcome {
                peers.poke(receipt.decisions.map(\.nextHop) + receipt.noticeHops)
                metrics.count("ilonet_reports_received_total", ["kind": report.kind.rawValue, "via": path.isEmpty ? "publish" : "forward"])
                // An order may have erased a report: the WAL goes too (docs/RELIABILITY.md §7).
                if report.kind == .erasure || report.corrects != nil { store.truncateWALSoon() }
            }
            completion(result)
        }
    }

    /// Inside a store job: the hops towards the home nodes of `report`'s
    /// readers (its addressees, `consented`, represented states' contact
    /// points and — for H0/H1 without personal data — nodes with interest in its
    /// topic). `subscribers: false` leaves interest out.
    func homeHops(
        for report: Report, consented: [String], path: [String], store: ReportStore, now: Int64, subscribers: Bool = true
    ) throws(SQLiteError) -> [RoutingTable.Decision] {
        let open = !report.handling.namedAddresseesOnly && !report.carriesPersonalData
        let day = String(Timestamp.format(milliseconds: now).prefix(10))
        let homes = try store.readerHomes(
            addressees: report.addressees, consented: consented, representing: open && subscribers ? Set(report.onBehalfOf) : [],
            topic: open && subscribers ? report.topic : nil, on: day, now: now)
        return router.homeHops(
            for: report, homes: homes, interest: try store.interestMap(now: now), peers: configuration.peers.map(\.name), path: path,
            access: access.rules)
    }

    /// Inside a store job: `identity`'s home moved from this node to `home`
    /// (docs/ROUTING.md §8). Its unread reports leave this mailbox and are
    /// queued towards the new home, each marked for its mailbox there. Returns the hops.
    func moveMailbox(of identity: String, to home: String, store: ReportStore, now: Int64) throws(SQLiteError) -> [String] {
        let interest = try store.interestMap(now: now)
        guard let hop = interest.hop(towards: home, peers: configuration.peers.map(\.name), path: [], me: router.nodeName) else {
            logger.warning("home moved, but no way towards the new home is known; the unread reports stay here", ["identity": identity, "home": home])
            return []
        }
        let moved = try store.takeUnread(of: identity)
        for seq in moved { try store.enqueueMoved(seq: seq, to: hop, for: identity, now: now) }
        logger.info("mailbox moved", ["identity": identity, "home": home, "next_hop": hop, "unread": String(moved.count)])
        return moved.isEmpty ? [] : [hop]
    }

    /// Inside a store job: `report` came for `names` whose home moved. Each whose
    /// home this is gets it in the mailbox, unread (if the disclosure decision
    /// lets them read it); for the others it goes on towards their home.
    func deliverMoved(
        _ report: Report, to names: [String], path: [String], store: ReportStore, disclosure: Disclosure, now: Int64
    ) throws(SQLiteError) -> [String] {
        guard let seq = try store.reportSeq(report.id.description) else { return [] }
        let day = String(Timestamp.format(milliseconds: now).prefix(10))
        let interest = try store.interestMap(now: now)
        var hops: [String] = []
        for name in names {
            guard let home = try store.homeNode(of: name, on: day) else { continue }
            if home == router.nodeName {
                _ = try store.deliver(report, to: [name], seq: seq, consented: try store.heldReport(report.id.description)?.consented ?? [], disclosure: disclosure, now: now)
            } else if let hop = interest.hop(towards: home, peers: configuration.peers.map(\.name), path: path, me: router.nodeName) {
                try store.enqueueMoved(seq: seq, to: hop, for: name, now: now)
                if !hops.contains(hop) { hops.append(hop) }
            }
        }
        return hops
    }

    /// Where a consent goes, and where its report goes anew (docs/REPORTS.md §5.6).
    struct ConsentPlan {
        var about = ""
        var decisions: [RoutingTable.Decision] = []
        /// Next hops the report itself is now sent to, because a copy rule reaches someone consented.
        var reportHops: [String] = []
    }

    /// Inside a store job: the consent's next hops and, for a grant by the
    /// report's author, the hops the report newly reaches.
    func consentPlan(_ consent: Report, store: ReportStore, path: [String], access: AccessRules) throws(SQLiteError) -> ConsentPlan {
        var plan = ConsentPlan()
        plan.about = consent.body["about"]?.stringValue ?? ""
        let held = try store.heldReport(plan.about)
        let decision = consent.body["decision"]?.stringValue.flatMap(Consent.Decision.init(rawValue:))
        let recipients = (consent.body["to"]?.arrayValue ?? []).compactMap(\.stringValue)
        var consented = held?.consented ?? []
        let byAuthor = held?.report.origin.officer == consent.origin.officer
        if byAuthor && decision == .granted { consented += recipients.filter { !consented.contains($0) } }
        if byAuthor && decision == .refused { consented.removeAll { recipients.contains($0) } }
        plan.decisions = router.nextHops(forConsent: consent, about: held, path: path, consented: consented, access: access, logger: logger)
        if let held, byAuthor, decision == .granted || decision == .refused {
            // A decision also goes where the consented read, and the report with a grant (docs/ROUTING.md §8).
            let now = Timestamp.nowMilliseconds()
            let homes = try homeHops(for: held.report, consented: recipients, path: path, store: store, now: now, subscribers: false)
            for hop in homes where !plan.decisions.contains(where: { $0.nextHop == hop.nextHop }) { plan.decisions.append(hop) }
            if decision == .granted {
                let before = Set(router.nextHops(for: held.report, path: held.path, consented: held.consented, access: access).map(\.nextHop))
                    .union(try homeHops(for: held.report, consented: held.consented, path: held.path, store: store, now: now).map(\.nextHop))
                let after = router.nextHops(for: held.report, path: held.path, consented: consented, access: access, logger: logger).map(\.nextHop)
                    + homes.map(\.nextHop).filter { !held.path.contains($0) }
                for hop in after where !before.contains(hop) && !plan.reportHops.contains(hop) { plan.reportHops.append(hop) }
            }
        }
        return plan
    }

    /// A store job that dead-letters a queued report and, unless it was itself a
    /// notice, takes custody of a notice to its origin. Returns the notice's hops.
    func deadLetterJob(seq: Int64, hop: String, reason: String) -> @Sendable (ReportStore) throws(SQLiteError) -> [String] {
        let services = self
        return { store throws(SQLiteError) in
            let now = Timestamp.nowMilliseconds()
            guard let letter = try store.deadLetter(seq: seq, hop: hop, reason: reason, now: now) else { return [] }
            return try services.notify(letter, store: store, now: now)
        }
    }

    /// Inside a store job: logs a dead letter and queues the notice about it.
    func notify(_ letter: ReportStore.DeadLetter, store: ReportStore, now: Int64) throws(SQLiteError) -> [String] {
        logger.warning(
            "report dead-lettered", ["report": letter.reportID, "next_hop": letter.nextHop, "reason": letter.reason])
        guard letter.kind != ReportKind.notice.rawValue, let unsigned = Notice.make(for: letter, node: nodeOrigin, now: now) else { return [] }
        let notice = signedByNode(unsigned)
        let hops = try writeNotice(notice, to: letter.originOfficer, store: store, now: now)
        logger.info("notice written", ["report": notice.id.description, "about": letter.reportID, "to": letter.originOfficer])
        return hops
    }

    /// Inside a store job: takes custody of a notice this node wrote, for
    /// `officer`, and returns the hop it goes back to (if any).
    func writeNotice(_ notice: Report, to officer: String, store: ReportStore, now: Int64) throws(SQLiteError) -> [String] {
        let path = [router.nodeName]
        let access = self.access.rules
        let hops = router.nextHops(for: notice, path: path, access: access, logger: logger).map(\.nextHop)
        guard try !store.holdsNotice(like: notice) else { return [] }
        // The officer's watcher is poked after the commit (`StoreWorker.onDeliveriesCommitted`).
        _ = try store.accept(
            notice, document: notice.canonicalEncoding, path: path, nextHops: hops, recipient: officer, now: now,
            queueLimit: Int.max, disclosure: Disclosure(rules: access, now: now))
        return hops
    }
}
