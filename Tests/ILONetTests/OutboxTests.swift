import Foundation
import Testing
@testable import ILONet
@testable import ILOClient

/// The officer's own link (issue 16): a report `ilo send` printed an id for, or
/// said it kept, reaches the board exactly once, whatever the first link does.
@Suite(.serialized) struct OutboxTests {
    /// `ilo` as `identity` against `port`, with its own state directory (its outbox).
    func ilo(_ arguments: [String], port: UInt16, state: String, as identity: String = "officer-de") -> (status: Int32, output: String, stdout: String, stderr: String) {
        let pki = TestEnvironment.pki
        let connection = ["--node", "127.0.0.1:\(port)", "--cert", pki.path("\(identity).crt"), "--key", pki.path("\(identity).key"), "--ca", pki.ca]
        return run(TestEnvironment.ilo, arguments + connection, environment: ProcessInfo.processInfo.environment.merging(["XDG_STATE_HOME": state]) { $1 })
    }

    func reportFile(_ directory: String, headline: String) throws -> String {
        let file = directory + "/report-\(UUID().uuidString.prefix(8)).json"
        try sampleReport(["headline": .string(headline)]).removingID.encodedString().write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func aLostAcknowledgementNeitherLosesNorDuplicatesTheReport() throws {
        let network = try TestNetwork(allConfig: "reports.receipts yes")
        let proxy = try FlakyLink(to: network.post.port)
        defer { proxy.stop() }
        let state = network.post.directory + "/state-officer"
        // How many bytes a connection sends before its first request: measured on a ping.
        #expect(ilo(["ping"], port: proxy.port, state: state).status == 0)
        let beforeRequests = proxy.counters.withLock { $0.bytesToTarget }
        proxy.settings.withLock { $0.cutAnswersAfterBytesToTarget = beforeRequests + 200 }

        // The PUBLISH reaches the post; its ACCEPTED never comes back.
        let file = try reportFile(network.post.directory, headline: "Lost acknowledgement")
        let sent = ilo(["send", "--file", file], port: proxy.port, state: state)
        #expect(sent.status == 4, "\(sent.output)")
        #expect(sent.stderr.contains("the connection to the node broke off"), "\(sent.stderr)")
        #expect(sent.stderr.contains("queued on this computer; will be sent with the same id when the node is reachable: ilo outbox"))
        #expect(!sent.stderr.contains("TLS read") && !sent.stderr.contains("unexpected eof"), "no raw library message: \(sent.stderr)")
        let id = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ReportID(id) != nil, "the id is printed: \(sent.stdout)")
        #expect(waitFor(10) { network.post.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 1 }, "the post stored it")
        let waiting = ilo(["outbox"], port: proxy.port, state: state)
        #expect(waiting.stdout.contains(id) && waiting.stdout.contains("queued") && waiting.stdout.contains("Lost acknowledgement"), "\(waiting.output)")

        // The link is good again: the same bytes go, the post says it has them already.
        proxy.settings.withLock { $0.cutAnswersAfterBytesToTarget = nil }
        let flushed = ilo(["outbox", "flush", "--json"], port: proxy.port, state: state)
        #expect(flushed.status == 0, "\(flushed.output)")
        let result = try JSONValue(parsing: flushed.stdout)
        #expect(result["sent"]?.arrayValue?.first?["id"]?.stringValue == id && result["sent"]?.arrayValue?.first?["duplicate"] == .bool(true), "\(flushed.stdout)")
        #expect(ilo(["outbox"], port: proxy.port, state: state).stdout.contains("the outbox is empty"))

        // Exactly one copy at the board, and the officer sees it delivered.
        #expect(waitFor(15) { network.board.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 1 })
        #expect(network.board.count("SELECT count(*) FROM reports WHERE headline = 'Lost acknowledgement'") == 1)
        #expect(waitFor(15) { ilo(["sent", id], port: proxy.port, state: state).stdout.contains(/now +delivered at .*board\.ilonet\.example/) })
        let story = ilo(["sent", id], port: proxy.port, state: state).stdout
        #expect(story.contains("signed and kept on this computer") && story.contains("accepted by post-tripoli.ilonet.example"), "\(story)")
        #expect(story.contains("forwarded by post-tripoli.ilonet.example to regional-na.ilonet.example"), "\(story)")
    }

