internal import COpenSSL
internal import CILOShims
import Glibc

/// A node's certificate chain and private key, read once from their files and
/// kept in memory, so that TLS contexts can be rebuilt on SIGHUP (new trust roots
/// or revocation list) after the daemon has dropped the privileges it needed to
/// read the key. `@unchecked Sendable`: never changed after `init`; OpenSSL's
/// X509 and EVP_PKEY are reference counted and safe to share once loaded.
public final class TLSCredentials: @unchecked Sendable {
    let certificate: OpaquePointer  // X509*
    let chain: [OpaquePointer]  // X509*, the intermediates after the leaf
    let privateKey: OpaquePointer  // EVP_PKEY*
    public let certificatePath: String
    public let privateKeyPath: String

    /// - Parameter checkKeyPermissions: refuse a key file that others can read
    ///   (the daemon sets this; `ilo` does not).
    public init(certificate certificatePath: String, privateKey keyPath: String, checkKeyPermissions: Bool) throws(OpenSSLError) {
        ERR_clear_error()
        self.certificatePath = certificatePath
        self.privateKeyPath = keyPath
        if checkKeyPermissions {
            if let problem = KeyFilePermissions.problem(path: keyPath) {
                throw OpenSSLError("loading private key \(keyPath)", stack: [problem])
            }
        }
        var certificates: [OpaquePointer] = []
        do {
            guard let bio = BIO_new_file(certificatePath, "r") else { throw OpenSSLError.drain("loading certificate \(certificatePath)") }
            defer { BIO_free(bio) }
            while let x509 = PEM_read_bio_X509(bio, nil, nil, nil) { certificates.append(x509) }
            ERR_clear_error()  // the loop ends on "no start line"
        }
        guard let leaf = certificates.first else {
            throw OpenSSLError("loading certificate \(certificatePath)", stack: ["no PEM certificate in the file"])
        }
        guard let keyBIO = BIO_new_file(keyPath, "r") else {
            certificates.forEach { X509_free($0) }
            throw OpenSSLError.drain("loading private key \(keyPath)")
        }
        defer { BIO_free(keyBIO) }
        guard let key = PEM_read_bio_PrivateKey(keyBIO, nil, nil, nil) else {
            certificates.forEach { X509_free($0) }
            throw OpenSSLError.drain("loading private key \(keyPath)")
        }
        guard X509_check_private_key(leaf, key) == 1 else {
            certificates.forEach { X509_free($0) }
            EVP_PKEY_free(key)
            throw OpenSSLError.drain("private key \(keyPath) does not match certificate \(certificatePath)")
        }
        self.certificate = leaf
        self.chain = Array(certificates.dropFirst())
        self.privateKey = key
    }

    deinit {
        X509_free(certificate)
        chain.forEach { X509_free($0) }
        EVP_PKEY_free(privateKey)
    }

    /// Installs the certificate, its chain and the key into a context.
    func install(into ctx: OpaquePointer) throws(OpenSSLError) {
        guard SSL_CTX_use_certificate(ctx, certificate) == 1 else { throw OpenSSLError.drain("using certificate \(certificatePath)") }
        for intermediate in chain {
            guard ilo_SSL_CTX_add1_chain_cert(ctx, intermediate) == 1 else { throw OpenSSLError.drain("adding the chain of \(certificatePath)") }
        }
        guard SSL_CTX_use_PrivateKey(ctx, privateKey) == 1 else { throw OpenSSLError.drain("using private key \(privateKeyPath)") }
        guard SSL_CTX_check_private_key(ctx) == 1 else {
            throw OpenSSLError.drain("private key \(privateKeyPath) does not match certificate \(certificatePath)")
        }
    }
}

/// The rule for a daemon's private key file, as PostgreSQL and OpenSSH apply it:
/// no permission for others, and none for the group unless root owns the file
/// (then group read is allowed, for a root-owned key shared with a service group).
public enum KeyFilePermissions {
    /// Why the file's permissions are refused, or nil when they are fine (or
    /// the file cannot be examined: opening it then reports the real error).
    public static func problem(path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mode = info.st_mode & 0o777
        let allowed: mode_t = info.st_uid == 0 ? 0o740 : 0o700
        guard mode & ~allowed == 0 else {
            let octal = String(mode, radix: 8)
            return "mode 0\(octal) lets others read or write it; a private key must be 0600, "
                + "or 0640 when root owns it: chmod 600 \(path)"
        }
        return nil
    }
}
