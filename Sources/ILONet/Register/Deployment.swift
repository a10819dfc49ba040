/// The `deployment` kind (docs/REPORTS.md §5.7): an entry of the deployment
/// register, written and signed by a deploying authority for one of its own
/// people, and flooded to every node of the network. The register is what
/// every node holds after applying the entries: the latest per identity.
public enum Deployment {
    /// The roles an entry may describe: the people who read and write reports.
    public static let roles = ["officer", "board", "authority"]

    public static let schema = ObjectSchema(
        "deployment",
        [
            Field("identity", .string(maxLength: 200), required: true, "the identity id (certificate CN) of the person deployed"),
            Field("role", .choice(roles), required: true, "their role in the network (certificate OU)"),
            Field("state", .string(maxLength: 2), required: true, "the deploying state (certificate C): the authority's own"),
            Field("authority", .string(maxLength: 200), required: true, "the deploying authority (certificate O): the author's own"),
            Field("display_name", .string(maxLength: 200), "the name the directory shows; an authority that uses pseudonymous ids may leave it out"),
            Field("function", .string(maxLength: 200), "what they do, e.g. immigration liaison officer, national contact point"),
            Field(
                "posts",
                .list(
                    .object(
                        ObjectSchema(
                            "post",
                            [
                                Field("country", .country, required: true, "the third country of the post"),
                                Field("place", .string(maxLength: 200), "the place, e.g. Tripoli"),
                            ])), minimum: 0, maximum: 10, unique: true), "where they are posted (ILO Regulation Art. 5: local networks)"),
            Field("from", .date, required: true, "first day of the deployment"),
            Field("until", .date, "last day (required when ended)"),
            Field(
                "represents",
                .list(
                    .object(
                        ObjectSchema(
                            "representation",
                            [
                                Field("state", .participatingState, required: true, "a state they also represent (joint deployment, Art. 6)"),
                                Field("arrangement", .string(maxLength: 200), required: true, "the arrangement's reference"),
                            ])), minimum: 0, maximum: 31, unique: true), "states they represent besides their own"),
            Field("reads_at", .string(maxLength: 253), required: true, "the node where they read their reports"),
            Field("ended", .boolean, "this entry ends the deployment on `until`"),
            Field(
                "sequence", .integer(1...2_147_483_647),
                "this entry's number among the entries for the identity: one more than the entry it replaces (ilo deploy counts); the highest is in force"),
        ],
        rules: [
            { fields, path, issues in
                if fields["ended"]?.boolValue == true && fields["until"] == nil {
                    issues.append(ValidationIssue(field: join(path, "until"), "required when the entry ends the deployment"))
                }
                if let from = fields["from"]?.stringValue, let until = fields["until"]?.stringValue,
                    let a = ReportDate.parse(from), let b = ReportDate.parse(until), a > b
                {
                    issues.append(ValidationIssue(field: join(path, "until"), "is before from"))
                }
            }
        ])

    /// The one headline an entry has, built from its body.
    public static func headline(_ body: JSONValue) -> String {
        let identity = body["identity"]?.stringValue ?? "?"
        let authority = body["authority"]?.stringValue ?? "?"
        if body["ended"]?.boolValue == true {
            return String("Deployment ended: \(identity) (\(authority)) on \(body["until"]?.stringValue ?? "?")".prefix(200))
        }
        let posts = (body["posts"]?.arrayValue ?? []).compactMap { $0["country"]?.stringValue }
        let place = posts.isEmpty ? "" : " at " + posts.joined(separator: ", ")
        let until = body["until"]?.stringValue.map { " until \($0)" } ?? ""
        return String("Deployment: \(identity) (\(authority))\(place) from \(body["from"]?.stringValue ?? "?")\(until)".prefix(200))
    }

    /// The subject country of an entry: its one post, or several.
    public static func country(_ body: JSONValue) -> String {
        let posts = Set((body["posts"]?.arrayValue ?? []).compactMap { $0["country"]?.stringValue })
        return posts.count == 1 ? posts.first! : ISOCodes.severalCountries
    }

    /// An entry ready to be signed (`ilo deploy`).
    public static func draft(_ body: JSONValue, now: Int64) -> JSONValue {
        [
            "id": .string(ReportID.generate().description),
            "kind": "deployment",
            "country": .string(country(body)),
            "headline": .string(headline(body)),
            "created": .string(Timestamp.format(milliseconds: now)),
            "handling": "H0",
            "priority": "routine",
            "body": body,
        ]
    }

    /// Why `entry` is not one its author may write (nil: it may): an authority
    /// writes entries only for its own people, in its own fixed wording.
    public static func authorProblem(_ entry: Report, author: PeerIdentity) -> String? {
        guard author.role == .authority else {
            return "deployment entries are written by a deploying authority (role authority), not by a \(author.role.rawValue)"
        }
        let body = entry.body
        if body["authority"]?.stringValue != author.authority || body["state"]?.stringValue != author.memberState {
            return "body.authority: \(author.id) writes entries for \(author.authority) (\(author.memberState)) only, not for \(body["authority"]?.stringValue ?? "?") (\(body["state"]?.stringValue ?? "?"))"
        }
        if entry.headline != headline(body) { return "headline: a deployment entry's headline is the fixed wording \"\(headline(body))\"" }
        if entry.country != country(body) { return "country: \(country(body)) for this entry (its posts)" }
        if !entry.addressees.isEmpty { return "addressees: a deployment entry goes to the whole network, not to addressees" }
        return nil
    }
}
