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

    public var description: String {
        switch self {
        case .connect(let endpoint, let error): "cannot connect to \(endpoint): \(error)"
        case .tls(let error): "TLS: \(error)"
        case .identity(let error): "the node's \(error)"
        case .refused(let error):
            error.field.map { "refused (\(error.code.rawValue)): \(error.message)" + ($0.isEmpty || error.message.hasPrefix($0) ? "" : " [\($0)]") }
                ?? "refused (\(error.code.rawValue)): \(error.message)"
        case .connectionClosed: "the node closed the connection"
        case .timedOut(let what): "timed out \(what)"
        case .malformed(let what): "unexpected answer from the node: \(what)"
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
