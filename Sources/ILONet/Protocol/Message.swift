/// The message types of protocol v1 (docs/PROTOCOL.md §3).
public enum MessageType: UInt8, Sendable, CaseIterable {
    case hello = 0x01
    case welcome = 0x02
    case error = 0x03
    case ping = 0x04
    case pong = 0x05
    case bye = 0x06
    case ok = 0x07
    case publish = 0x10
    case accepted = 0x11
    case fetch = 0x20
    case batch = 0x21
    case confirm = 0x22
    case get = 0x23
    case report = 0x24
    case sent = 0x25
    case sentList = 0x26
    case directory = 0x27
    case directoryList = 0x28
    case activity = 0x29
    case activityCounts = 0x2A
    case search = 0x2B
    case searchResults = 0x2C
    case orders = 0x2D
    case orderList = 0x2E
    case forward = 0x30
    case interest = 0x31
    case queue = 0x40
    case queueState = 0x41
    case queueControl = 0x42
    case routeTest = 0x43
    case routes = 0x44
    case status = 0x45
    case nodeStatus = 0x46
    case audit = 0x47
    case auditRecords = 0x48
    case record = 0x49
    case processingRecord = 0x4A
    case subjectFind = 0x4B
    case subjectMatches = 0x4C
    case subscribe = 0x50
    case unsubscribe = 0x51
    case subscriptions = 0x52
    case subscriptionList = 0x53
    case watch = 0x54
    case deliver = 0x55
    case digestPreview = 0x56
    case digest = 0x57
    case mark = 0x58
    case upload = 0x60
    case uploadState = 0x61
    case chunk = 0x62
    case attachmentGet = 0x63
    case events = 0x70
    case eventList = 0x71
    case event = 0x72
    case eventView = 0x73
    case export = 0x74
    case exportRows = 0x75
}

/// A decoded message: its type, request id and JSON payload. Field access goes
/// through `require…`, which fails with the field's path.
public struct Message: Sendable, Equatable {
    public var type: MessageType
    public var requestID: UInt32
    public var body: JSONValue
    /// Raw bytes after the JSON (a CHUNK's piece of a file): frames with flag
    /// `Frame.dataFollows` (docs/PROTOCOL.md §2), so files are not base64-encoded.
    public var data: [UInt8] = []

    public init(_ type: MessageType, requestID: UInt32 = 0, _ body: JSONValue = .object([:]), data: [UInt8] = []) {
        self.type = type
        self.requestID = requestID
        self.body = body
        self.data = data
    }

    public init(frame: Frame) throws(ProtocolError) {
        guard let type = MessageType(rawValue: frame.type) else {
            throw ProtocolError(.unknownMessage, "unknown message type 0x\(String(frame.type, radix: 16))", requestID: frame.requestID)
        }
        let body: JSONValue
        var data: [UInt8] = []
        var json = frame.payload[...]
        if frame.flags & Frame.dataFollows != 0 {
            let p = frame.payload
            guard p.count >= 4 else {
                throw ProtocolError(.badMessage, "payload: a frame with data starts with the JSON's length (4 bytes)", requestID: frame.requestID)
            }
            let length = Int(p[0]) << 24 | Int(p[1]) << 16 | Int(p[2]) << 8 | Int(p[3])
            guard length <= p.count - 4 else {
                throw ProtocolError(.badMessage, "payload: the JSON's length \(length) exceeds the frame", requestID: frame.requestID)
            }
            json = p[4..<(4 + length)]
            data = Array(p[(4 + length)...])
        }
        do {
            body = try JSONValue(parsing: Array(json))
        } catch {
            throw ProtocolError(.badMessage, "payload: \(error)", requestID: frame.requestID)
        }
        guard case .object = body else {
            throw ProtocolError(.badMessage, "payload: expected a JSON object, found \(body.typeName)", requestID: frame.requestID)
        }
        self.init(type, requestID: frame.requestID, body, data: data)
    }

    public var frame: Frame {
        guard type == .chunk || !data.isEmpty else { return Frame(type: type.rawValue, requestID: requestID, payload: body.encoded()) }
        let json = body.encoded()
        var payload: [UInt8] = []
        payload.reserveCapacity(4 + json.count + data.count)
        payload.append(contentsOf: [UInt8(json.count >> 24 & 0xFF), UInt8(json.count >> 16 & 0xFF), UInt8(json.count >> 8 & 0xFF), UInt8(json.count & 0xFF)])
        payload.append(contentsOf: json)
        payload.append(contentsOf: data)
        return Frame(type: type.rawValue, flags: Frame.dataFollows, requestID: requestID, payload: payload)
    }

