/// One broken rule: where (`body.route.transit[2]`) and what
/// (`"LIBYA" is not an ISO 3166-1 alpha-2 code`). Values are quoted only as far as
/// needed to find the mistake, and never from personal-data fields.
public struct ValidationIssue: Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field.isEmpty ? message : "\(field): \(message)" }
}

/// Every rule a report breaks, in document order.
public struct ReportValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let issues: [ValidationIssue]
    /// The report names a format this node does not read (`unsupported-format`).
    public let unknownFormat: Bool

    public init(_ issues: [ValidationIssue]) {
        precondition(!issues.isEmpty)
        self.issues = issues
        self.unknownFormat = false
    }

    public init(field: String, _ message: String, unknownFormat: Bool = false) {
        self.issues = [ValidationIssue(field: field, message)]
        self.unknownFormat = unknownFormat
    }

    /// The protocol error code for this refusal.
    public var code: ErrorCode { unknownFormat ? .unsupportedFormat : .invalidReport }

    /// The first offending field's path.
    public var field: String { issues[0].field }
    public var description: String { issues.map(\.description).joined(separator: "\n") }
    /// One line, for protocol messages.
    public var summary: String {
        issues.count == 1 ? issues[0].description : issues.map(\.description).joined(separator: "; ")
    }
}

/// Appends a path component: `body` + `route` → `body.route`; `transit` + 2 → `transit[2]`.
func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
