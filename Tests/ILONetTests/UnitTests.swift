import Foundation
import Testing
@testable import ILONet
@testable import ILOClient

@Suite struct FrameDecoderTests {
    @Test func framesSplitAnywhereReassemble() throws {
        let frames = (0..<5).map { Frame(type: 0x10, requestID: UInt32($0), payload: Array("{\"n\":\($0)}".utf8)) }
        let bytes = frames.flatMap { $0.encoded() }
        for chunk in [1, 3, 7, 11, bytes.count] {
            var decoder = FrameDecoder(maximumFrameSize: 1024)
            var out: [Frame] = []
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + chunk)
                out += try bytes[offset..<end].withUnsafeBytes { try decoder.feed($0) }
                offset = end
            }
            #expect(out == frames)
            #expect(decoder.bufferedByteCount == 0)
        }
    }

    @Test func oversizedLengthIsRefusedFromTheHeaderAlone() {
        var decoder = FrameDecoder(maximumFrameSize: 1024)
        // Only the four length bytes: the decoder must refuse before the payload exists.
        #expect(throws: FrameError.tooLarge(announced: 0x7FFF_FFFF + 4, limit: 1024)) {
            try ([0x7F, 0xFF, 0xFF, 0xFF] as [UInt8]).withUnsafeBytes { try decoder.feed($0) }
        }
    }

    @Test func lengthShorterThanTheHeaderIsMalformed() {
        var decoder = FrameDecoder(maximumFrameSize: 1024)
        #expect(throws: FrameError.self) { try ([0, 0, 0, 2, 1, 0] as [UInt8]).withUnsafeBytes { try decoder.feed($0) } }
    }
}

@Suite struct ServerProtocolStateTests {
    @Test func onlyHelloIsAdmittedFirst() {
        let state = ServerProtocolState()
        #expect(state.admit(.hello, requestID: 1) == .handle)
        for type in MessageType.allCases where type != .hello {
            guard case .refuse(let error) = state.admit(type, requestID: 1) else {
                Issue.record("\(type) admitted before HELLO")
                continue
            }
            #expect(error.code == .unexpectedMessage)
            #expect(error.code.closesConnection)
        }
    }

    @Test func helloNegotiatesTheHighestCommonVersion() {
        var state = ServerProtocolState()
        #expect(state.hello(versions: [1, 7], requestID: 1) == .success(1))
        #expect(state.phase == .ready)
        #expect(state.admit(.publish, requestID: 2) == .handle)
        #expect(state.admit(.hello, requestID: 3) != .handle)
        #expect(state.admit(.accepted, requestID: 4) != .handle)
    }

    @Test func helloWithoutACommonVersionCloses() {
        var state = ServerProtocolState()
        guard case .failure(let error) = state.hello(versions: [2, 3], requestID: 1) else {
            Issue.record("accepted unknown versions")
            return
        }
        #expect(error.code == .unsupportedVersion)
        #expect(state.phase == .closed)
    }
}

/// Label values in the metrics' text format (docs/OPERATIONS.md): backslash,
/// double quote and line feed escaped, everything else as it is.
@Suite struct MetricsLabelTests {
    @Test func labelValuesAreEscapedAsTheTextFormatRequires() {
        #expect(NodeMetrics.escape("smuggling") == "smuggling")
        #expect(NodeMetrics.escape("Müller, Tunis") == "Müller, Tunis")
        #expect(NodeMetrics.escape(#"a\b"#) == #"a\\b"#)
        #expect(NodeMetrics.escape(#"say "hi""#) == #"say \"hi\""#)
        #expect(NodeMetrics.escape("one\ntwo") == #"one\ntwo"#)
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

@Suite struct ReportIDTests {
    @Test func idsAreUniqueTimeOrderedUUIDv7() {
        let ids = (0..<10_000).map { _ in ReportID.generate() }
        #expect(Set(ids).count == ids.count)
        #expect(ids == ids.sorted())
        #expect(ids.map(\.description) == ids.map(\.description).sorted())
        for id in ids.prefix(10) {
            #expect(ReportID(id.description) == id)
            #expect(Array(id.description.utf8)[14] == UInt8(ascii: "7"))
        }
        #expect(abs(Int64(ids[0].milliseconds) - Timestamp.nowMilliseconds()) < 5_000)
    }

    /// The text form written in place is the UUID's 8-4-4-4-12 lower-case hex,
    /// and reads back as the same id, whatever the digits.
    @Test func idsAreWrittenAndReadAsTheirHexDigits() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let high = (random.next() & ~(UInt64(0xF) << 12)) | (0x7 << 12), low = (random.next() >> 2) | (UInt64(0b10) << 62)
            let id = ReportID(high: high, low: low)
            let hex = String(high, radix: 16).leftPadded(16) + String(low, radix: 16).leftPadded(16)
            let expected = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
                .joined(separator: "-")
            #expect(id.description == expected)
            #expect(ReportID(expected) == id)
        }
        #expect(ReportID(high: 0x7000, low: 0x8000_0000_0000_0000).description == "00000000-0000-7000-8000-000000000000")
    }

