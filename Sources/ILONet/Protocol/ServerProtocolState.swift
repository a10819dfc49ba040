/// The server side of the connection state machine (docs/PROTOCOL.md §5),
/// without sockets, so it can be tested on its own.
///
/// ```
/// TLS handshake ──► awaitingHello ──HELLO(v1)──► ready ──BYE / error / timeout──► closed
/// ```
public struct ServerProtocolState: Sendable, Equatable {
    public enum Phase: Sendable, Equatable { case awaitingHello, ready, closed }

    public static let supportedVersions: [Int64] = [1]

    public private(set) var phase: Phase = .awaitingHello
    /// The peer is a node this one exchanges reports with: the link carries our
    /// FORWARDs too, so their answers (ACCEPTED, ERROR) may arrive.
    public private(set) var isPeerLink = false

    public init() {}

    public enum Decision: Sendable, Equatable {
        /// Handle the message in the current phase.
        case handle
        /// Answer with this error; close the connection when its code says so.
        case refuse(ProtocolError)
    }

    /// Whether a message of `type` may arrive now.
    public func admit(_ type: MessageType, requestID: UInt32) -> Decision {
        switch phase {
        case .closed:
            return .refuse(ProtocolError(.unexpectedMessage, "the connection is closing", requestID: requestID))
        case .awaitingHello:
            return type == .hello
                ? .handle
                : .refuse(ProtocolError(.unexpectedMessage, "the first message must be HELLO", requestID: requestID))
        case .ready:
            switch type {
            case .ping, .pong, .bye, .publish, .fetch, .confirm, .get, .sent, .directory, .activity, .search, .forward, .queue, .queueControl, .routeTest, .status, .audit, .subscribe,
                .unsubscribe, .subscriptions, .watch, .digestPreview, .mark, .orders, .record, .subjectFind, .upload, .chunk, .attachmentGet,
                .events, .event, .export:
                return .handle
            case .accepted where isPeerLink, .error where isPeerLink, .interest where isPeerLink, .uploadState where isPeerLink:
                return .handle
            case .hello:
                return .refuse(ProtocolError(.unexpectedMessage, "HELLO was already sent", requestID: requestID))
            case .welcome, .error, .ok, .accepted, .interest, .batch, .report, .sentList, .directoryList, .activityCounts, .searchResults, .queueState, .routes, .nodeStatus, .auditRecords, .subscriptionList, .deliver,
                .digest, .orderList, .processingRecord, .subjectMatches, .uploadState, .eventList, .eventView, .exportRows:
                return .refuse(ProtocolError(.unexpectedMessage, "a client does not send \(type)", requestID: requestID))
            }
        }
    }

    /// Applies a HELLO: picks the highest version both sides speak.
    public mutating func hello(versions: [Int64], requestID: UInt32) -> Result<Int64, ProtocolError> {
        guard phase == .awaitingHello else {
            return .failure(ProtocolError(.unexpectedMessage, "HELLO was already sent", requestID: requestID))
        }
        guard let version = versions.filter(ServerProtocolState.supportedVersions.contains).max() else {
            phase = .closed
            return .failure(
                ProtocolError(
                    .unsupportedVersion, "no common protocol version (this node speaks \(ServerProtocolState.supportedVersions))",
                    requestID: requestID))
        }
        phase = .ready
        return .success(version)
    }

    public mutating func close() { phase = .closed }

    /// After HELLO from a configured peer node.
    public mutating func becomePeerLink() {
        guard phase == .ready else { return }
        isPeerLink = true
    }
}
