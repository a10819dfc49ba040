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
        // The statistics count the file, and never hold it.
        #expect(network.authority.count("SELECT sum(attachments) FROM statistics WHERE kind = 'return'") == 1)
    }

    /// A report without personal data, for files that show no one.
    func borderReport(_ headline: String) -> JSONValue { sampleReport(["headline": .string(headline)]) }

    @Test func personalFilesInAReportWithoutPersonalDataAndActivePDFsAreRefused() throws {
        // The envelope rule, as every node applies it.
        var document = borderReport("Boat photographed at the beach")
        if case .object(var fields) = document {
            fields["attachments"] = [["sha256": .string(String(repeating: "ab", count: 32)), "media_type": "image/jpeg", "bytes": 1000, "personal_data": true]]
            document = .object(fields)
        }
        do throws(ReportValidationError) {
            _ = try Report.validate(document, sender: Origin(officer: "officer.de.mueller", authority: "DE-BPOL", state: "DE"))
            Issue.record("a personal file in a report without personal data was taken")
        } catch {
            #expect(error.issues.contains { $0.field == "attachments[0].personal_data" }, "\(error.issues)")
        }
        let network = try TestNetwork()
        let file = write(borderReport("Boat photographed at the beach"), in: network.post.directory)
        // ilo asks; a script confirms, or is told how.
        let unconfirmed = ilo(network.post, "officer-de", ["send", "--file", file, "--attach", fixture("plain.jpg")])
        #expect(unconfirmed.status == 2 && unconfirmed.stderr.contains("--confirm-no-personal-data"), "\(unconfirmed.output)")
        for pdf in ["js-plain.pdf", "js-objstm.pdf", "bomb.pdf"] {
            let refused = ilo(network.post, "officer-de", ["send", "--file", file, "--attach", fixture(pdf), "--confirm-no-personal-data"])
            #expect(refused.status == 2 && refused.stderr.contains("--attach"), "\(pdf): \(refused.output)")
        }
        // A client that skips ilo's checks meets the node's: the PDF is refused at PUBLISH.
        let client = try ClientConnection(TestEnvironment.pki.clientOptions("officer-de", port: network.post.port))
        for (pdf, why) in [("js-plain.pdf", "JavaScript"), ("js-objstm.pdf", "JavaScript"), ("bomb.pdf", "could not be checked")] {
            let content = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixture(pdf))))
            var report = borderReport("PDF \(pdf)")
            let id = report["id"]?.stringValue ?? ""
            if case .object(var fields) = report {
                fields["attachments"] = [["sha256": .string(sha256(content).hexString), "media_type": "application/pdf", "bytes": .integer(Int64(content.count)), "personal_data": false]]
                report = .object(fields)
            }
            let state = try client.request(
                .upload, ["report": .string(id), "attachment": 1, "sha256": .string(sha256(content).hexString), "media_type": "application/pdf", "bytes": .integer(Int64(content.count))])
            #expect(state.body["offset"] == .integer(0))
            var offset = 0
            while offset < content.count {
                let end = min(content.count, offset + 65536)
                let answer = try client.request(.chunk, ["report": .string(id), "attachment": 1, "offset": .integer(Int64(offset))], data: Array(content[offset..<end]))
                #expect(answer.body["offset"] == .integer(Int64(end)))
                offset = end
            }
            do throws(ClientError) {
                _ = try client.request(.publish, ["report": report])
                Issue.record("\(pdf) was taken")
            } catch .refused(let refusal) {
                #expect(refusal.code == .invalidReport && refusal.field == "attachments[0]" && refusal.message.contains(why), "\(pdf): \(refusal)")
            } catch {
                Issue.record("\(error)")
            }
            #expect(network.post.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 0)
        }
        // A report whose file never came is not taken either, and says what to do.
        var missing = borderReport("File never uploaded")
        if case .object(var fields) = missing {
            fields["attachments"] = [["sha256": .string(String(repeating: "cd", count: 32)), "media_type": "image/png", "bytes": 100, "personal_data": false]]
            missing = .object(fields)
        }
        do throws(ClientError) {
            _ = try client.request(.publish, ["report": missing])
            Issue.record("a report without its file was taken")
        } catch .refused(let refusal) {
            #expect(refusal.code == .attachmentMissing && refusal.message.contains("upload it"), "\(refusal)")
        } catch {
            Issue.record("\(error)")
        }
        client.close()
    }

    @Test func aMarkerInAnImageIsInNoStoreFileAfterErasureAndARelayThatMayNotHoldPersonalDataGetsNoChunk() throws {
        // Personal data may be held at Germany's node only: not at the regional hub on the way.
        let rules = TestEnvironment.runDirectory + "/attachments-\(UUID().uuidString.prefix(8)).rules"
        try (AccessRules.defaultText + "\nallow hold-personal node=authority-de.ilonet.example\n").write(toFile: rules, atomically: true, encoding: .utf8)
        let network = try TestNetwork(allConfig: "access \(rules)")
        HomeNodeTests().register(network)
        // A marker inside the picture's scan data: no metadata, so stripping keeps it.
        let marker = "ERASE-ME-\(UUID().uuidString.prefix(8))"
        var jpeg = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixture("plain.jpg"))))
        #expect(jpeg.suffix(2) == [0xFF, 0xD9])
        jpeg.insert(contentsOf: Array(marker.utf8), at: jpeg.count - 2)
        let image = NSTemporaryDirectory() + "/marked-\(UUID().uuidString.prefix(8)).jpg"
        defer { try? FileManager.default.removeItem(atPath: image) }
        try Data(jpeg).write(to: URL(fileURLWithPath: image))
        let file = write(identificationReport(), in: network.post.directory)
        let sent = ilo(network.post, "officer-de", ["send", "--file", file, "--attach", image])
        #expect(sent.status == 0, "\(sent.output)")
        let id = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(network.post.count("SELECT count(*) FROM attachment_chunks WHERE report_id = '\(id)'") > 0)
        // The same kind of file in a report without personal data does reach the regional hub.
        let open = write(borderReport("Boat at the beach, no one on it"), in: network.post.directory)
        let boat = ilo(network.post, "officer-de", ["send", "--file", open, "--attach", fixture("plain.png"), "--confirm-no-personal-data"])
        #expect(boat.status == 0, "\(boat.output)")
        let boatID = boat.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(waitFor(15) { network.regional.count("SELECT count(*) FROM attachment_chunks WHERE report_id = '\(boatID)'") > 0 })
        #expect(network.regional.count("SELECT count(*) FROM attachment_chunks WHERE report_id = '\(id)'") == 0, "no chunk of a personal-data file at a relay that may not hold it")
        #expect(network.regional.count("SELECT count(*) FROM attachment_files WHERE report_id = '\(id)'") == 0)
        #expect(!CaseDataLifecycleTests().filesContaining(marker, under: network.post).isEmpty, "the marker is in the post's store before erasure")
        let erase = ilo(network.post, "officer-de", ["erase", id, "--ground", "purpose-fulfilled"])
        #expect(erase.status == 0, "\(erase.output)")
        #expect(waitFor(15) { network.post.count("SELECT count(*) FROM attachment_files WHERE report_id = '\(id)'") == 0 })
        #expect(waitFor(15) { CaseDataLifecycleTests().filesContaining(marker, under: network.post).isEmpty }, "no store file of the post holds the marker after erasure")
        for node in network.all { #expect(CaseDataLifecycleTests().filesContaining(marker, under: node).isEmpty, "\(node.directory)") }
    }

    @Test func aTenMebibyteFileOverACutLinkArrivesOnceAndAFlashReportGoesBetweenItsChunks() throws {
        let network = try TestNetwork()
        let proxy = try FlakyLink(to: network.post.port)
        defer { proxy.stop() }
        // A 10 MiB PDF with nothing active in it.
        var pdf = try [UInt8](Data(contentsOf: URL(fileURLWithPath: fixture("clean.pdf"))))
        let size = 10 << 20
        let filler = Array("0123456789abcdef\n".utf8)
        pdf += Array("\n% filler\n".utf8)
        while pdf.count < size { pdf += filler.prefix(size - pdf.count) }
        let big = network.post.directory + "/big.pdf"
        try Data(pdf).write(to: URL(fileURLWithPath: big))
        // The first try is cut half way.
        proxy.settings.withLock {
            $0.bytesPerSecond = 4_000_000
            $0.cutAfterBytes = size / 2
        }
        let file = write(borderReport("Forged stamps: the expert's file"), in: network.post.directory)
        let first = ilo(network.post, "officer-de", ["send", "--file", file, "--attach", big, "--confirm-no-personal-data"], port: proxy.port)
        #expect(first.status == 4, "\(first.output)")
        let id = first.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let held = network.post.count("SELECT received FROM attachment_files WHERE report_id = '\(id)'")
        #expect(held > 0 && held < size, "part of the file is at the post: \(held)")
        // The next try resumes where the post is; a flash report sent meanwhile goes between two chunks.
        proxy.settings.withLock {
            $0.cutAfterBytes = nil
            $0.bytesPerSecond = 1_500_000
        }
        var environment = ProcessInfo.processInfo.environment
        environment["XDG_STATE_HOME"] = network.post.directory + "/state-officer-de"
        var connection = network.post.iloArguments("officer-de")
        connection[1] = "127.0.0.1:\(proxy.port)"
        let flush = Process()
        flush.executableURL = URL(fileURLWithPath: TestEnvironment.ilo)
        flush.arguments = ["outbox", "flush"] + connection
        flush.environment = environment
        flush.standardOutput = FileHandle.nullDevice
        flush.standardError = FileHandle.nullDevice
        try flush.run()
        #expect(waitFor(20) { network.post.count("SELECT received FROM attachment_files WHERE report_id = '\(id)'") > held + 200_000 }, "the upload resumed")
        let urgent = write(sampleReport(["headline": "Boat leaving now", "priority": "flash"]), in: network.post.directory)
        let flash = ilo(network.post, "officer-de", ["send", "--file", urgent], port: proxy.port)
        #expect(flash.status == 0, "\(flash.output)")
        let flashID = flash.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(network.post.count("SELECT count(*) FROM reports WHERE id = '\(flashID)'") == 1)
        #expect(network.post.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 0, "the flash report was taken before the file was complete")
        flush.waitUntilExit()
        #expect(flush.terminationStatus == 0)
        #expect(network.post.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 1, "the report with its file arrived once")
        #expect(network.post.count("SELECT sum(length(data)) FROM attachment_chunks WHERE report_id = '\(id)'") == size, "every byte once")
        #expect(network.post.count("SELECT count(*) FROM attachment_files WHERE report_id = '\(id)' AND checked = 1 AND problem IS NULL") == 1)
        #expect(waitFor(30) { network.board.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 1 }, "and reached the board with its file, over two node links")
        #expect(network.board.count("SELECT sum(length(data)) FROM attachment_chunks WHERE report_id = '\(id)'") == size)
    }
}
