import Foundation
import Testing
@testable import ILONet
@testable import ILONetBench

@Suite struct LatencyHistogramTests {
    @Test func percentilesAreWithinTheBucketPrecision() {
        var histogram = LatencyHistogram()
        for us in 1...10_000 { histogram.record(microseconds: UInt64(us)) }
        #expect(histogram.count == 10_000)
        for (fraction, exact) in [(0.5, 5000.0), (0.9, 9000.0), (0.99, 9900.0), (0.999, 9990.0)] {
            let reported = Double(histogram.percentile(fraction))
            #expect(reported >= exact && reported <= exact * 1.02, "p\(fraction): \(reported) vs \(exact)")
        }
        #expect(histogram.percentile(1) == 10_000)
        #expect(histogram.maximum == 10_000)
    }

    @Test func mergingAddsCounts() {
        var a = LatencyHistogram(), b = LatencyHistogram()
        for _ in 0..<90 { a.record(microseconds: 100) }
        for _ in 0..<10 { b.record(microseconds: 50_000) }
        a.merge(b)
        #expect(a.count == 100)
        #expect(a.percentile(0.5) <= 101)
        #expect(a.percentile(0.95) >= 50_000)
    }
}

@Suite struct MQTTCodecTests {
    @Test func packetsRoundTripThroughTheDecoder() {
        var decoder = MQTTCodec.Decoder()
        let payload = [UInt8](repeating: 7, count: 300)  // a remaining length over 127 takes two bytes
        let bytes = MQTTCodec.publish(topic: "smuggling/LY/land", packetID: 513, payload: payload) + MQTTCodec.puback(513) + MQTTCodec.pingreq
        var packets: [MQTTCodec.Packet] = []
        for chunk in stride(from: 0, to: bytes.count, by: 7) {
            packets += bytes[chunk..<min(bytes.count, chunk + 7)].withUnsafeBytes { decoder.feed($0) }
        }
        #expect(packets.map(\.type) == [.publish, .puback, .pingreq])
        #expect(packets[0].flags == 0x02)  // QoS 1
        #expect(packets[0].body.count == 2 + 17 + 2 + 300)
        #expect(packets[1].body == [2, 1])
    }

    @Test func connectFollowsMQTT311() {
        let connect = MQTTCodec.connect(clientID: "sub-0", cleanSession: false)
        #expect(connect[0] == 0x10)
        #expect(Array(connect[2..<10]) == [0, 4] + Array("MQTT".utf8) + [4, 0])  // protocol name, level 4, no clean session
    }
}

@Suite struct NATSCodecTests {
    /// The server's operations, cut at every 5 bytes: a publish acknowledgement,
    /// a consumer's delivery with its ack subject, a status-only HMSG (no
    /// responders), PING and an error.
    @Test func operationsAreCutFromTheStream() {
        let delivery = [UInt8](repeating: 7, count: 300)
        let ack = #"{"stream":"ILONET_BENCH","seq":12}"#
        var bytes = Array("INFO {}\r\nMSG _INBOX.p.11 1 \(ack.utf8.count)\r\n\(ack)\r\n".utf8)
        bytes += Array("MSG smuggling.LY.land 2 $JS.ACK.ILONET_BENCH.c.1.12.12.1.0 300\r\n".utf8) + delivery + [13, 10]
        bytes += Array("HMSG _INBOX.p.13 1 16 16\r\nNATS/1.0 503\r\n\r\n\r\nPING\r\n-ERR 'Authorization Violation'\r\n".utf8)
        var decoder = NATSCodec.Decoder()
        var operations: [NATSCodec.Operation] = []
        for chunk in stride(from: 0, to: bytes.count, by: 5) {
            operations += bytes[chunk..<min(bytes.count, chunk + 5)].withUnsafeBytes { decoder.feed($0) }
        }
        #expect(operations.count == 6)
        guard operations.count == 6 else { return }
        if case .info = operations[0] {} else { Issue.record("expected INFO, got \(operations[0])") }
        if case .message(let subject, let reply, let payload) = operations[1] {
            #expect(subject == "_INBOX.p.11" && reply == nil && payload == Array(ack.utf8))
        } else { Issue.record("expected MSG, got \(operations[1])") }
        if case .message(let subject, let reply, let payload) = operations[2] {
            #expect(subject == "smuggling.LY.land" && reply == "$JS.ACK.ILONET_BENCH.c.1.12.12.1.0" && payload == delivery)
        } else { Issue.record("expected MSG, got \(operations[2])") }
        if case .message(_, _, let payload) = operations[3] { #expect(payload.isEmpty) } else { Issue.record("expected HMSG, got \(operations[3])") }
        if case .ping = operations[4] {} else { Issue.record("expected PING, got \(operations[4])") }
        if case .error(let text) = operations[5] { #expect(text == "'Authorization Violation'") } else { Issue.record("expected -ERR") }
    }

    @Test func aPublicationCarriesItsReplySubjectAndLength() {
        #expect(NATSCodec.publish("smuggling.LY.land", reply: "_INBOX.p.11", payload: Array("abc".utf8)) == Array("PUB smuggling.LY.land _INBOX.p.11 3\r\nabc\r\n".utf8))
        #expect(NATSCodec.publish("$JS.ACK.x", reply: nil, payload: []) == Array("PUB $JS.ACK.x 0\r\n\r\n".utf8))
    }
}

@Suite struct BenchTargetTests {
    /// The load generator lives in its own target (ILONetBench), which `ilo`
    /// links for `ilo bench` and `ilod` does not (issue 20).
    @Test func theNodeLinksNoBenchmarkCode() throws {
        let marker = Data("ILONetBench".utf8)
        let ilod = try Data(contentsOf: URL(fileURLWithPath: TestEnvironment.ilod))
        let ilo = try Data(contentsOf: URL(fileURLWithPath: TestEnvironment.ilo))
        #expect(ilod.range(of: marker) == nil, "ilod contains symbols of the ILONetBench module")
        #expect(ilo.range(of: marker) != nil, "ilo should link ILONetBench for `ilo bench`")
    }
}
