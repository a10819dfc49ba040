import Foundation
import Testing
@testable import ILONet
@testable import ILOClient

/// Attachments (issue 30, docs/REPORTS.md §1.1): files that go up in chunks
/// before their report, are checked at every node, travel with it along its
/// route, are read under its disclosure decision and erased with it. Real
/// nodes of the example network, real TLS, real SQLite files.
@Suite(.serialized) struct AttachmentTransferTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/attachments").path

    func ilo(_ node: Daemon, _ identity: String, _ arguments: [String], port: UInt16? = nil) -> (status: Int32, output: String, stdout: String, stderr: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = node.directory + "/state-\(identity)"
        var connection = node.iloArguments(identity)
        if let port { connection[1] = "127.0.0.1:\(port)" }
        return run(TestEnvironment.ilo, arguments + connection, environment: environment)
    }

    func fixture(_ name: String) -> String { AttachmentTransferTests.fixtures + "/" + name }

    func write(_ report: JSONValue, in directory: String) -> String {
        let file = directory + "/report-\(UUID().uuidString.prefix(8)).json"
        try? report.encodedString().write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func identificationReport() -> JSONValue {
        let eraseBy = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 30 * 86_400_000).prefix(10))
        return sampleReport(
            ["personal_data": "return-identification", "addressees": ["authority:DE-BPOL"], "erase_by": .string(eraseBy),
             "headline": "Identification: travel document of a returnee"],
            kind: "return")
    }

    @Test func aPhotoWithItsGPSPositionArrivesWithoutItsMetadataAndVerifiedAtTheReader() throws {
        let network = try TestNetwork()
        HomeNodeTests().register(network)
        let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixture("gps.jpg"))))
        #expect(try !ImageMetadata.find(original).isEmpty, "the fixture carries EXIF with a GPS position")
        let file = write(identificationReport(), in: network.post.directory)
        let sent = ilo(network.post, "officer-de", ["send", "--file", file, "--attach", fixture("gps.jpg"), "--caption", "bio-data page"])
        #expect(sent.status == 0, "\(sent.output)\n\((try? String(contentsOfFile: network.post.logPath, encoding: .utf8)) ?? "")")
        #expect(sent.stderr.contains("removed the image's metadata"), "\(sent.stderr)")
        let id = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(waitFor(20) { network.authority.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 1 }, "the report reaches Germany's authority node")
        for node in [network.post, network.regional, network.authority] {
            #expect(node.count("SELECT count(*) FROM attachment_files WHERE report_id = '\(id)' AND checked = 1 AND problem IS NULL AND received = bytes") == 1)
        }
        // Schmidt downloads it with a reason: the bytes are the stripped ones, with the signed hash.
        let output = network.authority.directory + "/downloaded.jpg"
        let refused = ilo(network.authority, "authority-de-user", ["attachment", "get", id, "1", "-o", output])
        #expect(refused.status == 1 && refused.stderr.contains("--reason"), "\(refused.output)")
        let got = ilo(network.authority, "authority-de-user", ["attachment", "get", id, "1", "-o", output, "--reason", "identification with the embassy"])
        #expect(got.status == 0 && got.stderr.contains("SHA-256 verified"), "\(got.output)")
        let downloaded = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))
        #expect(downloaded == (try ImageMetadata.strip(original)))
        #expect(try ImageMetadata.find(downloaded).isEmpty, "no EXIF, no GPS position")
        #expect(!downloaded.isEmpty && downloaded.count < original.count)
        let shown = ilo(network.authority, "authority-de-user", ["show", id, "--reason", "identification with the embassy"])
        #expect(shown.stdout.contains("image/jpeg") && shown.stdout.contains("bio-data page") && shown.stdout.contains("personal data"), "\(shown.output)")
        #expect(network.authority.count("SELECT count(*) FROM audit WHERE report_id = '\(id)' AND event = 'read' AND detail = 'attachment 1; reason: identification with the embassy'") == 1)
    }
}
