/// The author's signature at this node (docs/RELIABILITY.md §9): checked before
/// custody of every report, people's and peers'; added to the notices the node
/// writes itself.
extension NodeServices {
    /// The verified signer of `report` (nil: unsigned, and this node does not
    /// require signatures), or why it may not be taken.
    func signer(of report: Report) -> Result<PeerIdentity?, SignatureFailure> {
        // A consent decides who may read someone's report, a register entry what a node
        // believes about people: both always signed (docs/REPORTS.md §5.6, §5.7).
        // An order and a node's receipt for it are the proof of what was done to someone's report (§5.9): signed too.
        let alwaysSigned = report.kind == .consent || report.kind == .deployment || report.kind == .erasure || report.kind == .event || report.corrects != nil
            || OrderNotice.isReceipt(report)
        if report.signature == nil && !configuration.requireSignatures && !alwaysSigned { return .success(nil) }
        do throws(SignatureFailure) {
            return .success(try signatures.check(report, trust: tlsContext))
        } catch {
            return .failure(error)
        }
    }

    /// Refuses a report whose signature fails; one that came from a peer and
    /// was altered or mis-signed on the way is quarantined first. Returns the
    /// verified signer (nil for an unsigned report where signatures are optional).
    @discardableResult
    func requireSignature(_ report: Report, document: JSONValue, from peer: String?, requestID: UInt32) throws(ProtocolError) -> PeerIdentity? {
        let problem: SignatureFailure
        switch signer(of: report) {
        case .success(let signer): return signer
        case .failure(let failure): problem = failure
        }
        let id = report.id.description
        logger.warning("report refused: signature", ["report": id, "from": peer ?? report.origin.officer, "reason": problem.description])
        if let peer, problem != .unsigned {
            let bytes = document.encoded()
            let reason = problem.description
            store.submit({ store throws(SQLiteError) in
                try store.quarantine(reportID: id, from: peer, reason: reason, document: bytes, now: Timestamp.nowMilliseconds())
            }) { [logger] result in
                if case .failure(let error) = result { logger.error("quarantine not stored", ["report": id, "error": error.description]) }
                else { logger.warning("report quarantined", ["report": id, "from": peer]) }
            }
        }
        throw ProtocolError(.badSignature, problem.description, field: "signature", requestID: requestID)
    }

    /// A report this node wrote, signed with its key (unsigned, and logged, if signing fails).
    func signedByNode(_ report: Report) -> Report {
        do throws(OpenSSLError) {
            return try credentials.sign(report)
        } catch {
            logger.error("could not sign a report this node wrote", ["report": report.id.description, "error": error.description])
            return report
        }
    }
}
