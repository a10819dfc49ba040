/// INTEREST from a peer (docs/ROUTING.md §8, docs/PROTOCOL.md §3): one node's
/// signed announcement, checked like any peer input — valid, signed by the
/// node it names, for that node's own readers, newer than the one in force —
/// then kept with the peer it came from (the way towards that node) and passed
/// on to every other linked peer. Nothing is answered: a link that comes up
/// sends the whole table again, so nothing is lost with a link.
extension NodeServices {
    func receiveInterest(_ message: Message, from peer: String) {
        guard let value = message.body["announcement"], case .object = value,
            let origin = value["origin"], let officer = origin["officer"]?.stringValue, let authority = origin["authority"]?.stringValue,
            let state = origin["state"]?.stringValue
        else {
            logger.warning("interest refused", ["peer": peer, "reason": "announcement: a signed interest report is required"])
            return
        }
        let report: Report
        do throws(ReportValidationError) {
            report = try Report.validate(value, sender: Origin(officer: officer, authority: authority, state: state), screening: false)
        } catch {
            logger.warning("interest refused", ["peer": peer, "reason": error.description])
            return
        }
        guard report.kind == .interest, let node = report.body["node"]?.stringValue, let sequence = report.body["sequence"]?.integerValue else {
            logger.warning("interest refused", ["peer": peer, "reason": "kind: an INTEREST carries an interest report"])
            return
        }
        // Old news costs no signature check.
        guard node != router.nodeName, interestSequences.withLock({ ($0[node] ?? 0) < sequence }) else { return }
        // A node that announces faster than once a second is not passed on (its last word
        // comes with its next announcement, or when a link comes up).
        let now = Timestamp.monotonicNanoseconds()
        let allowed = interestBudget.withLock { budget -> Bool in
            var entry = budget[node] ?? (tokens: 5, at: now)
            entry.tokens = min(5, entry.tokens + Double(now - entry.at) / 1e9)
            entry.at = now
            guard entry.tokens >= 1 else {
                budget[node] = entry
                return false
            }
            entry.tokens -= 1
            budget[node] = entry
            return true
        }
        guard allowed else {
            logger.warning("interest refused", ["peer": peer, "node": node, "reason": "more than one announcement a second from this node"])
            return
        }
        let signer: PeerIdentity
        do throws(SignatureFailure) {
            signer = try signatures.check(report, trust: tlsContext)
        } catch {
            logger.warning("interest refused", ["peer": peer, "node": node, "reason": "signature: \(error.description)"])
            return
        }
        if let problem = Interest.problem(report, author: signer) {
            logger.warning("interest refused", ["peer": peer, "node": node, "reason": problem])
            return
        }
        let document = value.encoded()
        store.submit({ store throws(SQLiteError) in
            try store.applyInterest(report, document: document, via: peer, now: Timestamp.nowMilliseconds())
        }) { [self] result in
            switch result {
            case .success(true):
                interestSequences.withLock { $0[node] = max($0[node] ?? 0, sequence) }
                logger.debug("interest received", ["node": node, "via": peer, "sequence": String(sequence)])
                peers.broadcastInterest(document, except: [peer, node])
            case .success(false):
                interestSequences.withLock { $0[node] = max($0[node] ?? 0, sequence) }
            case .failure(let error):
                logger.error("interest not stored", ["node": node, "error": error.description])
            }
        }
    }
}
