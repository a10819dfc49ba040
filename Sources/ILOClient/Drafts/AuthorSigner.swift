import ILONet

/// What `ilo` signs reports with: the user's certificate and key (docs/REPORTS.md
/// §8). Completes a report as the nodes will (origin from the certificate,
/// defaults, topic) and signs that, so no node needs to add anything to it.
public struct AuthorSigner {
    public enum Failure: Error, CustomStringConvertible {
        case credentials(certificate: String, key: String, reason: String)
        case invalid(ReportValidationError)
        case signing(String)

        public var description: String {
            switch self {
            case .credentials(let certificate, let key, let reason): "cannot sign with \(certificate) and \(key): \(reason)"
            case .invalid(let error): "\n" + error.issues.map { "  \($0)" }.joined(separator: "\n")
            case .signing(let reason): "signing failed: \(reason)"
            }
        }
    }

    public let credentials: TLSCredentials
    public let origin: Origin

    public static func load(_ options: ClientOptions) throws(Failure) -> AuthorSigner {
        do {
            let credentials = try TLSCredentials(certificate: options.certificatePath, privateKey: options.privateKeyPath, checkKeyPermissions: false)
            return AuthorSigner(credentials: credentials, origin: Origin(try PeerIdentity(certificateFile: options.certificatePath)))
        } catch {
            throw .credentials(certificate: options.certificatePath, key: options.privateKeyPath, reason: "\(error)")
        }
    }

    /// `document` checked and completed as this author's report, and signed.
    /// The result keeps the personal-data screen's warnings.
    public func complete(_ document: JSONValue) throws(Failure) -> Report {
        let report: Report
        do throws(ReportValidationError) {
            report = try Report.validate(document, sender: origin)
        } catch {
            throw .invalid(error)
        }
        do throws(OpenSSLError) {
            return try credentials.sign(report)
        } catch {
            throw .signing("\(error)")
        }
    }
}