    @Test(arguments: ["", "not-an-id", "01a203e3-9a9d-4569-96cb-d3307401edde", "01A203E3-9A9D-7569-96CB-D3307401EDDE"])
    func malformedIdsAreRefused(_ text: String) {
        #expect(ReportID(text) == nil)
    }
}

@Suite struct TimestampTests {
    /// The age `ilo outbox`, `ilo sent`, the inbox and the web view show.
    @Test func agesAreInTheLargestWholeUnit() {
        #expect([-5_000, 0, 59_999, 60_000, 3_599_999, 3_600_000, 86_399_999, 86_400_000, 40 * 86_400_000].map(Timestamp.age)
            == ["0s", "0s", "59s", "1m", "59m", "1h", "23h", "1d", "40d"])
    }

    @Test func roundTrips() {
        #expect(Timestamp.parse("2026-11-22T09:30:00Z") == 1_795_339_800_000)
        #expect(Timestamp.format(milliseconds: 1_795_339_800_120) == "2026-11-22T09:30:00.120Z")
        #expect(Timestamp.parse(Timestamp.format(milliseconds: 1_795_339_800_120)) == 1_795_339_800_120)
    }

    /// Every digit written in place, padded, before 1970 (a date of birth) and at the last instant.
    @Test func formatsPadEveryFieldAndClampAtTheLatest() {
        #expect(Timestamp.format(milliseconds: 0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(milliseconds: 1_000 * 3_661 + 7) == "1970-01-01T01:01:01.007Z")
        #expect(Timestamp.format(milliseconds: -1) == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp.format(milliseconds: -1_262_304_000_000) == "1930-01-01T00:00:00Z")
        #expect(Timestamp.format(milliseconds: Timestamp.latest) == "9999-12-31T23:59:59.999Z")
        #expect(Timestamp.format(milliseconds: .max) == "9999-12-31T23:59:59.999Z")
        // Log lines always carry three digits of milliseconds, so that they line up.
        #expect(Timestamp.format(milliseconds: 0, alwaysMilliseconds: true) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.format(milliseconds: 1_795_339_800_120, alwaysMilliseconds: true) == "2026-11-22T09:30:00.120Z")
        #expect(Timestamp.format(milliseconds: -62_200_000_000_000, alwaysMilliseconds: true).hasSuffix(".000Z"))
        #expect(Logger.timestamp().utf8.count == 24)
    }

    @Test(arguments: ["2026-02-30T00:00:00Z", "2026-11-22 09:30:00Z", "2026-11-22T09:30:00+01:00", "2026-11-22T24:00:00Z"])
    func invalidTimesAreRefused(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}

@Suite struct ReportValidationTests {
    let sender = Origin(officer: "officer.de.mueller", authority: "DE-BPOL", state: "DE")

    @Test func originComesFromTheSender() throws {
        let report = try Report.validate(sampleReport(), sender: sender)
        #expect(report.origin == sender)
        #expect(report.document["origin"]?["officer"] == "officer.de.mueller")
    }

