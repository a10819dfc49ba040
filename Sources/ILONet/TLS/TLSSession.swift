internal import COpenSSL
internal import CILOShims
import Glibc

/// What a non-blocking TLS operation did.
public enum TLSIOResult: Equatable {
    case done(Int)
    case wantRead
    case wantWrite
    /// The peer closed the TLS session cleanly (close_notify) or the socket.
    case closed
    case failed(OpenSSLError)
}

/// One TLS session over a socket (`SSL*`), freed in `deinit`. Confined to the
/// thread of the event loop (or the blocking client) that owns the socket.
public final class TLSSession {
    let handle: OpaquePointer
    public let context: TLSContext

    /// - Parameter serverName: for a client, the name the server's certificate must
    ///   carry (DNS name or IP address). Required: there is no unverified client.
    public init(context: TLSContext, fd: Int32, serverName: String? = nil) throws(OpenSSLError) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.handle) else { throw OpenSSLError.drain("SSL_new") }
        self.handle = ssl
        self.context = context
        guard SSL_set_fd(ssl, fd) == 1 else { throw OpenSSLError.drain("SSL_set_fd") }
        switch context.configuration.side {
        case .server:
            SSL_set_accept_state(ssl)
        case .client:
            guard let serverName, !serverName.isEmpty else {
                throw OpenSSLError("an outgoing connection needs the server's name to verify", stack: [])
            }
            if TLSSession.isIPAddress(serverName) {
                guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), serverName) == 1 else {
                    throw OpenSSLError.drain("setting the expected server address \(serverName)")
                }
            } else {
                SSL_set_hostflags(ssl, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
                guard SSL_set1_host(ssl, serverName) == 1 else { throw OpenSSLError.drain("setting the expected server name \(serverName)") }
                _ = ilo_SSL_set_tlsext_host_name(ssl, serverName)
            }
            SSL_set_connect_state(ssl)
        }
    }

    deinit { SSL_free(handle) }

    /// Lets OpenSSL read as many bytes as the socket has (up to its record
    /// buffer, about 16 KiB) in one system call, instead of each record's
    /// 5-byte header and then its body in two (issue 32). Only for a caller
    /// that reads until `wantRead` before it waits on the socket again (the
    /// event loop's `Connection`): bytes OpenSSL read ahead are not seen by
    /// epoll or poll.
    func readAhead() { SSL_set_read_ahead(handle, 1) }

    /// Bytes the session has read from its socket so far (0: the peer has
    /// sent nothing this side has read, not even a ClientHello).
    var bytesReceived: UInt64 {
        guard let bio = SSL_get_rbio(handle) else { return 0 }
        return BIO_number_read(bio)
    }

    static func isIPAddress(_ name: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, name, &v4) == 1 || inet_pton(AF_INET6, name, &v6) == 1
    }

    public func handshake() -> TLSIOResult {
        ERR_clear_error()
        let rc = SSL_do_handshake(handle)
        return rc == 1 ? .done(0) : classify(rc, "TLS handshake")
    }

    public var isHandshakeComplete: Bool { SSL_is_init_finished(handle) == 1 }

    /// The handshake resumed an earlier session (a ticket) instead of a full one.
    public var isResumed: Bool { SSL_session_reused(handle) == 1 }

    /// Offers `session` (DER, `resumableSession`) for resumption; false if it cannot be read.
    @discardableResult
    public func offer(session der: [UInt8]) -> Bool {
        var ok = false
        der.withUnsafeBufferPointer { buffer in
            var pointer: UnsafePointer<UInt8>? = buffer.baseAddress
            guard let session = d2i_SSL_SESSION(nil, &pointer, buffer.count) else { return }
            defer { SSL_SESSION_free(session) }
            ok = SSL_set_session(handle, session) == 1
        }
        ERR_clear_error()
        return ok
    }

    /// The session to resume next time (DER), once the node's ticket arrived; nil before, or without one.
    public var resumableSession: [UInt8]? {
        guard let session = SSL_get1_session(handle) else { return nil }
        defer { SSL_SESSION_free(session) }
        guard SSL_SESSION_is_resumable(session) == 1 else { return nil }
        let length = i2d_SSL_SESSION(session, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        der.withUnsafeMutableBufferPointer { buffer in
            var pointer: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            _ = i2d_SSL_SESSION(session, &pointer)
        }
        return der
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) -> TLSIOResult {
        ERR_clear_error()
        var count = 0
        let rc = SSL_read_ex(handle, buffer.baseAddress, buffer.count, &count)
        return rc == 1 ? .done(count) : classify(rc, "TLS read")
    }

    public func write(_ bytes: UnsafeRawBufferPointer) -> TLSIOResult {
        ERR_clear_error()
        var count = 0
        let rc = SSL_write_ex(handle, bytes.baseAddress, bytes.count, &count)
        return rc == 1 ? .done(count) : classify(rc, "TLS write")
    }

    /// Sends close_notify once; does not wait for the peer's.
    public func shutdown() {
        ERR_clear_error()
        _ = SSL_shutdown(handle)
        ERR_clear_error()
    }

    public var protocolVersion: String { String(cString: SSL_get_version(handle)) }

    public var cipher: String {
        guard let c = SSL_get_current_cipher(handle) else { return "" }
        return String(cString: SSL_CIPHER_get_name(c))
    }

    private func classify(_ rc: Int32, _ what: String) -> TLSIOResult {
        let code = SSL_get_error(handle, rc)
        switch code {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        case SSL_ERROR_SYSCALL:
            let error = OpenSSLError.drain(what)
            if error.stack.isEmpty {
                // EOF without close_notify, or a socket error.
                let err = Glibc.errno
                return err == 0 || err == ECONNRESET || err == EPIPE ? .closed : .failed(OpenSSLError(what, stack: [SystemError("socket", errno: err).description]))
            }
            return .failed(error)
        default:
            var error = OpenSSLError.drain(what)
            let verify = SSL_get_verify_result(handle)
            if verify != X509_V_OK {
                error = OpenSSLError(what, stack: error.stack + ["peer certificate: " + String(cString: X509_verify_cert_error_string(verify))])
            }
            return .failed(error)
        }
    }
}

@available(*, unavailable)
extension TLSSession: Sendable {}
