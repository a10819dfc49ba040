import ILONet

/// The officer's own reports and what became of each (`ilo sent`): from this
/// computer's outbox and from the node's SENT answer, with the signed notices
/// about each report attached to it. A notice changes a report's state only
/// when its signature verifies and a node signed it (`SignatureVerdict`).
public struct SentStory: Sendable {
    public struct Event: Sendable {
        /// UTC time, when known.
        public let at: String?
        public let what: String
    }

    public let id: String
    public var kind = "?"
    public var country = "?"
    public var headline = "?"
    public var created: String?
    public var events: [Event] = []
    /// The one line that says where the report is now.
    public var state = "?"

    public var json: JSONValue {
        [
            "id": .string(id), "kind": .string(kind), "country": .string(country), "headline": .string(headline),
            "created": created.map { .string($0) } ?? .null, "state": .string(state),
            "events": .array(events.map { ["at": $0.at.map { .string($0) } ?? .null, "what": .string($0.what)] }),
        ]
    }
}

public enum SentView {
    /// Stories for the outbox entries and the node's SENT entries, newest first.
    /// - Parameter requested: the one report asked about (`ilo sent ID`), if any.
    public static func stories(outbox: [Outbox.Entry], node: JSONValue?, verdict: SignatureVerdict, requested: String? = nil) -> [SentStory] {
        var byID: [String: SentStory] = [:]
        var order: [(String, String)] = []  // (id, sort key)
        var facts: [String: Facts] = [:]
        for entry in outbox {
            var story = SentStory(id: entry.id)
            story.kind = entry.kind
            story.country = entry.country
            story.headline = entry.headline
            let queued = Timestamp.format(milliseconds: entry.queuedMilliseconds)
            story.created = queued
            story.events.append(.init(at: queued, what: "signed and kept on this computer (the outbox)"))
            var fact = Facts()
            switch entry.state {
            case .queued:
                fact.queuedHere = "queued on this computer (\(entry.attempts) tr\(entry.attempts == 1 ? "y" : "ies")"
                    + (entry.lastError.map { "; last: \($0)" } ?? "") + "): ilo outbox flush"
            case .accepted:
                let node = entry.acceptedBy ?? "the node"
                story.events.append(.init(at: entry.acceptedMilliseconds.map { Timestamp.format(milliseconds: $0) }, what: "acknowledged by \(node)"))
                fact.acceptedBy = node
            case .refused:
                story.events.append(.init(at: nil, what: "refused for good by the node: \(entry.refusal ?? "?")"))
                fact.refused = entry.refusal ?? "?"
            }
            byID[entry.id] = story
            facts[entry.id] = fact
            order.append((entry.id, queued))
        }
        let nodeName = node?["node"]?.stringValue ?? "the node"
        for item in node?["reports"]?.arrayValue ?? [] {
            guard let report = item["report"], let id = report["id"]?.stringValue else { continue }
            var story = byID[id] ?? SentStory(id: id)
            story.kind = report["kind"]?.stringValue ?? story.kind
            story.country = report["country"]?.stringValue ?? story.country
            story.headline = report["headline"]?.stringValue ?? story.headline
            story.created = report["created"]?.stringValue ?? story.created
            var fact = facts[id] ?? Facts()
            let received = item["received"]?.stringValue
            story.events.append(.init(at: received, what: "accepted by \(nodeName)"))
            fact.heldAt = nodeName
            for hop in item["hops"]?.arrayValue ?? [] {
                let next = hop["node"]?.stringValue ?? "?"
                switch hop["state"]?.stringValue {
                case "forwarded":
                    story.events.append(.init(at: hop["at"]?.stringValue, what: "forwarded by \(nodeName) to \(next)"))
                    fact.forwardedTo.append(next)
                case "dead-lettered" where hop["reason"]?.stringValue == "expired":
                    story.events.append(.init(at: hop["at"]?.stringValue, what: "expired at \(nodeName) before \(next) took it"))
                    fact.expired = true
                case "dead-lettered":
                    let why = SentView.wording(hop["code"])
                    story.events.append(.init(at: hop["at"]?.stringValue, what: "not sent on from \(nodeName) to \(next): \(why)"))
                    fact.notDelivered = "not delivered: \(next) refused it (\(why))"
                default:
                    let error = hop["error"].map { "; last try: \(SentView.wording($0))" } ?? ""
                    story.events.append(.init(at: hop["since"]?.stringValue, what: "waiting at \(nodeName) for \(next) (\(hop["state"]?.stringValue ?? "queued")\(error))"))
                    fact.waitingFor.append(next)
                }
            }
            if let deleted = item["deleted"] {
                story.events.append(.init(at: deleted["at"]?.stringValue, what: "deleted from \(nodeName)'s queues by \(deleted["by"]?.stringValue ?? "?")"))
                fact.deleted = "deleted by an administrator at \(nodeName)"
            }
            if item["expired"] == .bool(true) { fact.expired = true }
            var ignored = 0
            for notice in item["notices"]?.arrayValue ?? [] {
                guard verdict.isTrustedNotice(notice) else {
                    ignored += 1
                    continue
                }
                let body = notice["body"] ?? .null
                // When the node wrote it (`since` is when the report began to wait there).
                let at = notice["created"]?.stringValue
                let where_ = body["node"]?.stringValue ?? "?"
                switch body["event"]?.stringValue {
                case "delivered":
                    story.events.append(.init(at: at, what: "delivered at \(where_) (signed receipt)"))
                    fact.deliveredAt.append(where_)
                case "expired":
                    story.events.append(.init(at: at, what: "expired at \(where_) waiting for \(body["next_hop"]?.stringValue ?? "?") (signed notice)"))
                    fact.expired = true
                case "deleted":
                    story.events.append(.init(at: at, what: "deleted at \(where_) by an administrator (signed notice)"))
                    fact.deleted = "deleted at \(where_) by an administrator"
                default:
                    let why = SentView.wording(body["code"])
                    story.events.append(.init(at: at, what: "not delivered: \(body["next_hop"]?.stringValue ?? "?") refused it at \(where_): \(why) (signed notice)"))
                    fact.notDelivered = "not delivered: refused at \(where_) (\(why))"
                }
            }
            if ignored > 0 { story.events.append(.init(at: nil, what: "\(ignored) notice(s) ignored: their signature did not verify against your CA")) }
            if byID[id] == nil { order.append((id, story.created ?? "")) }
            byID[id] = story
            facts[id] = fact
        }
        if let erased = node?["erased"], let id = requested {
            if byID[id] == nil {
                byID[id] = SentStory(id: id)
                order.append((id, ""))
            }
            byID[id]?.events.append(.init(at: erased["at"]?.stringValue, what: "erased at \(nodeName) (\(erased["reason"]?.stringValue ?? "?"))"))
            facts[id, default: Facts()].erased = true
        }
        return order.sorted { $0.1 > $1.1 }.compactMap { id, _ in
            guard var story = byID[id] else { return nil }
            story.events.sort { ($0.at ?? "") < ($1.at ?? "") }
            story.state = facts[id, default: Facts()].summary
            return story
        }
    }

