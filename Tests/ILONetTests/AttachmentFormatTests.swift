import Foundation
import Testing
@testable import ILONet
import ILONetBench

/// The file checks behind attachments (issue 30): the bounded inflate that
/// looks inside PDFs. Vectors made with Python's zlib (Fixtures/attachments/).
@Suite struct InflateTests {
    static let directory = TestEnvironment.repository.path + "/Tests/ILONetTests/Fixtures/attachments/"

    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try #require(FileManager.default.contents(atPath: InflateTests.directory + name))) }

    func expected(_ name: String) throws -> (hash: String, count: Int) {
        let parts = try String(contentsOfFile: InflateTests.directory + name, encoding: .utf8).split(separator: " ")
        return (String(parts[0]), Int(parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
    }

    @Test(arguments: [("text-level0.zlib", "text-level0.sha256"), ("text-level1.zlib", "text.sha256"), ("text-level6.zlib", "text.sha256"),
                      ("text-level9.zlib", "text.sha256"), ("random.zlib", "random.sha256")])
    func inflatesWhatZlibWrote(_ file: String, _ digest: String) throws {
        let out = try Inflate.zlib(try bytes(file), limit: 1 << 22)
        let want = try expected(digest)
        #expect(out.count == want.count && sha256(out).hexString == want.hash)
    }

    @Test func aBombIsRefusedAtItsBound() throws {
        let bomb = try bytes("bomb.zlib")  // 64 MiB of zeros in 64 KB
        #expect(throws: Inflate.Failure.tooLarge(limit: 1 << 20)) { try Inflate.zlib(bomb, limit: 1 << 20) }
    }

    @Test func damagedDataIsAnErrorNeverACrash() throws {
        let good = try bytes("text-level6.zlib")
        #expect(throws: Inflate.Failure.self) { try Inflate.zlib(Array(good.prefix(good.count / 2)), limit: 1 << 22) }
        var flipped = good
        flipped[good.count / 3] ^= 0x5A
        #expect(throws: Inflate.Failure.self) { try Inflate.zlib(flipped, limit: 1 << 22) }
        #expect(throws: Inflate.Failure.self) { try Inflate.zlib([0x78], limit: 10) }
        #expect(throws: Inflate.Failure.self) { try Inflate.raw([0x07], limit: 10) }  // block type 3
        // Random bytes: whatever they decode to, never more than the bound and never a trap.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let noise = (0..<Int.random(in: 1...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if let out = try? Inflate.raw(noise, limit: 4096) { #expect(out.count <= 4096) }
        }
    }
}

/// Image metadata stripped at the level of segments and chunks, pixels untouched (issue 30).
@Suite struct ImageMetadataTests {
    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try #require(FileManager.default.contents(atPath: InflateTests.directory + name))) }

    func contains(_ bytes: [UInt8], _ text: String) -> Bool { Data(bytes).range(of: Data(text.utf8)) != nil }

    @Test func aJPEGLosesItsEXIFXMPIPTCAndCommentsAndKeepsEverythingElse() throws {
        let gps = try bytes("gps.jpg")
        #expect(AttachmentType.sniff(gps) == .jpeg)
        #expect(try ImageMetadata.find(gps) == ["EXIF (APP1)", "comment (COM)", "XMP (APP1)", "IPTC (APP13)"])
        #expect(contains(gps, "OWNER-MARKER-4711"))
        let stripped = try ImageMetadata.strip(gps)
        #expect(!contains(stripped, "OWNER-MARKER-4711") && !contains(stripped, "Exif"))
        // What is left is the image as it was before its metadata was added, byte for byte.
        #expect(stripped == (try bytes("plain.jpg")))
        #expect(try ImageMetadata.find(stripped).isEmpty)
        #expect(try ImageMetadata.strip(stripped) == stripped, "stripping twice changes nothing")
    }

    @Test func aPNGLosesItsTextEXIFAndTimeChunks() throws {
        let meta = try bytes("meta.png")
        #expect(AttachmentType.sniff(meta) == .png)
        #expect(try ImageMetadata.find(meta) == ["tEXt", "eXIf", "tIME"])
        let stripped = try ImageMetadata.strip(meta)
        #expect(stripped == (try bytes("plain.png")) && !contains(stripped, "OWNER-MARKER-4711"))
    }

