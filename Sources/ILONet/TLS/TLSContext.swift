internal import COpenSSL
internal import CILOShims

/// An `SSL_CTX` built from a `TLSConfiguration`: certificate, key, trust roots,
/// protocol versions and suites. Creating one reads files, so it is done at
/// start-up or on reload, never on the event loop.
///
/// After `init` the context is only read (OpenSSL documents SSL_CTX as safe to
/// share between threads once configured), hence `@unchecked Sendable`.
public final class TLSContext: @unchecked Sendable {
    let handle: OpaquePointer
    public let configuration: TLSConfiguration

    public init(_ configuration: TLSConfiguration) throws(OpenSSLError) {
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(TLS_method()) else { throw OpenSSLError.drain("SSL_CTX_new") }
        self.handle = ctx
        self.configuration = configuration

        let minimum = configuration.minimumVersion == .tls13 ? TLS1_3_VERSION : TLS1_2_VERSION
        guard ilo_SSL_CTX_set_min_proto_version(ctx, minimum) == 1 else { throw OpenSSLError.drain("setting the minimum TLS version") }
        guard SSL_CTX_set_ciphersuites(ctx, TLSConfiguration.tls13CipherSuites) == 1 else {
            throw OpenSSLError.drain("setting TLS 1.3 cipher suites")
        }
        guard SSL_CTX_set_cipher_list(ctx, TLSConfiguration.tls12Ciphers) == 1 else {
            throw OpenSSLError.drain("setting TLS 1.2 ciphers")
        }
        guard ilo_SSL_CTX_set1_groups_list(ctx, TLSConfiguration.groups) == 1 else { throw OpenSSLError.drain("setting key exchange groups") }
        SSL_CTX_set_options(
            ctx, ilo_SSL_OP_NO_COMPRESSION() | ilo_SSL_OP_NO_RENEGOTIATION() | ilo_SSL_OP_CIPHER_SERVER_PREFERENCE() | ilo_SSL_OP_NO_TICKET())
        // Partial writes and moving buffers suit non-blocking I/O; releasing buffers
        // keeps an idle connection small (thousands of them on one node).
        _ = ilo_SSL_CTX_set_mode(
            ctx, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
        // Every connection is a full handshake with a full chain check: no resumption.
        _ = ilo_SSL_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
        _ = SSL_CTX_set_num_tickets(ctx, 0)

        guard SSL_CTX_use_certificate_chain_file(ctx, configuration.certificatePath) == 1 else {
            throw OpenSSLError.drain("loading certificate \(configuration.certificatePath)")
        }
        guard SSL_CTX_use_PrivateKey_file(ctx, configuration.privateKeyPath, SSL_FILETYPE_PEM) == 1 else {
            throw OpenSSLError.drain("loading private key \(configuration.privateKeyPath)")
        }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw OpenSSLError.drain("private key \(configuration.privateKeyPath) does not match certificate \(configuration.certificatePath)")
        }
        guard SSL_CTX_load_verify_locations(ctx, configuration.trustRootsPath, nil) == 1 else {
            throw OpenSSLError.drain("loading trust roots \(configuration.trustRootsPath)")
        }
        if configuration.side == .server {
            guard let names = SSL_load_client_CA_file(configuration.trustRootsPath) else {
                throw OpenSSLError.drain("reading CA names from \(configuration.trustRootsPath)")
            }
            SSL_CTX_set_client_CA_list(ctx, names)
        }
        // Both sides verify the peer; a server also refuses a client that sends no certificate.
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        if let store = SSL_CTX_get_cert_store(ctx) {
            X509_STORE_set_flags(store, UInt(X509_V_FLAG_X509_STRICT))
        }
    }

    deinit { SSL_CTX_free(handle) }
}