    @Test func aPostThatIsDownGetsTheReportWhenItIsBack() throws {
        let network = try TestNetwork(allConfig: "reports.receipts yes")
        let state = network.post.directory + "/state-officer"
        let port = network.post.port
        network.post.stop()
        let file = try reportFile(network.post.directory, headline: "Written while the post was down")
        let sent = ilo(["send", "--file", file, "--json"], port: port, state: state)
        #expect(sent.status == 4, "\(sent.output)")
        let answer = try JSONValue(parsing: sent.stdout)
        #expect(answer["queued_here"] == .bool(true))
        let id = try #require(answer["id"]?.stringValue)
        #expect(sent.stderr.contains("cannot connect to 127.0.0.1:\(port): connection refused"), "\(sent.stderr)")
        // Kept where only the officer can read it.
        let files = try FileManager.default.contentsOfDirectory(atPath: state + "/ilo").filter { $0.hasPrefix("outbox-") && $0.hasSuffix(".sqlite") }
        #expect(files.count == 1)
        let mode = (try FileManager.default.attributesOfItem(atPath: state + "/ilo/" + files[0])[.posixPermissions] as? NSNumber)?.intValue
        #expect(mode == 0o600, "outbox mode \(String(mode ?? 0, radix: 8))")
        #expect(ilo(["sent"], port: port, state: state).stdout.contains("queued on this computer"))

        // The post is back: the next command of any kind sends what waits first, and says so.
        try network.post.start()
        let inbox = ilo(["inbox"], port: port, state: state)
        #expect(inbox.status == 0, "\(inbox.output)")
        #expect(inbox.stderr.contains("outbox: 1 sent"), "\(inbox.stderr)")
        #expect(waitFor(15) { network.board.count("SELECT count(*) FROM reports WHERE id = '\(id)'") == 1 })
        #expect(waitFor(15) { ilo(["sent"], port: port, state: state).stdout.contains(/delivered at .*board\.ilonet\.example/) }, "\(ilo(["sent", id], port: port, state: state).output)")
    }

    @Test func aReportAnAdministratorDeletesIsNotLostFromTheAuthorsView() throws {
        let network = try TestNetwork(startRegional: false)
        let state = network.post.directory + "/state-officer"
        let file = try reportFile(network.post.directory, headline: "Stuck at the post")
        let sent = ilo(["send", "--file", file], port: network.post.port, state: state)
        #expect(sent.status == 0, "\(sent.output)")
        let id = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ilo(["sent", id], port: network.post.port, state: state).stdout.contains("waiting for regional-na.ilonet.example"))
        let deleted = ilo(["queue", "delete", id, "--reason", "duplicate of an earlier report"], port: network.post.port, state: state, as: "admin")
        #expect(deleted.status == 0, "\(deleted.output)")
        // Not an inbox item; there with --notices until `ilo sent` has shown it.
        #expect(!ilo(["inbox", "--peek"], port: network.post.port, state: state).stdout.contains("deleted"))
        #expect(ilo(["inbox", "--notices", "--peek", "--wide"], port: network.post.port, state: state).stdout.contains("Not delivered: report \(id) deleted at post-tripoli.ilonet.example"))
        let story = ilo(["sent", id], port: network.post.port, state: state).stdout
        // Who deleted it, in this node's words; the administrator's reason stays in the queue audit (issue 27).
        #expect(story.contains("now      deleted") && story.contains("by an administrator") && story.contains("by admin.hub"), "\(story)")
        #expect(!story.contains("duplicate of an earlier report"), "\(story)")
        #expect(network.post.query("SELECT detail FROM queue_audit WHERE action = 'delete'").contains("reason: duplicate of an earlier report"))
        #expect(story.contains("(signed notice)"), "\(story)")
        #expect(!ilo(["inbox", "--notices", "--peek"], port: network.post.port, state: state).stdout.contains("deleted at"))
    }

    @Test func aPermanentRefusalLeavesTheQueueAndIsNeverRetriedSilently() throws {
        let directory = TestEnvironment.runDirectory + "/outbox-\(UUID().uuidString.prefix(8))"
        let outbox = try #require(try Outbox(path: directory + "/outbox.sqlite", create: true))
        let report = try Report.validate(sampleReport(), sender: officerDE)
        try outbox.add(report)
        try outbox.add(report)  // the same id again: one entry, the first bytes
        #expect(try outbox.queued().count == 1)
        try outbox.markFailed(report.id.description, error: "cannot connect")
        #expect(try outbox.queued().first?.attempts == 1)
        try outbox.markRefused(report.id.description, reason: "forbidden: not allowed")
        #expect(try outbox.queued().isEmpty)
        #expect(try outbox.entry(report.id.description)?.state == .refused)
        #expect(OutboxFlush.isPermanent(ProtocolError(.idConflict, "x")) && !OutboxFlush.isPermanent(ProtocolError(.rateLimited, "x")))
    }
}

extension JSONValue {
    /// The document without its `id` (ilo send makes one).
    var removingID: JSONValue {
        guard case .object(var members) = self else { return self }
        members["id"] = nil
        members["created"] = nil
        return .object(members)
    }
}
