/// Why a client request failed, in words an officer can act on.
public enum ClientError: Error, CustomStringConvertible {
    case connect(Endpoint, SystemError)
    case tls(OpenSSLError)
    case identity(IdentityError)
    /// The node answered with an ERROR.
    case refused(ProtocolError)
    case connectionClosed
    case timedOut(String)
    case malformed(String)
    /// This client's own certificate cannot be used (expired, not yet valid).
    case ownCertificate(String)

    public var description: String {
        switch self {
        case .connect(let endpoint, let error): "cannot connect to \(endpoint): \(error.plainReason)"
        case .tls(let error):
            // What the node's TLS alert means for the person at the keyboard.
            if error.stack.contains(where: { $0.hasSuffix("alert certificate revoked") }) {
                "the node refused your certificate: it has been revoked. Ask your deploying authority for a new one; nothing was sent"
            } else if error.stack.contains(where: { $0.hasSuffix("alert certificate expired") }) {
                "the node refused your certificate: it has expired. Ask your deploying authority for a new one; nothing was sent"
            } else if error.stack.contains(where: { $0.hasSuffix("alert unknown ca") || $0.hasSuffix("alert bad certificate") }) {
                "the node does not accept your certificate: it is not from this network's CA, or not a client certificate. Check --cert; nothing was sent"
            } else if error.stack.contains(where: { $0.hasSuffix("certificate verify failed") }) {
                "the node's certificate is not from this network's CA, or does not name the node you asked for: check --ca, --node and --server-name. Nothing was sent"
            } else if error.context.hasPrefix("loading") || error.context.hasPrefix("using") || error.context.contains("does not match") {
                "cannot use your certificate or key (\(error.context)): check --cert and --key"
            } else if error.context == "TLS read" || error.context == "TLS write" {
                "the connection to the node broke off (it closed, or the network dropped it)"
            } else if error.context == "TLS handshake" {
                "the secure connection to the node could not be set up: the link dropped, or the node refused it"
            } else {
                "the secure connection to the node failed (\(error.context))"
            }
        case .identity(let error): "the node's \(error)"
        case .refused(let error):
            error.field.map { "refused (\(error.code.rawValue)): \(error.message)" + ($0.isEmpty || error.message.hasPrefix($0) ? "" : " [\($0)]") }
                ?? "refused (\(error.code.rawValue)): \(error.message)"
        case .connectionClosed: "the connection to the node broke off (it closed, or the network dropped it)"
        case .timedOut(let what): "timed out \(what)"
        case .malformed(let what): "unexpected answer from the node: \(what)"
        case .ownCertificate(let what): what
        }
    }

    /// True when a request may have reached the node before the failure: its
    /// outcome is unknown (a lost acknowledgement), so a report is sent again
    /// under the same id, never written anew.
    public var outcomeUnknown: Bool {
        switch self {
        case .connectionClosed, .timedOut, .malformed: true
        case .tls(let error): error.context == "TLS read" || error.context == "TLS write"
        default: false
        }
    }

    /// True when a certificate is the problem (this client's: expired, revoked,
    /// not from the network's CA, unreadable; or the node's, not trusted):
    /// sending again will not help.
    public var isCertificateProblem: Bool {
        switch self {
        case .ownCertificate: true
        case .tls(let error):
            error.stack.contains { $0.hasSuffix("alert certificate revoked") || $0.hasSuffix("alert certificate expired") || $0.hasSuffix("alert unknown ca") || $0.hasSuffix("alert bad certificate") || $0.hasSuffix("certificate verify failed") }
                || error.context.hasPrefix("loading") || error.context.hasPrefix("using") || error.context.contains("does not match")
        default: false
        }
    }

    /// True when the report may simply be sent again later (nothing was refused on its merits).
    public var isTransient: Bool {
        switch self {
        case .connect, .connectionClosed, .timedOut: true
        case .tls: !isCertificateProblem
        case .refused(let error): [.storeUnavailable, .shuttingDown, .overloaded, .queueFull, .rateLimited].contains(error.code)
        default: false
        }
    }
}
