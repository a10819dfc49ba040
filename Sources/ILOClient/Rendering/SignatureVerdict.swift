import ILONet

/// Checks a report's signature on the reader's side, against the reader's own
/// CA file (docs/REPORTS.md §8): what `ilo show` prints, and what lets a
/// notice change a report's state in `ilo sent`.
public struct SignatureVerdict {
    let trust: Result<TLSContext, OpenSSLError>
    let caPath: String

    public init(options: ClientOptions) {
        caPath = options.caPath
        do throws(OpenSSLError) {
            trust = .success(
                try TLSContext(.makeClientConfiguration(certificate: options.certificatePath, privateKey: options.privateKeyPath, trustRoots: options.caPath)))
        } catch {
            trust = .failure(error)
        }
    }

    /// The verified signer, or why not.
    public func signer(of report: JSONValue) -> Result<PeerIdentity, SignatureFailure> {
        guard report["signature"] != nil else { return .failure(.unsigned) }
        switch trust {
        case .success(let context): return SignatureCheck().check(document: report, trust: context)
        case .failure(let error): return .failure(.certificate("cannot load \(caPath): \(error.reason)"))
        }
    }

    /// {"verified": true, "signer": ...} or {"verified": false, "reason": ...}.
    public func json(_ report: JSONValue) -> JSONValue {
        if report["signature"] == nil { return ["verified": false, "reason": "the report is not signed"] }
        switch signer(of: report) {
        case .success(let signer):
            return ["verified": true, "signer": .string(signer.id), "authority": .string(signer.authority), "state": .string(signer.memberState)]
        case .failure(let failure):
            return ["verified": false, "reason": .string(failure.description)]
        }
    }

    /// A notice counts only when a node signed it and it names that node as its author.
    public func isTrustedNotice(_ notice: JSONValue) -> Bool {
        guard notice["kind"]?.stringValue == "notice", case .success(let signer) = signer(of: notice) else { return false }
        return signer.role == .node && notice["body"]?["node"]?.stringValue == signer.id && notice["origin"]?["officer"]?.stringValue == signer.id
    }
}
