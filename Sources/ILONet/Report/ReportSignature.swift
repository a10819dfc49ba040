import Foundation

/// The author's signature on a report (docs/REPORTS.md §5): over the canonical
/// encoding of the complete report without its `signature` member, made with
/// the key of the certificate it carries, so that every node and every reader
/// can check it without a directory of officers' certificates.
///
/// ```json
/// "signature": {"alg": "sha256", "certificate": "<base64 DER>", "value": "<base64>"}
/// ```
/// `alg` is `sha256` (ECDSA or RSA over SHA-256) or `ed25519`.
public struct ReportSignature: Sendable, Equatable {
    public static let algorithms = ["sha256", "ed25519"]

    public let algorithm: String
    /// The signer's certificate, DER.
    public let certificate: [UInt8]
    public let value: [UInt8]

    public init(algorithm: String, certificate: [UInt8], value: [UInt8]) {
        self.algorithm = algorithm
        self.certificate = certificate
        self.value = value
    }

    public var json: JSONValue {
        [
            "alg": .string(algorithm), "certificate": .string(Data(certificate).base64EncodedString()),
            "value": .string(Data(value).base64EncodedString()),
        ]
    }

    /// Reads a `signature` member that passed the envelope schema; a value that
    /// is not base64 adds an issue naming it.
    static func parse(_ value: JSONValue, issues: inout [ValidationIssue]) -> ReportSignature? {
        guard let algorithm = value["alg"]?.stringValue else { return nil }
        guard let certificate = value["certificate"]?.stringValue.flatMap({ Data(base64Encoded: $0) }), !certificate.isEmpty else {
            issues.append(ValidationIssue(field: "signature.certificate", "expected a base64 DER certificate"))
            return nil
        }
        guard let signature = value["value"]?.stringValue.flatMap({ Data(base64Encoded: $0) }), !signature.isEmpty else {
            issues.append(ValidationIssue(field: "signature.value", "expected a base64 signature"))
            return nil
        }
        return ReportSignature(algorithm: algorithm, certificate: [UInt8](certificate), value: [UInt8](signature))
    }
}