    @Test func aClaimedOriginOtherThanTheSenderIsRefused() {
        guard case .object(var fields) = sampleReport() else { return }
        fields["origin"] = ["officer": "officer.it.rossi", "authority": "IT-PS", "state": "IT"]
        #expect(throws: ReportValidationError(field: "origin", "does not match the sender's certificate; leave it out and the node fills it in")) {
            try Report.validate(.object(fields), sender: sender)
        }
    }

    @Test func unknownFieldsAreErrorsNotDropped() {
        guard case .object(var fields) = sampleReport() else { return }
        fields["headlne"] = "typo"
        #expect(throws: ReportValidationError(field: "headlne", "unknown field; did you mean \"headline\"?")) { try Report.validate(.object(fields), sender: sender) }
    }
}

@Suite struct ArgumentsTests {
    @Test func optionsFlagsAndPositionals() throws {
        var arguments = Arguments(["send", "--kind", "border", "--json", "--country=LY", "extra"])
        #expect(arguments.positional() == "send")
        #expect(try arguments.option("kind") == "border")
        #expect(try arguments.option("country") == "LY")
        let json = arguments.flag("json")
        #expect(json)
        #expect(arguments.positional() == "extra")
        try arguments.finish()
    }

    @Test func leftoversAreErrors() throws {
        var arguments = Arguments(["--kind", "border", "--knid", "x"])
        _ = try arguments.option("kind")
        #expect(throws: UsageError("unknown option --knid")) { try arguments.finish() }
        var missing = Arguments(["--kind"])
        #expect(throws: UsageError("--kind needs a value")) { try missing.option("kind") }
    }

    @Test func profilePrecedenceIsFlagsThenEnvironmentThenFile() throws {
        let directory = TestEnvironment.runDirectory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/profiles-\(UUID().uuidString.prefix(8)).conf"
        try "[default]\nnode 10.9.9.9:1\ncert c.crt\nkey k.key\nca ca.crt\n".write(toFile: path, atomically: true, encoding: .utf8)
        var arguments = Arguments(["--key", "/flag.key"])
        let options = try ClientProfile.resolve(&arguments, environment: ["ILO_PROFILES": path, "ILO_NODE": "127.0.0.1:7443"])
        #expect(options.node == Endpoint(host: "127.0.0.1", port: 7443))
        #expect(options.privateKeyPath == "/flag.key")
        #expect(options.certificatePath == directory + "/c.crt")
    }
}

@Suite struct ConfigFileTests {
    @Test func commentsQuotesAndSections() {
        let file = ConfigFile.parse("# c\nkey  \"a # b\"  # trailing\n[lagos]\nnode x:1\nbad\n", path: "t.conf")
        #expect(file.entries.map(\.value) == ["a # b", "x:1"])
        #expect(file.entries.last?.section == "lagos")
        #expect(file.syntaxErrors == [ConfigError(file: "t.conf", line: 5, "\"bad\" needs a value")])
    }

    @Test func durations() {
        #expect(ConfigFile.parseDuration("500ms") == 0.5)
        #expect(ConfigFile.parseDuration("10m") == 600)
        #expect(ConfigFile.parseDuration("ten") == nil)
    }
}

/// The tests' own ports (`TestPorts`): each handed out once, none where the
/// kernel picks ports for `listen …:0` or outgoing connections.
@Suite struct TestPortsTests {
    @Test func portsAreHandedOutOnceAndLieBelowTheKernelsEphemeralRange() throws {
        let text = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        let bounds = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(bounds.count == 2)
        #expect(TestPorts.range.upperBound <= bounds[0], "ephemeral ports begin at \(bounds[0]): the tests' nodes could share a port the kernel hands out")
        let ports = (0..<200).map { _ in Int(TestPorts.one()) }
        #expect(Set(ports).count == ports.count)
        #expect(ports.allSatisfy(TestPorts.range.contains))
        let base = TestPorts.block(size: 50)
        #expect(ports.allSatisfy { !((base + 1)...(base + 50)).contains($0) })
    }
}
