/// One entry of the deployment register (docs/ACCESS.md §6): who is deployed
/// where and for whom, as a deploying authority signed it. Read from the body of
/// a `deployment` report; a later entry for the same identity supersedes it.
public struct RegisterEntry: Sendable, Equatable {
    public struct Post: Sendable, Equatable {
        public let country: String
        public let place: String?
    }

    public struct Representation: Sendable, Equatable {
        public let state: String
        /// The arrangement's reference (ILO Regulation Art. 6: joint deployment).
        public let arrangement: String
    }

    /// The entry's own report id, and when the authority wrote it.
    public let entryID: String
    public let createdMilliseconds: Int64
    public let identity: String
    public let role: String
    public let state: String
    public let authority: String
    public let displayName: String?
    public let function: String?
    public let posts: [Post]
    public let from: String
    public let until: String?
    public let represents: [Representation]
    /// The node where the identity reads its reports.
    public let readsAt: String
    /// This entry ends the deployment (on `until`).
    public let ended: Bool
    /// Its writer's number for it among the identity's entries (0: written
    /// before entries were numbered); the highest is in force.
    public let sequence: Int64

    public init?(_ report: Report) {
        guard report.kind == .deployment else { return nil }
        self.init(body: report.body, entryID: report.id.description, created: report.createdMilliseconds)
    }

    public init?(body: JSONValue, entryID: String, created: Int64) {
        guard let identity = body["identity"]?.stringValue, let role = body["role"]?.stringValue, let state = body["state"]?.stringValue,
            let authority = body["authority"]?.stringValue, let from = body["from"]?.stringValue, let readsAt = body["reads_at"]?.stringValue
        else { return nil }
        self.entryID = entryID
        self.createdMilliseconds = created
        self.identity = identity
        self.role = role
        self.state = state
        self.authority = authority
        self.displayName = body["display_name"]?.stringValue
        self.function = body["function"]?.stringValue
        self.posts = (body["posts"]?.arrayValue ?? []).compactMap { post in
            post["country"]?.stringValue.map { Post(country: $0, place: post["place"]?.stringValue) }
        }
        self.from = from
        self.until = body["until"]?.stringValue
        self.represents = (body["represents"]?.arrayValue ?? []).compactMap { item in
            guard let state = item["state"]?.stringValue, let arrangement = item["arrangement"]?.stringValue else { return nil }
            return Representation(state: state, arrangement: arrangement)
        }
        self.readsAt = readsAt
        self.ended = body["ended"]?.boolValue ?? false
        self.sequence = body["sequence"]?.integerValue ?? 0
    }

    /// Whether the deployment is in force on `day` (YYYY-MM-DD): from `from`, up to
    /// and including `until`; an ending entry is in force up to its `until` too.
    public func isInForce(on day: String) -> Bool {
        guard day >= from else { return false }
        if let until, day > until { return false }
        return true
    }

    /// The states it represents on `day`, its own aside.
    public func represented(on day: String) -> Set<String> {
        isInForce(on: day) ? Set(represents.map(\.state)) : []
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "entry": .string(entryID), "written": .string(Timestamp.format(milliseconds: createdMilliseconds)),
            "identity": .string(identity), "role": .string(role), "state": .string(state), "authority": .string(authority),
            "from": .string(from), "reads_at": .string(readsAt), "ended": .bool(ended), "sequence": .integer(sequence),
            "posts": .array(posts.map { post in
                var item: [String: JSONValue] = ["country": .string(post.country)]
                if let place = post.place { item["place"] = .string(place) }
                return .object(item)
            }),
            "represents": .array(represents.map { ["state": .string($0.state), "arrangement": .string($0.arrangement)] }),
        ]
        if let until { fields["until"] = .string(until) }
        if let displayName { fields["display_name"] = .string(displayName) }
        if let function { fields["function"] = .string(function) }
        return .object(fields)
    }
}
