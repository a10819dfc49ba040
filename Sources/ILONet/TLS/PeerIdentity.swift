/// What a peer may do on the network, from the OU of its certificate subject.
public enum Role: String, Sendable, CaseIterable {
    case officer, board, authority, node, admin
    /// A data-protection officer: reads the audit trail and erasure records, never report content.
    case dpo
    /// Operates the network's platform hub for the Commission (Regulation (EU)
    /// 2019/1240 Art. 9): node status, queues, statistics; no report content (like admin).
    case `operator`
}

/// Who is at the other end of a connection. Taken only from the peer's verified
/// certificate, never from anything the peer sends. The convention (documented in
/// docs/PROTOCOL.md and made by certs-example/make-pki.sh):
///
/// - subject CN: the identity's id, e.g. `officer.de.mueller`
/// - subject OU: the role (officer, board, authority, node, admin, dpo, operator)
/// - subject O:  the deploying authority, e.g. `DE-BPOL`
/// - subject C:  the member state (ISO 3166-1 alpha-2, `EU` for EU bodies)
/// - subjectAltName URI `ilonet:post:LY`: a country the officer is posted to (any number)
/// - subjectAltName DNS / IP: the host names of a node (checked by whoever connects to it)
public struct PeerIdentity: Sendable, Equatable, CustomStringConvertible {
    public let id: String
    public let role: Role
    public let authority: String
    public let memberState: String
    public let posts: [String]

    public init(id: String, role: Role, authority: String, memberState: String, posts: [String] = []) {
        self.id = id
        self.role = role
        self.authority = authority
        self.memberState = memberState
        self.posts = posts
    }

    public var description: String { "\(id) (\(role.rawValue), \(authority), \(memberState))" }

    public var json: JSONValue {
        [
            "id": .string(id), "role": .string(role.rawValue), "authority": .string(authority),
            "state": .string(memberState), "posts": .array(posts.map { .string($0) }),
        ]
    }
}

public struct IdentityError: Error, CustomStringConvertible, Equatable {
    public let reason: String
    public var description: String { "certificate identity: \(reason)" }
}
