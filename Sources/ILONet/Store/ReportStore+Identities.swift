/// Who each identity is at this node (docs/ACCESS.md §6.2). An identity is the
/// whole subject of its certificate — its CN with its role (OU), deploying
/// authority (O) and state (C) — and keeps the subject this node first saw for
/// it: from a certificate (a connection, or the verified signer of a report), or,
/// where no certificate was seen yet, from the first register entry written
/// for it (bound to its writer's authority). A certificate with the same CN and
/// another subject is a clash, refused; a certificate replaces a binding that
/// only a register entry made, and an entry by another authority then leaves
/// the register.
extension ReportStore {
    public struct IdentityBinding: Sendable, Equatable {
        public enum Source: String, Sendable { case certificate, register }
        public let identity: String
        public let role: String
        public let authority: String
        public let state: String
        public let source: Source

        /// The subject as people read it: `officer, IT-PS, IT`.
        public var subject: String { "\(role), \(authority), \(state)" }

        func sameSubject(_ peer: PeerIdentity) -> Bool {
            role == peer.role.rawValue && authority == peer.authority && state == peer.memberState
        }
    }

    /// What seeing a certificate did to its identity's binding.
    public enum CertificateBinding: Sendable, Equatable {
        /// Already bound to this subject.
        case known
        /// Bound now (first seen).
        case bound
        /// Bound before by a register entry of `authority`; the certificate now
        /// decides, and `droppedEntry` (an entry by another authority) left the register.
        case replaced(IdentityBinding, droppedEntry: String?)
        /// Another subject holds the identity: refused.
        case clash(IdentityBinding)
    }

    public func identityBinding(_ identity: String) throws(SQLiteError) -> IdentityBinding? {
        if let cached = bindingCache[identity] { return cached }
        let select = try database.cached("SELECT role, authority, state, source FROM identities WHERE identity = ?")
        select.bind(1, identity)
        guard try select.step() else { return nil }
        let binding = IdentityBinding(
            identity: identity, role: select.text(0), authority: select.text(1), state: select.text(2),
            source: IdentityBinding.Source(rawValue: select.text(3)) ?? .register)
        try select.step()
        if bindingCache.count > 50_000 { bindingCache.removeAll() }
        bindingCache[identity] = binding
        return binding
    }

    private func writeBinding(_ binding: IdentityBinding, now: Int64) throws(SQLiteError) {
        let upsert = try database.cached(
            """
            INSERT INTO identities (identity, role, authority, state, source, since_ms) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (identity) DO UPDATE SET role = excluded.role, authority = excluded.authority, state = excluded.state,
                source = excluded.source, since_ms = excluded.since_ms
            """)
        upsert.bind(1, binding.identity)
        upsert.bind(2, binding.role)
        upsert.bind(3, binding.authority)
        upsert.bind(4, binding.state)
        upsert.bind(5, binding.source.rawValue)
        upsert.bind(6, now)
        try upsert.run()
        bindingCache[binding.identity] = binding
    }

    /// A certificate for `peer` was seen here: binds its identity to its subject,
    /// or says why not (a clash). In the caller's transaction.
    public func bindCertificate(_ peer: PeerIdentity, now: Int64) throws(SQLiteError) -> CertificateBinding {
        let binding = IdentityBinding(
            identity: peer.id, role: peer.role.rawValue, authority: peer.authority, state: peer.memberState, source: .certificate)
        guard let bound = try identityBinding(peer.id) else {
            try writeBinding(binding, now: now)
            return .bound
        }
        if bound.source == .certificate { return bound.sameSubject(peer) ? .known : .clash(bound) }
        try writeBinding(binding, now: now)
        guard bound.authority != peer.authority || bound.state != peer.memberState else { return .known }
        // The entry in force was written by another authority than the certificate's: it leaves the register.
        var dropped: String?
        if let entry = try registerEntry(peer.id), entry.authority != peer.authority || entry.state != peer.memberState {
            let remove = try database.cached("DELETE FROM register WHERE identity = ?")
            remove.bind(1, peer.id)
            try remove.run()
            dropped = entry.entryID
        }
        return .replaced(bound, droppedEntry: dropped)
    }

    /// Binds `identity` to the authority of the first register entry written for
    /// it, where no certificate was seen for it yet.
    func bindFromRegister(_ entry: RegisterEntry, now: Int64) throws(SQLiteError) {
        guard try identityBinding(entry.identity) == nil else { return }
        try writeBinding(
            IdentityBinding(identity: entry.identity, role: entry.role, authority: entry.authority, state: entry.state, source: .register), now: now)
    }
}
