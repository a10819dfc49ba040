/// The error codes a node answers with (docs/PROTOCOL.md §4). Whether the
/// connection stays open is part of each code's definition.
public enum ErrorCode: String, Sendable, CaseIterable {
    /// The byte stream is not valid frames. Connection closed.
    case badFrame = "bad-frame"
    /// A frame announced more bytes than the limit. Connection closed.
    case frameTooLarge = "frame-too-large"
    /// A frame type this version does not know. Connection stays open.
    case unknownMessage = "unknown-message"
    /// The payload is not a JSON object or misses a field. Connection stays open.
    case badMessage = "bad-message"
    /// A message not allowed in the connection's state (e.g. before HELLO). Closed.
    case unexpectedMessage = "unexpected-message"
    /// No protocol version in common. Connection closed.
    case unsupportedVersion = "unsupported-version"
    /// The report breaks a rule; `field` names the path. Connection stays open.
    case invalidReport = "invalid-report"
    /// The identity's role may not do this. Connection stays open.
    case forbidden = "forbidden"
    /// No such report, or none the caller may see (the two are not told apart).
    case notFound = "not-found"
    /// A queue for a next hop is at its limit: nothing was accepted, send again later.
    case queueFull = "queue-full"
    /// A forwarded report already passed this node.
    case loop = "loop"
    /// The store could not commit; nothing was acknowledged, send again later.
    case storeUnavailable = "store-unavailable"
    /// A deadline passed (handshake, first frame, idle). Connection closed.
    case timeout = "timeout"
    /// The node is stopping. Connection closed.
    case shuttingDown = "shutting-down"
    /// Too many connections or requests in flight. Connection closed.
    case overloaded = "overloaded"
    /// The identity sent more reports per second than the node allows; nothing
    /// was accepted, send again later. Connection stays open.
    case rateLimited = "rate-limited"
    /// The report is larger than the node accepts (`limits.max-report-bytes`).
    /// Connection stays open.
    case reportTooLarge = "report-too-large"
    /// The report's signature is missing (where required) or does not verify;
    /// a forwarded one is quarantined. Connection stays open.
    case badSignature = "bad-signature"
    /// The report's id is already held here (or was erased) with different content:
    /// refused for good, never acknowledged; send it under a new id. Connection stays open.
    case idConflict = "id-conflict"
    /// The identity holds `limits.max-subscriptions-per-identity` subscriptions
    /// already; nothing was added. Connection stays open.
    case subscriptionLimit = "subscription-limit"
    /// A long read (preview, listing) would take more than `limits.read-budget`;
    /// nothing is wrong with the node. Ask for less. Connection stays open.
    case overBudget = "over-budget"
    /// The report names a format version (`format`) the node does not read;
    /// refused for good. Connection stays open.
    case unsupportedFormat = "unsupported-format"
    /// A file the report carries has not (all) arrived at the node yet: upload
    /// it (UPLOAD, CHUNK; docs/PROTOCOL.md §3.8) and send the report again.
    /// Nothing was accepted. Connection stays open.
    case attachmentMissing = "attachment-missing"
    /// The report follows up an event its owner closed (docs/REPORTS.md
    /// §5.10): refused until the owner reopens it. Connection stays open.
    case eventClosed = "event-closed"

    /// What a node tells an officer when a next hop answered a report with this
    /// code: the node's own words for it (a notice carries only the code).
    public var noticeWording: String {
        switch self {
        case .forbidden: "the next node's rules do not allow it there"
        case .invalidReport: "the next node found the report invalid"
        case .badSignature: "its signature did not verify at the next node"
        case .reportTooLarge: "it is larger than the next node takes"
        case .loop: "it was already there (a routing loop)"
        case .idConflict: "another report with the same id is held there"
        case .unsupportedFormat: "the next node does not read its format"
        case .notFound: "the report it is about is not held there"
        case .eventClosed: "the event it follows up was closed by its owner"
        case .queueFull, .storeUnavailable, .overloaded, .shuttingDown, .timeout, .rateLimited, .overBudget, .attachmentMissing:
            "the next node could not take it in time"
        case .badFrame, .frameTooLarge, .unknownMessage, .badMessage, .unexpectedMessage, .unsupportedVersion, .subscriptionLimit:
            "the next node could not read it"
        }
    }

    public var closesConnection: Bool {
        switch self {
        case .badFrame, .frameTooLarge, .unexpectedMessage, .unsupportedVersion, .timeout, .shuttingDown, .overloaded: true
        case .unknownMessage, .badMessage, .invalidReport, .forbidden, .notFound, .storeUnavailable, .queueFull, .loop, .rateLimited,
            .reportTooLarge, .badSignature, .idConflict, .subscriptionLimit, .overBudget, .unsupportedFormat, .attachmentMissing, .eventClosed:
            false
        }
    }
}

/// A typed protocol error: a code, a human message and, for reports, a field path.
public struct ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: ErrorCode
    public let message: String
    public let field: String?
    public let requestID: UInt32

    public init(_ code: ErrorCode, _ message: String, field: String? = nil, requestID: UInt32 = 0) {
        self.code = code
        self.message = message
        self.field = field
        self.requestID = requestID
    }

    /// Reads an ERROR message sent by a peer.
    public init(message: Message) {
        let code = message.body["code"]?.stringValue.flatMap(ErrorCode.init(rawValue:)) ?? .badMessage
        self.init(
            code, message.body["message"]?.stringValue ?? "(no message)", field: message.body["field"]?.stringValue,
            requestID: message.requestID)
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
