internal import COpenSSL
import Glibc

/// Signing a report with the key of a certificate held in memory: an officer's
/// (`ilo send`) or a node's (the notices and digests it writes).
extension TLSCredentials {
    /// The leaf certificate, DER.
    public var certificateDER: [UInt8] { Signing.der(certificate) }

    /// `report` with this identity's signature over its `signedContent`.
    public func sign(_ report: Report) throws(OpenSSLError) -> Report {
        var signed = report
        signed.signature = ReportSignature(algorithm: signatureAlgorithm, certificate: certificateDER, value: try signature(over: report.signedContent))
        return signed
    }

    /// The signature `alg` this key makes: "sha256" (ECDSA or RSA over SHA-256) or "ed25519".
    public var signatureAlgorithm: String { EVP_PKEY_get_base_id(privateKey) == NID_ED25519 ? "ed25519" : "sha256" }

    /// This key's signature over `content`, a report's `signedContent` (the load
    /// generator signs the canonical bytes it writes without building a `Report`).
    public func signature(over content: [UInt8]) throws(OpenSSLError) -> [UInt8] {
        try Signing.sign(content, with: privateKey, digest: signatureAlgorithm == "sha256")
    }
}

/// The OpenSSL calls behind signing and checking (EVP_DigestSign/Verify).
enum Signing {
    static func der(_ certificate: OpaquePointer) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        let length = i2d_X509(certificate, &out)
        guard length > 0, let out else { return [] }
        defer { CRYPTO_free(out, #fileID, #line) }
        return Array(UnsafeBufferPointer(start: out, count: Int(length)))
    }

    /// A certificate from DER; the caller frees it.
    static func certificate(fromDER bytes: [UInt8]) -> OpaquePointer? {
        bytes.withUnsafeBufferPointer { buffer in
            var cursor: UnsafePointer<UInt8>? = buffer.baseAddress
            return d2i_X509(nil, &cursor, buffer.count)
        }
    }

    static func sign(_ content: [UInt8], with key: OpaquePointer, digest: Bool) throws(OpenSSLError) -> [UInt8] {
        ERR_clear_error()
        guard let context = EVP_MD_CTX_new() else { throw OpenSSLError.drain("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, digest ? sha256Implementation : nil, nil, key) == 1 else { throw OpenSSLError.drain("signing a report") }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, content, content.count) == 1 else { throw OpenSSLError.drain("signing a report") }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, content, content.count) == 1 else { throw OpenSSLError.drain("signing a report") }
        return Array(signature.prefix(length))
    }

    static func verify(_ signature: [UInt8], over content: [UInt8], certificate: OpaquePointer, digest: Bool) -> Bool {
        guard let key = X509_get0_pubkey(certificate), let context = EVP_MD_CTX_new() else { return false }
        defer {
            EVP_MD_CTX_free(context)
            ERR_clear_error()
        }
        guard EVP_DigestVerifyInit(context, nil, digest ? sha256Implementation : nil, nil, key) == 1 else { return false }
        return EVP_DigestVerify(context, signature, signature.count, content, content.count) == 1
    }
}
