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

    /// Reads the certificate and key from their files.
    public convenience init(_ configuration: TLSConfiguration) throws(OpenSSLError) {
        let credentials = try TLSCredentials(
            certificate: configuration.certificatePath, privateKey: configuration.privateKeyPath, checkKeyPermissions: false)
        try self.init(configuration, credentials: credentials)
    }

    /// Uses a certificate and key already in memory; reads the trust roots and
    /// the revocation list from their files.
    public init(_ configuration: TLSConfiguration, credentials: TLSCredentials) throws(OpenSSLError) {
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
        // Session tickets (TLS 1.3 resumption, RFC 8446 §2.2): a node issues one
        // per connection when `tls.session-lifetime` allows; a client takes them.
        let tickets = configuration.side == .client || configuration.sessionLifetime > 0
        SSL_CTX_set_options(
            ctx, ilo_SSL_OP_NO_COMPRESSION() | ilo_SSL_OP_NO_RENEGOTIATION() | ilo_SSL_OP_CIPHER_SERVER_PREFERENCE() | (tickets ? 0 : ilo_SSL_OP_NO_TICKET()))
        // Partial writes and moving buffers suit non-blocking I/O; releasing buffers
        // keeps an idle connection small (thousands of them on one node).
        _ = ilo_SSL_CTX_set_mode(
            ctx, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS))
        // No session cache in memory: a node resumes only from stateless tickets
        // (encrypted with a key of this context; a reload or restart makes new
        // ones), each lasting `sessionLifetime`; a resumed connection's
        // certificate is checked again (`Connection`). A client keeps its ticket
        // in a file of its own (`ClientConnection`).
        _ = ilo_SSL_CTX_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
        if configuration.side == .server && configuration.sessionLifetime > 0 {
            _ = SSL_CTX_set_num_tickets(ctx, 1)
            _ = SSL_CTX_set_timeout(ctx, Int(configuration.sessionLifetime))
            // Required to resume sessions with client certificates.
            let contextID = Array("ilonet".utf8)
            guard SSL_CTX_set_session_id_context(ctx, contextID, UInt32(contextID.count)) == 1 else {
                throw OpenSSLError.drain("setting the session id context")
            }
        } else {
            _ = SSL_CTX_set_num_tickets(ctx, 0)
        }

        try credentials.install(into: ctx)
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
        guard let store = SSL_CTX_get_cert_store(ctx) else { throw OpenSSLError.drain("SSL_CTX_get_cert_store") }
        var flags = UInt(X509_V_FLAG_X509_STRICT)
        var accepting = false
        if let path = configuration.revocationListPath {
            revocationList = try TLSContext.loadRevocationLists(path, into: store, policy: configuration.revocationUnavailable)
            if revocationList != .missing { flags |= UInt(X509_V_FLAG_CRL_CHECK) }
            accepting = configuration.revocationUnavailable == .accept
        }
        X509_STORE_set_flags(store, flags)
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accepting ? acceptUnavailableRevocationList : nil)
    }

    /// The state of the revocation list when the context was built.
    public enum RevocationListState: Sendable, Equatable {
        case notConfigured
        case current
        /// Its next-update time has passed: with `refuse`, every client is refused.
        case expired
        /// The file is missing (only with `accept`: with `refuse` it is an error).
        case missing
    }

    public private(set) var revocationList = RevocationListState.notConfigured

    /// Adds every CRL in a PEM file to the store.
    private static func loadRevocationLists(
        _ path: String, into store: OpaquePointer, policy: TLSConfiguration.RevocationPolicy
    ) throws(OpenSSLError) -> RevocationListState {
        guard let bio = BIO_new_file(path, "r") else {
            let error = OpenSSLError.drain("loading revocation list \(path)")
            if policy == .accept { return .missing }
            throw error
        }
        defer { BIO_free(bio) }
        var count = 0
        var expired = false
        while let crl = PEM_read_bio_X509_CRL(bio, nil, nil, nil) {
            defer { X509_CRL_free(crl) }
            guard X509_STORE_add_crl(store, crl) == 1 else { throw OpenSSLError.drain("adding revocation list from \(path)") }
            if let next = X509_CRL_get0_nextUpdate(crl), X509_cmp_current_time(next) < 0 { expired = true }
            count += 1
        }
        ERR_clear_error()
        guard count > 0 else { throw OpenSSLError("loading revocation list \(path)", stack: ["no PEM X509 CRL in the file"]) }
        return expired ? .expired : .current
    }

    /// The earliest next-update time of the CRLs in a PEM file (Unix ms), or nil
    /// when the file cannot be read: after it, a node that refuses without a
    /// current list refuses everyone (`tls.crl-unavailable refuse`).
    public static func revocationListNextUpdate(_ path: String) -> Int64? {
        ERR_clear_error()
        guard let bio = BIO_new_file(path, "r") else {
            ERR_clear_error()
            return nil
        }
        defer { BIO_free(bio) }
        var earliest: Int64?
        while let crl = PEM_read_bio_X509_CRL(bio, nil, nil, nil) {
            defer { X509_CRL_free(crl) }
            var parts = tm()
            guard let next = X509_CRL_get0_nextUpdate(crl), ASN1_TIME_to_tm(next, &parts) == 1 else { continue }
            let at = Int64(timegm(&parts)) * 1000
            earliest = min(earliest ?? at, at)
        }
        ERR_clear_error()
        return earliest
    }

    /// Checks a certificate met outside a handshake (a report's signer) against
    /// this context's trust roots, revocation list and revocation policy. Nil
    /// when it verifies; otherwise OpenSSL's reason.
    func verifyChain(_ certificate: OpaquePointer, untrusted: OpaquePointer? = nil) -> String? {
        guard let store = SSL_CTX_get_cert_store(handle), let context = X509_STORE_CTX_new() else { return "out of memory" }
        defer {
            X509_STORE_CTX_free(context)
            ERR_clear_error()
        }
        guard X509_STORE_CTX_init(context, store, certificate, untrusted) == 1 else { return "cannot set up the check" }
        if configuration.revocationListPath != nil && configuration.revocationUnavailable == .accept {
            X509_STORE_CTX_set_verify_cb(context, acceptUnavailableRevocationList)
        }
        if X509_verify_cert(context) == 1 { return nil }
        return String(cString: X509_verify_cert_error_string(Int(X509_STORE_CTX_get_error(context))))
    }

    deinit { SSL_CTX_free(handle) }
}

/// Verification callback for `tls.crl-unavailable accept`: a chain that fails
/// only because the revocation list is missing or out of date is accepted.
private let acceptUnavailableRevocationList: @convention(c) (Int32, OpaquePointer?) -> Int32 = { ok, store in
    if ok == 1 { return 1 }
    let error = X509_STORE_CTX_get_error(store)
    guard error == X509_V_ERR_CRL_HAS_EXPIRED || error == X509_V_ERR_UNABLE_TO_GET_CRL else { return 0 }
    // Cleared, so that the session's verify result (which identity checks) is OK.
    X509_STORE_CTX_set_error(store, X509_V_OK)
    return 1
}
