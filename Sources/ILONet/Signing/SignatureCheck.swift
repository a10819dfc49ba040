internal import COpenSSL
import Synchronization

/// Why a report's signature is not accepted.
public enum SignatureFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The report carries no signature and this node requires one.
    case unsigned
    /// The signer's certificate does not verify against the trust roots (or is revoked).
    case certificate(String)
    /// The certificate is valid but names someone other than the report's origin.
    case signer(String)
    /// The signature does not match the report's content: it was altered after signing.
    case mismatch

    public var description: String {
        switch self {
        case .unsigned: "the report is not signed, and this node requires signed reports (reports.signatures required)"
        case .certificate(let reason): "the signer's certificate does not verify: \(reason)"
        case .signer(let reason): "the signer is not the report's origin: \(reason)"
        case .mismatch: "the signature does not match the report's content: it was altered after it was signed"
        }
    }
}

/// Checks the author's signature on a report: the certificate it carries chains
/// to the trust roots and is not revoked (the TLS context's store, with its
/// revocation list and policy), names the report's origin, and its key made the
/// signature over the report's `signedContent`.
///
/// Certificates that verified are remembered for ten minutes (the chain check
/// costs more than the signature); `forget()` on reload of the trust roots.
public final class SignatureCheck: Sendable {
    /// A certificate whose chain verified: decoded once, with its public key,
    /// so that a report from a known signer costs one signature check and no
    /// certificate parsing (OpenSSL 3's decoders are slow and take locks).
    private final class Remembered: @unchecked Sendable {  // the X509 is never changed after decoding; OpenSSL reads it from any thread
        let certificate: OpaquePointer
        let identity: PeerIdentity
        let at: Int64

        init(certificate: OpaquePointer, identity: PeerIdentity, at: Int64) {
            self.certificate = certificate
            self.identity = identity
            self.at = at
        }

        deinit { X509_free(certificate) }
    }

    private let verified = Mutex<[[UInt8]: Remembered]>([:])
    private static let remember: Int64 = 600_000
    private static let capacity = 10_000

    public init() {}

    public func forget() { verified.withLock { $0.removeAll() } }

    /// Checks a complete report document as a reader receives it (`ilo show`).
    public func check(document: JSONValue, trust: TLSContext) -> Result<PeerIdentity, SignatureFailure> {
        guard let origin = Origin(claimedIn: document), let report = try? Report.validate(document, sender: origin, screening: false) else {
            return .failure(.mismatch)
        }
        do throws(SignatureFailure) {
            return .success(try check(report, trust: trust))
        } catch {
            return .failure(error)
        }
    }

    /// The verified signer, or why not.
    public func check(_ report: Report, trust: TLSContext, now: Int64 = Timestamp.nowMilliseconds()) throws(SignatureFailure) -> PeerIdentity {
        guard let signature = report.signature else { throw .unsigned }
        let signer: Remembered
        if let known = verified.withLock({ $0[signature.certificate] }), now - known.at < SignatureCheck.remember {
            signer = known
        } else {
            guard let certificate = Signing.certificate(fromDER: signature.certificate) else {
                throw .certificate("it is not a DER X.509 certificate")
            }
            if let reason = trust.verifyChain(certificate) {
                X509_free(certificate)
                throw .certificate(reason)
            }
            let identity: PeerIdentity
            do throws(IdentityError) {
                identity = try TLSSession.identity(of: certificate)
            } catch {
                X509_free(certificate)
                throw .certificate(error.reason)
            }
            signer = Remembered(certificate: certificate, identity: identity, at: now)
            verified.withLock {
                if $0.count >= SignatureCheck.capacity { $0.removeAll() }
                $0[signature.certificate] = signer
            }
        }
        let identity = signer.identity, certificate = signer.certificate
        let origin = report.origin
        guard identity.id == origin.officer, identity.authority == origin.authority, identity.memberState == origin.state else {
            throw .signer("signed by \(identity.id) (\(identity.authority), \(identity.memberState)), origin is \(origin.officer) (\(origin.authority), \(origin.state))")
        }
        guard Signing.verify(signature.value, over: report.signedContent, certificate: certificate, digest: signature.algorithm == "sha256") else {
            throw .mismatch
        }
        return identity
    }
}