    /// A frame whose payload is `{"report":DOCUMENT}` plus `extra` members, with a
    /// stored report's canonical bytes spliced in as they are (no parse, no
    /// re-encoding). Keys stay in canonical order when `extra` keys sort before "report".
    public static func reportFrame(_ type: MessageType, requestID: UInt32, document: [UInt8], extra: [String: JSONValue] = [:]) -> Frame {
        var payload: [UInt8] = [UInt8(ascii: "{")]
        payload.reserveCapacity(document.count + 64)
        for key in extra.keys.sorted() {
            JSONValue.appendString(key, to: &payload)
            payload.append(UInt8(ascii: ":"))
            extra[key]!.append(to: &payload)
            payload.append(UInt8(ascii: ","))
        }
        payload.append(contentsOf: Array(#""report":"#.utf8))
        payload.append(contentsOf: document)
        payload.append(UInt8(ascii: "}"))
        return Frame(type: type.rawValue, requestID: requestID, payload: payload)
    }

    /// A BATCH frame, `{"more":…,"reports":[{"report":DOCUMENT,"seq":N},…]}`, with
    /// each stored report's canonical bytes spliced in as they are: an inbox
    /// read never builds the reports' JSON trees in memory.
    /// - Parameter read: each report's read flag (a mailbox listing), in the
    ///   order of `reports`; empty: not given (an inbox of unread reports).
    public static func batchFrame(requestID: UInt32, reports: [(seq: Int64, document: [UInt8])], more: Bool, read: [Bool] = []) -> Frame {
        var payload: [UInt8] = Array(#"{"more":"#.utf8)
        payload.reserveCapacity(reports.reduce(64) { $0 + $1.document.count + 40 })
        payload.append(contentsOf: Array((more ? "true" : "false").utf8))
        payload.append(contentsOf: Array(#","reports":["#.utf8))
        for (index, report) in reports.enumerated() {
            if index > 0 { payload.append(UInt8(ascii: ",")) }
            payload.append(contentsOf: Array(#"{"report":"#.utf8))
            payload.append(contentsOf: report.document)
            if index < read.count { payload.append(contentsOf: Array((read[index] ? #","read":true"# : #","read":false"#).utf8)) }
            payload.append(contentsOf: Array(#","seq":\#(report.seq)}"#.utf8))
        }
        payload.append(contentsOf: Array("]}".utf8))
        return Frame(type: MessageType.batch.rawValue, requestID: requestID, payload: payload)
    }

    // A request's own fields: every refusal names the field (docs/PROTOCOL.md §6).

    /// `ids`: a list of at most 1000 report ids (CONFIRM, MARK).
    public func reportIDs(_ field: String = "ids") throws(ProtocolError) -> [String] {
        guard case .array(let values) = try require(field) else {
            throw ProtocolError(.badMessage, "\(field): expected a list of report ids", field: field, requestID: requestID)
        }
        let ids = values.compactMap(\.stringValue)
        guard ids.count == values.count, ids.allSatisfy({ ReportID($0) != nil }), ids.count <= 1000 else {
            throw ProtocolError(.badMessage, "\(field): at most 1000 report ids", field: field, requestID: requestID)
        }
        return ids
    }

    public func require(_ field: String) throws(ProtocolError) -> JSONValue {
        guard let value = body[field] else { throw ProtocolError(.badMessage, "\(field): required field is missing", field: field, requestID: requestID) }
        return value
    }

    public func requireString(_ field: String) throws(ProtocolError) -> String {
        let value = try require(field)
        guard let s = value.stringValue else {
            throw ProtocolError(.badMessage, "\(field): expected a string, found \(value.typeName)", field: field, requestID: requestID)
        }
        return s
    }

    public func requireInteger(_ field: String) throws(ProtocolError) -> Int64 {
        let value = try require(field)
        guard let i = value.integerValue else {
            throw ProtocolError(.badMessage, "\(field): expected an integer, found \(value.typeName)", field: field, requestID: requestID)
        }
        return i
    }

    public func optionalInteger(_ field: String) throws(ProtocolError) -> Int64? {
        guard body[field] != nil else { return nil }
        return try requireInteger(field)
    }

    public func optionalString(_ field: String) throws(ProtocolError) -> String? {
        guard body[field] != nil else { return nil }
        return try requireString(field)
    }

    // MARK: Constructors for the messages a node sends

    public static func error(_ error: ProtocolError) -> Message {
        var body: [String: JSONValue] = ["code": .string(error.code.rawValue), "message": .string(error.message)]
        if let field = error.field { body["field"] = .string(field) }
        return Message(.error, requestID: error.requestID, .object(body))
    }
}
