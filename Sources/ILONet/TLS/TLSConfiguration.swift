/// How a node or client speaks TLS. Made only through the factory methods, which
/// are safe without options: TLS 1.3, mutual authentication against the
/// network's own CA. There is no switch that turns verification off.
public struct TLSConfiguration: Sendable, Equatable {
    public enum Side: Sendable { case server, client }

    public enum MinimumVersion: String, Sendable {
        /// Mozilla "modern": TLS 1.3 only. The default.
        case tls13 = "1.3"
        /// Also TLS 1.2, with ECDHE and AEAD suites only. Only when a node's config asks.
        case tls12 = "1.2"
    }

    /// What to do when the certificate revocation list cannot be used: its
    /// file is missing at start-up, or its next-update time has passed.
    public enum RevocationPolicy: String, Sendable {
        /// Refuse every certificate the list would have covered (the default).
        case refuse
        /// Accept certificates without the revocation check (logged as a
        /// warning at start-up and on every reload).
        case accept
    }

    public let side: Side
    public let certificatePath: String
    public let privateKeyPath: String
    public let trustRootsPath: String
    public var minimumVersion: MinimumVersion
    /// PEM file of certificate revocation lists from the CA (`tls.crl`); nil: none.
    public var revocationListPath: String?
    public var revocationUnavailable: RevocationPolicy = .refuse
    /// A node's side: how long a client may resume its TLS session with a
    /// ticket, in seconds (`tls.session-lifetime`, default 8 hours; 0: no
    /// tickets, every connection a full handshake). A resumed connection's
    /// certificate is checked again against the trust roots and revocation
    /// list in force (docs/PROTOCOL.md §1).
    public var sessionLifetime = 8 * 3600

    /// TLS 1.3 suites, Mozilla "modern".
    public static let tls13CipherSuites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
    /// TLS 1.2 suites when allowed: forward secrecy and AEAD only (Mozilla "intermediate").
    public static let tls12Ciphers =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
        + "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
    public static let groups = "X25519:P-256"

    /// A node's listening side: requires and verifies a client certificate from `trustRoots`.
    public static func makeServerConfiguration(certificate: String, privateKey: String, trustRoots: String) -> TLSConfiguration {
        TLSConfiguration(side: .server, certificatePath: certificate, privateKeyPath: privateKey, trustRootsPath: trustRoots, minimumVersion: .tls13)
    }

    /// A connecting side: presents its certificate and verifies the server's chain and name.
    public static func makeClientConfiguration(certificate: String, privateKey: String, trustRoots: String) -> TLSConfiguration {
        TLSConfiguration(side: .client, certificatePath: certificate, privateKeyPath: privateKey, trustRootsPath: trustRoots, minimumVersion: .tls13)
    }
}
