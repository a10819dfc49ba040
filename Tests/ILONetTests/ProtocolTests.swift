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
