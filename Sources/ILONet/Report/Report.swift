/// What kind of report a document is. The body's schema depends on it.
public enum ReportKind: String, Sendable, CaseIterable {
    case smuggling
    case `return`
    case border
}

/// Delivery precedence, most urgent first (DTN / military message handling order).
public enum Priority: String, Sendable, CaseIterable, Comparable {
    case flash, immediate, priority, routine

    /// 0 is the most urgent; stored as this number so queues sort on it.
    public var rank: Int {
        switch self {
        case .flash: 0
        case .immediate: 1
        case .priority: 2
        case .routine: 3
        }
    }

    public static func < (a: Priority, b: Priority) -> Bool { a.rank < b.rank }
}

/// Who sent a report: always taken from the sender's certificate.
public struct Origin: Sendable, Equatable {
    public var officer: String
    public var authority: String
    public var state: String

    public init(officer: String, authority: String, state: String) {
        self.officer = officer
        self.authority = authority
        self.state = state
    }

    public init(_ identity: PeerIdentity) {
        self.init(officer: identity.id, authority: identity.authority, state: identity.memberState)
    }

    var json: JSONValue { ["officer": .string(officer), "authority": .string(authority), "state": .string(state)] }
}

/// A validated report: the envelope fields every hop routes on, and the whole
/// document in its canonical encoding.
public struct Report: Sendable {
    public let id: ReportID
    public let kind: ReportKind
    public let country: String
    public let priority: Priority
    public let createdMilliseconds: Int64
    public let headline: String
    public let origin: Origin
    public let body: JSONValue

    /// The full document, canonically encoded. What is stored and delivered.
    public var document: JSONValue {
        [
            "id": .string(id.description),
            "kind": .string(kind.rawValue),
            "country": .string(country),
            "priority": .string(priority.rawValue),
            "created": .string(Timestamp.format(milliseconds: createdMilliseconds)),
            "headline": .string(headline),
            "origin": origin.json,
            "body": body,
        ]
    }

    public init(
        id: ReportID, kind: ReportKind, country: String, priority: Priority, createdMilliseconds: Int64,
        headline: String, origin: Origin, body: JSONValue
    ) {
        self.id = id
        self.kind = kind
        self.country = country
        self.priority = priority
        self.createdMilliseconds = createdMilliseconds
        self.headline = headline
        self.origin = origin
        self.body = body
    }
}
