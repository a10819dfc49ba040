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
        case .connect(let endpoint, let error): "cannot connect to \(endpoint): \(error)"
        case .tls(let error):
            // What the node's TLS alert means for the person at the keyboard.
            if error.stack.contains(where: { $0.hasSuffix("alert certificate revoked") }) {
                "the node refused your certificate: it has been revoked. Ask your deploying authority for a new one; nothing was sent"
            } else if error.stack.contains(where: { $0.hasSuffix("alert certificate expired") }) {
                "the node refused your certificate: it has expired. Ask your deploying authority for a new one; nothing was sent"
            } else if error.stack.contains(where: { $0.hasSuffix("alert unknown ca") || $0.hasSuffix("alert bad certificate") }) {
                "the node does not accept your certificate (not issued by this network's CA, or not a client certificate): \(error.reason)"
            } else {
                "TLS: \(error)"
            }
        case .identity(let error): "the node's \(error)"
        case .refused(let error):
            error.field.map { "refused (\(error.code.rawValue)): \(error.message)" + ($0.isEmpty || error.message.hasPrefix($0) ? "" : " [\($0)]") }
                ?? "refused (\(error.code.rawValue)): \(error.message)"
        case .connectionClosed: "the node closed the connection"
        case .timedOut(let what): "timed out \(what)"
        case .malformed(let what): "unexpected answer from the node: \(what)"
        case .ownCertificate(let what): what
        }
    }

    /// True when the report may simply be sent again later (nothing was refused on its merits).
    public var isTransient: Bool {
        switch self {
        case .connect, .connectionClosed, .timedOut: true
        case .refused(let error): [.storeUnavailable, .shuttingDown, .overloaded, .queueFull, .rateLimited].contains(error.code)
        default: false
        }
    }
}
