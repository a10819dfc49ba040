import Foundation
import Testing
@testable import ILONet

/// The wire protocol against a real node: limits, errors, and that one bad peer
/// does not disturb the others.
@Suite(.serialized) struct ProtocolTests {
    @Test func frameOverTheLimitClosesOnlyThatConnection() throws {
        let daemon = try Daemon(extraConfig: "limits.max-frame-bytes 65536")
        try daemon.start()
        let bystander = try daemon.client("officer-it")
        let offender = try daemon.client("officer-de")
        // Announce a 10 MiB frame; the node must refuse on the length alone.
        try offender.sendRaw([0x00, 0xA0, 0x00, 0x00, MessageType.publish.rawValue, 0, 0, 0, 0, 7])
        let answer = try Message(frame: offender.receiveFrame())
        #expect(answer.type == .error)
        #expect(ProtocolError(message: answer).code == .frameTooLarge)
        #expect(throws: ClientError.self) { try offender.receiveFrame() }  // then closed
        // The other connection is untouched.
        #expect(try bystander.request(.ping).type == .pong)
        #expect(waitFor { daemon.log.contains("frame-too-large") })
    }

    /// Issue 32: the node's TLS reads ahead, taking all the socket holds in one
    /// call. Publishes pipelined in one write, far past the in-flight limit, are
    /// all answered: reading pauses at the limit with records already taken from
    /// the socket (epoll will not report them again) and resumes with them.
    @Test func publishesPipelinedPastTheInFlightLimitAreAllAnswered() throws {
        let daemon = try Daemon(extraConfig: "limits.max-inflight-per-connection 2")
        try daemon.start()
        let officer = try daemon.client("officer-de")
        let count: UInt32 = 60
        var burst: [UInt8] = []
        for id in 1...count {
            let body = JSONValue.object(["report": sampleReport()]).encoded()
            burst += Frame(type: MessageType.publish.rawValue, requestID: id, payload: body).encoded()
        }
        try officer.sendRaw(burst)
        var accepted = Set<UInt32>()
        for _ in 0..<count {
            let frame = try officer.receiveFrame()
            if frame.type == MessageType.accepted.rawValue { accepted.insert(frame.requestID) }
        }
        #expect(accepted == Set(1...count))
        #expect(try officer.request(.ping).type == .pong)
    }

    @Test func messagesBeforeHelloAreRefused() throws {
        let daemon = try Daemon()
        try daemon.start()
        // ClientConnection says HELLO itself; speak raw TLS through a second HELLO instead.
        let client = try daemon.client("officer-de")
        let refusal = refusalOf { try client.request(.hello, ["protocol": "ilonet", "versions": [1]]) }
        #expect(refusal?.code == .unexpectedMessage)
    }

    @Test func invalidReportGetsATypedErrorAndTheConnectionKeepsServing() throws {
        let daemon = try Daemon()
        try daemon.start()
        let client = try daemon.client("officer-de")
        let report = sampleReport(country: "LIBYA")
        let refusal = refusalOf { try client.request(.publish, ["report": report]) }
        #expect(refusal?.code == .invalidReport)
        #expect(refusal?.field == "country")
        #expect(refusal?.message.contains("not an ISO 3166-1 alpha-2 code") == true)
        // Same connection, next request works.
        let accepted = try client.request(.publish, ["report": sampleReport()])
        #expect(accepted.type == .accepted)
    }

    @Test func malformedPayloadIsABadMessageNotADisconnect() throws {
        let daemon = try Daemon()
        try daemon.start()
        let client = try daemon.client("officer-de")
        try client.send(Frame(type: MessageType.publish.rawValue, requestID: 9, payload: Array("{not json".utf8)))
        let answer = try Message(frame: client.receiveFrame())
        #expect(ProtocolError(message: answer).code == .badMessage)
        #expect(answer.requestID == 9)
        #expect(try client.request(.ping).type == .pong)
    }

    @Test func nonZeroFlagsBreakFramingAndClose() throws {
        let daemon = try Daemon()
        try daemon.start()
        let client = try daemon.client("officer-de")
        try client.sendRaw(Frame(type: MessageType.ping.rawValue, flags: 0x80, requestID: 1, payload: Array("{}".utf8)).encoded())
        let answer = try Message(frame: client.receiveFrame())
        #expect(ProtocolError(message: answer).code == .badFrame)
        #expect(throws: ClientError.self) { try client.receiveFrame() }
    }

