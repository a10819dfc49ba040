/// Why a connection ended, for logs and for the delegate.
public enum CloseReason: Sendable, CustomStringConvertible, Equatable {
    case peerClosed
    case connectFailed(SystemError)
    case handshakeFailed(OpenSSLError)
    case identityRefused(IdentityError)
    case tlsError(OpenSSLError)
    case protocolViolation(ProtocolError)
    case timeout(String)
    case overloaded(String)
    case localClose(String)

    public var description: String {
        switch self {
        case .peerClosed: "peer closed the connection"
        case .connectFailed(let e): "connect failed: \(e)"
        case .handshakeFailed(let e): "TLS handshake failed: \(e.reason)"
        case .identityRefused(let e): "refused: \(e)"
        case .tlsError(let e): "TLS error: \(e)"
        case .protocolViolation(let e): "protocol violation: \(e)"
        case .timeout(let what): "timed out: \(what)"
        case .overloaded(let what): "overloaded: \(what)"
        case .localClose(let why): why
        }
    }

    /// A short token for logs and metrics, e.g. `handshake-failed`.
    public var kind: String {
        switch self {
        case .peerClosed: "peer-closed"
        case .connectFailed: "connect-failed"
        case .handshakeFailed: "handshake-failed"
        case .identityRefused: "identity-refused"
        case .tlsError: "tls-error"
        case .protocolViolation: "protocol-violation"
        case .timeout: "timeout"
        case .overloaded: "overloaded"
        case .localClose: "closed"
        }
    }
}