    /// What is known of one report, for its one-line state.
    struct Facts {
        var queuedHere: String?
        var refused: String?
        var acceptedBy: String?
        var heldAt: String?
        var waitingFor: [String] = []
        var forwardedTo: [String] = []
        var deliveredAt: [String] = []
        var notDelivered: String?
        var deleted: String?
        var expired = false
        var erased = false

        var summary: String {
            if let refused { return "refused for good: \(refused)" }
            if let deleted { return deleted }
            if !deliveredAt.isEmpty { return "delivered at " + Set(deliveredAt).sorted().joined(separator: ", ") }
            if let notDelivered { return notDelivered }
            if expired { return "expired before it was delivered" }
            if erased { return "erased" }
            if !forwardedTo.isEmpty { return "forwarded to " + forwardedTo.joined(separator: ", ") }
            if let heldAt { return waitingFor.isEmpty ? "held at \(heldAt)" : "accepted by \(heldAt), waiting for " + waitingFor.joined(separator: ", ") }
            if let acceptedBy { return "acknowledged by \(acceptedBy)" }
            return queuedHere ?? "?"
        }
    }
}

extension SentView {
    /// This computer's words for the code a notice or dead letter carries
    /// (a notice carries no text of its own: docs/REPORTS.md §5.4).
    static func wording(_ code: JSONValue?) -> String {
        guard let text = code?.stringValue else { return "no reason given" }
        guard let known = ErrorCode(rawValue: text) else { return "an unknown reason" }
        return "\(known.noticeWording) (\(known.rawValue))"
    }
}