    @Test func silentClientIsCutOffAfterTheHelloDeadline() throws {
        let daemon = try Daemon(extraConfig: "limits.hello-timeout 1s")
        try daemon.start()
        // Complete TLS but never say HELLO: openssl s_client with stdin held open.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["s_client", "-quiet", "-connect", "127.0.0.1:\(daemon.port)", "-CAfile", daemon.pki.ca,
                             "-cert", daemon.pki.path("officer-de.crt"), "-key", daemon.pki.path("officer-de.key")]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        #expect(waitFor(8) { daemon.log.contains("no HELLO within") }, "\(daemon.log)")
    }

    /// Issue 27, item 21: the error conventions docs/PROTOCOL.md §4 states.
    @Test func requestFieldsAreNamedAndWholeNumbersReadAsIntegers() throws {
        let daemon = try Daemon()
        try daemon.start()
        let officer = try daemon.client("officer-de")
        let notAReport = refusalOf { try officer.request(.publish, ["report": "x"]) }
        #expect(notAReport?.code == .badMessage && notAReport?.field == "report", "\(String(describing: notAReport))")
        let dpo = try daemon.client("dpo")
        let event = refusalOf { try dpo.request(.audit, ["event": 7]) }
        #expect(event?.code == .badMessage && event?.field == "event", "\(String(describing: event))")
        let admin = try daemon.client("admin")
        let route = refusalOf { try admin.request(.routeTest, [:]) }
        #expect(route?.code == .badMessage && route?.field == "country", "\(String(describing: route))")
        let onBehalf = refusalOf { try officer.request(.publish, ["report": sampleReport(["on_behalf_of": ["AT"]])]) }
        #expect(onBehalf?.field == "on_behalf_of[0]", "\(String(describing: onBehalf))")
        // 2.0 and 1.2e1 are the integers they equal, in messages and in reports; the stored report says 2.
        let whole = sampleReport(["accuracy": .number(2.0)])
        #expect(try officer.request(.publish, ["report": whole]).type == .accepted)
        #expect(daemon.query("SELECT json_extract(CAST(document AS TEXT), '$.accuracy') FROM reports WHERE id = '\(whole["id"]!.stringValue!)'") == "2")
        #expect(try officer.request(.sent, ["limit": .number(1.2e1)]).type == .sentList)
        let fraction = refusalOf { try officer.request(.publish, ["report": sampleReport(["accuracy": .number(2.5)])]) }
        #expect(fraction?.field == "accuracy", "\(String(describing: fraction))")

        // SENT pages with a cursor: `more` says what it says elsewhere.
        for i in 0..<79 { #expect(try officer.request(.publish, ["report": sampleReport(headline: "sent \(i)")]).type == .accepted) }
        var seen: [String] = []
        var cursor: JSONValue?
        repeat {
            var body: [String: JSONValue] = ["limit": 20]
            if let cursor { body["cursor"] = cursor }
            let page = try officer.request(.sent, .object(body))
            seen += (page.body["reports"]?.arrayValue ?? []).compactMap { $0["report"]?["id"]?.stringValue }
            cursor = page.body["more"] == .bool(true) ? page.body["cursor"] : nil
            #expect(page.body["more"] == .bool(seen.count < 80), "\(seen.count) listed, more: \(String(describing: page.body["more"]))")
        } while cursor != nil
        #expect(seen.count == 80 && Set(seen).count == 80)
    }

    @Test func publishIsRefusedForNodeRole() throws {
        let daemon = try Daemon()
        try daemon.start()
        // The hub's own certificate has role "node": nodes forward, they do not author.
        let client = try daemon.client("hub")
        let refusal = refusalOf { try client.request(.publish, ["report": sampleReport()]) }
        #expect(refusal?.code == .forbidden)
    }
}

/// The node's refusal of a request, or nil (recorded as a test issue) when the
/// request succeeded or failed some other way.
func refusalOf(_ body: () throws -> Message) -> ProtocolError? {
    do {
        let answer = try body()
        Issue.record("expected a refusal, got \(answer.type)")
    } catch {
        if case .refused(let refusal)? = error as? ClientError { return refusal }
        Issue.record("expected a refusal, got \(error)")
    }
    return nil
}
