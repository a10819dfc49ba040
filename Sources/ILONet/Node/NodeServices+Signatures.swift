/// The author's signature at this node (docs/RELIABILITY.md §9): checked before
/// custody of every report, people's and peers'; added to the notices the node
/// writes itself.
extension NodeServices {
    /// Why `report` may not be taken, or nil: its signature verifies, or it has
    /// none and this node does not require one.
    func signatureProblem(_ report: Report) -> SignatureFailure? {
        if report.signature == nil && !configuration.requireSignatures { return nil }
        do throws(SignatureFailure) {
            _ = try signatures.check(report, trust: tlsContext)
            return nil
        } catch {
            return error
        }
    }

    /// Refuses a report whose signature fails; one that came from a peer and
    /// was altered or mis-signed on the way is quarantined first.
    func requireSignature(_ report: Report, document: JSONValue, from peer: String?, requestID: UInt32) throws(ProtocolError) {
        guard let problem = signatureProblem(report) else { return }
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
