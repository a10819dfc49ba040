internal import COpenSSL
internal import CILOShims

extension TLSSession {
    /// The verified peer's identity, from its certificate (see `PeerIdentity`).
    /// Fails when there is no peer certificate, when verification did not succeed,
    /// or when the certificate does not follow the network's naming convention.
    public func peerIdentity() throws(IdentityError) -> PeerIdentity {
        guard let certificate = SSL_get1_peer_certificate(handle) else {
            throw IdentityError(reason: "the peer presented no certificate")
        }
        defer { X509_free(certificate) }
        guard SSL_get_verify_result(handle) == X509_V_OK else {
            throw IdentityError(reason: "the peer's certificate did not verify")
        }
        return try TLSSession.identity(of: certificate)
    }

    /// Checks the certificate the peer presented at the handshake again, against
    /// `context`'s trust roots and revocation list as they are now (after a
    /// reload). Nil when it still verifies; otherwise the reason.
    func reverifyPeer(against context: TLSContext) -> String? {
        guard let certificate = SSL_get1_peer_certificate(handle) else { return "no peer certificate" }
        defer { X509_free(certificate) }
        return context.verifyChain(certificate, untrusted: SSL_get_peer_cert_chain(handle))
    }

    static func identity(of certificate: OpaquePointer) throws(IdentityError) -> PeerIdentity {
        guard let subject = X509_get_subject_name(certificate) else { throw IdentityError(reason: "no subject") }
        func field(_ nid: Int32, _ name: String) throws(IdentityError) -> String {
            let index = X509_NAME_get_index_by_NID(subject, nid, -1)
            guard index >= 0, let entry = X509_NAME_get_entry(subject, index),
                let text = asn1String(X509_NAME_ENTRY_get_data(entry)), !text.isEmpty
            else { throw IdentityError(reason: "subject has no \(name)") }
            // One value per attribute: a second CN or OU would make identity ambiguous.
            guard X509_NAME_get_index_by_NID(subject, nid, index) < 0 else {
                throw IdentityError(reason: "subject has more than one \(name)")
            }
            return text
        }
        let id = try field(NID_commonName, "CN (identity id)")
        let roleText = try field(NID_organizationalUnitName, "OU (role)")
        guard let role = Role(rawValue: roleText) else {
            throw IdentityError(reason: "unknown role \"\(roleText)\" in OU (expected \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let authority = try field(NID_organizationName, "O (authority)")
        let state = try field(NID_countryName, "C (participating state or EU)")
        if let problem = ISOCodes.deployingStateProblem(state) { throw IdentityError(reason: "subject C: \(problem)") }
        var posts: [String] = []
        if let raw = X509_get_ext_d2i(certificate, NID_subject_alt_name, nil, nil) {
            let names = OpaquePointer(raw)
            defer { GENERAL_NAMES_free(names) }
            for i in 0..<ilo_sk_GENERAL_NAME_num(names) {
                guard let name = ilo_sk_GENERAL_NAME_value(names, i), name.pointee.type == GEN_URI,
                    let uri = asn1String(name.pointee.d.uniformResourceIdentifier)
                else { continue }
                let prefix = "ilonet:post:"
                if uri.hasPrefix(prefix) {
                    let country = String(uri.dropFirst(prefix.count))
                    guard country.utf8.count == 2, country.utf8.allSatisfy({ $0 >= 0x41 && $0 <= 0x5A }) else {
                        throw IdentityError(reason: "subjectAltName \(uri): expected a country code after ilonet:post:")
                    }
                    posts.append(country)
                }
            }
        }
        return PeerIdentity(id: id, role: role, authority: authority, memberState: state, posts: posts.sorted())
    }

    static func asn1String(_ string: UnsafePointer<ASN1_STRING>?) -> String? {
        guard let string else { return nil }
        var out: UnsafeMutablePointer<UInt8>?
        let length = ASN1_STRING_to_UTF8(&out, string)
        guard length >= 0, let out else { return nil }
        defer { ilo_OPENSSL_free(out) }
        return String(decoding: UnsafeBufferPointer(start: out, count: Int(length)), as: UTF8.self)
    }
}

extension PeerIdentity {
    /// The identity a certificate file carries (the first certificate in the PEM
    /// file). Used by `ilo` to know its own origin without asking a node.
    public init(certificateFile path: String) throws(IdentityError) {
        ERR_clear_error()
        guard let bio = BIO_new_file(path, "r") else { throw IdentityError(reason: "cannot read \(path)") }
        defer { BIO_free(bio) }
        guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
            ERR_clear_error()
            throw IdentityError(reason: "\(path) holds no PEM certificate")
        }
        defer { X509_free(certificate) }
        self = try TLSSession.identity(of: certificate)
    }

    /// When the certificate in a PEM file becomes valid and stops being valid
    /// (Unix milliseconds), or nil if the file cannot be read.
    public static func validity(certificateFile path: String) -> (notBefore: Int64, notAfter: Int64)? {
        ERR_clear_error()
        guard let bio = BIO_new_file(path, "r") else { return nil }
        defer { BIO_free(bio) }
        guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
            ERR_clear_error()
            return nil
        }
        defer { X509_free(certificate) }
        func milliseconds(_ time: UnsafePointer<ASN1_TIME>?) -> Int64? {
            var parts = tm()
            guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
            return Int64(timegm(&parts)) * 1000
        }
        guard let from = milliseconds(X509_get0_notBefore(certificate)), let until = milliseconds(X509_get0_notAfter(certificate)) else { return nil }
        return (from, until)
    }
}
