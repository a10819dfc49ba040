import ILONet

/// What `ilo` signs reports with: the user's certificate and key (docs/REPORTS.md
/// §8). Completes a report as the nodes will (origin from the certificate,
/// defaults, topic) and signs that, so no node needs to add anything to it.
struct AuthorSigner {
    let credentials: TLSCredentials
    let origin: Origin

    /// The signer for `options`, or nil after saying why (`refusal`: "report not sent").
    static func load(_ options: ClientOptions, refusal: String) -> AuthorSigner? {
        do {
            let credentials = try TLSCredentials(certificate: options.certificatePath, privateKey: options.privateKeyPath, checkKeyPermissions: false)
            return AuthorSigner(credentials: credentials, origin: Origin(try PeerIdentity(certificateFile: options.certificatePath)))
        } catch {
            printError("\(refusal): cannot sign with \(options.certificatePath) and \(options.privateKeyPath): \(error)")
            return nil
        }
    }

    /// `document` checked and completed as this author's report and signed, or
    /// nil after printing every problem. `checked` sees the report before signing.
    func complete(_ document: JSONValue, refusal: String, checked: (Report) -> Void = { _ in }) -> Report? {
        let report: Report
        do throws(ReportValidationError) {
            report = try Report.validate(document, sender: origin)
        } catch {
            printError("\(refusal):\n" + error.issues.map { "  \($0)" }.joined(separator: "\n"))
            return nil
        }
        checked(report)
        do throws(OpenSSLError) {
            return try credentials.sign(report)
        } catch {
            printError("\(refusal): signing failed: \(error)")
            return nil
        }
    }
}