    @Test func damagedImagesAreRefusedWithWhy() throws {
        let jpeg = try bytes("plain.jpg")
        #expect(throws: ImageMetadata.Failure.self) { try ImageMetadata.strip(Array(jpeg.prefix(30))) }
        let png = try bytes("plain.png")
        #expect(throws: ImageMetadata.Failure.self) { try ImageMetadata.strip(Array(png.prefix(40))) }
        // Data hidden after the end of the image is metadata too, and goes.
        #expect(try ImageMetadata.find(jpeg + Array("OWNER-MARKER-4711".utf8)) == ["data after the end of the image"])
        #expect(try ImageMetadata.strip(png + [1, 2, 3]) == png)
        #expect(AttachmentType.sniff(Array("GIF89a".utf8)) == nil)
    }
}

/// PDFs: active content refused, in plain and compressed objects, a bomb at its bound (issue 30).
@Suite struct PDFInspectionTests {
    func inspect(_ name: String, bound: Int = PDFInspection.defaultInflateBound) throws -> [PDFInspection.Finding] {
        try PDFInspection.inspect([UInt8](try #require(FileManager.default.contents(atPath: InflateTests.directory + name))), inflateBound: bound)
    }

    @Test func aCleanPDFPasses() throws {
        #expect(try inspect("clean.pdf").isEmpty)
    }

    @Test(arguments: ["js-plain.pdf", "js-escaped.pdf", "js-objstm.pdf"])
    func javaScriptIsRefusedWhereverItIs(_ file: String) throws {
        let findings = try inspect(file)
        #expect(findings.contains { $0.refused && $0.name == "JavaScript" }, "\(findings)")
    }

    @Test func aBombIsRefusedWithinItsBound() throws {
        #expect(throws: PDFInspection.Failure.inflate(.tooLarge(limit: 8 << 20))) { try inspect("bomb.pdf", bound: 8 << 20) }
    }

    @Test func anAuthorIsAWarningNotARefusal() throws {
        let findings = try inspect("author.pdf")
        #expect(findings.map(\.name) == ["Author", "Creator"] && findings.allSatisfy { !$0.refused }, "\(findings)")
        #expect(findings.allSatisfy { !$0.message.contains("Jane Roe") }, "the warning names the field, never its value")
    }
}

/// The link emulator bench/link.sh puts between ilo and a node (issue 30):
/// TLS passes through it intact, a cut closes what is open and refuses new
/// connections while it lasts. Its pacing is measured by the benchmark, not here.
@Suite(.serialized) struct LinkEmulatorTests {
    @Test func tlsPassesThroughAndACutRefusesConnectionsWhileItLasts() throws {
        let daemon = try Daemon()
        try daemon.start()
        let profile = LinkEmulator.Profile(upBitsPerSecond: 2_000_000, downBitsPerSecond: 2_000_000, roundTrip: 0.02)
        let link = try LinkEmulator(to: daemon.port, profile: profile)
        defer { link.stop() }
        func ping() -> Int32 {
            var arguments = daemon.iloArguments("officer-de")
            if let index = arguments.firstIndex(of: "--node") { arguments[index + 1] = "127.0.0.1:\(link.port)" }
            return run(TestEnvironment.ilo, ["ping"] + arguments + ["--server-name", "hub.ilonet.example"]).status
        }
        #expect(ping() == 0)
        #expect(link.counters.withLock { $0.bytesUp > 0 && $0.bytesDown > 0 })
        link.cut(for: 3)
        #expect(ping() == 3, "unreachable while the link is cut (exit 3: try again later)")
        #expect(waitFor(10) { ping() == 0 }, "back after the cut")
    }
}

/// A request sent with HELLO, before WELCOME (docs/PROTOCOL.md §5): handled in order.
@Suite struct PipeliningTests {
    @Test func aPublishSentWithHelloIsAnsweredAfterWelcome() throws {
        let daemon = try Daemon()
        try daemon.start()
        let report = sampleReport(["headline": "Pipelined after HELLO"])
        let client = try ClientConnection(daemon.pki.clientOptions("officer-de", port: daemon.port), pipelining: (.publish, ["report": report]))
        #expect(client.welcome.type == .welcome)
        let answer = try #require(try client.pipelinedAnswer())
        #expect(answer.type == .accepted && answer.body["id"] == report["id"], "\(answer)")
        #expect(try client.pipelinedAnswer() == nil, "one answer, once")
        #expect(try client.request(.ping).type == .pong, "the connection goes on as usual")
        #expect(daemon.count("SELECT count(*) FROM reports WHERE headline = 'Pipelined after HELLO'") == 1)
    }
}
