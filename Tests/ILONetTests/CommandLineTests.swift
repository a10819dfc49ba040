import Foundation
import Testing
@testable import ILONet

/// The README's walkthrough, with the real `ilo` and `ilod` binaries.
@Suite(.serialized) struct CommandLineTests {
    @Test func officerSendsAndAnotherOfficerReadsIt() throws {
        let daemon = try Daemon()
        try daemon.start()
        // Officer Rossi is posted to Libya: his first connection subscribes him to +/LY/#.
        let subscriptions = run(TestEnvironment.ilo, ["subscriptions"] + daemon.iloArguments("officer-it"))
        #expect(subscriptions.stdout.contains("+/LY/#  (from your certificate's posts)"), "\(subscriptions.output)")
        // A board member subscribes to everything.
        #expect(run(TestEnvironment.ilo, ["subscribe", "#"] + daemon.iloArguments("authority-fr-user")).status == 0)
        let sent = run(
            TestEnvironment.ilo, ["send", "--kind", "smuggling", "--country", "LY", "--headline", "Boats leaving Zuwara", "--reliability", "B", "--accuracy", "2", "--level", "operational"] + daemon.iloArguments("officer-de"),
            stdin: #"{"route": {"origin": ["NE"], "transit": ["LY"], "destination": ["IT"]}, "modus_operandi": "Night departures.", "means_of_transport": ["boat"]}"#)
        #expect(sent.status == 0, "\(sent.output)")
        let id = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(ReportID(id) != nil, "not a report id: \(id)")

        let inbox = run(TestEnvironment.ilo, ["inbox", "--json"] + daemon.iloArguments("officer-it"))
        #expect(inbox.status == 0, "\(inbox.output)")
        let reports = try JSONValue(parsing: inbox.stdout).arrayValue ?? []
        #expect(reports.count == 1)
        #expect(reports.first?["id"]?.stringValue == id)
        #expect(reports.first?["origin"]?["officer"] == "officer.de.mueller")
        #expect(reports.first?["body"]?["route"]?["transit"] == ["LY"])

        // Read once: the next inbox is empty. The sender does not get its own report.
        #expect(run(TestEnvironment.ilo, ["inbox"] + daemon.iloArguments("officer-it")).stdout.contains("no new reports"))
        #expect(run(TestEnvironment.ilo, ["inbox"] + daemon.iloArguments("officer-de")).stdout.contains("no new reports"))
        // The board reads everything.
        #expect(run(TestEnvironment.ilo, ["inbox", "--wide"] + daemon.iloArguments("authority-fr-user")).stdout.contains(id))
    }

    @Test func invalidReportIsRefusedBeforeSending() throws {
        let daemon = try Daemon()
        try daemon.start()
        let sent = run(TestEnvironment.ilo, ["send", "--kind", "smuggling", "--country", "LIBYA"] + daemon.iloArguments("officer-de"), stdin: "{}")
        #expect(sent.status == 1)
        #expect(sent.stderr.contains("country: \"LIBYA\" is not an ISO 3166-1 alpha-2 code"), "\(sent.stderr)")
    }

    @Test func anUnreachableNodeLeavesTheReportQueuedOnThisComputer() {
        let sent = run(
            TestEnvironment.ilo,
            ["send", "--kind", "border", "--country", "LY", "--headline", "Crossing closed", "--reliability", "A", "--accuracy", "1", "--level", "operational", "--node", "127.0.0.1:1",
             "--cert", TestEnvironment.pki.path("officer-de.crt"), "--key", TestEnvironment.pki.path("officer-de.key"), "--ca", TestEnvironment.pki.ca],
            stdin: sampleBodies["border"]!.encodedString())
        #expect(sent.status == 4, "\(sent.output)")
        #expect(sent.stderr.contains("cannot connect to 127.0.0.1:1: connection refused"), "\(sent.stderr)")
        #expect(sent.stderr.contains("queued on this computer; will be sent with the same id when the node is reachable: ilo outbox"))
        #expect(ReportID(sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) != nil, "the id is printed: \(sent.stdout)")
    }

    @Test func connectionSettingsComeFromAProfileFile() throws {
        let daemon = try Daemon()
        try daemon.start()
        let environment = try daemon.profileEnvironment("tripoli", identity: "officer-it")
        let who = run(TestEnvironment.ilo, ["whoami", "--profile", "tripoli"], environment: environment)
        #expect(who.status == 0, "\(who.output)")
        #expect(who.stdout.contains("officer.it.rossi"))
        let missing = run(TestEnvironment.ilo, ["whoami", "--profile", "lagos"], environment: environment)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no profile [lagos]"))
    }

    @Test func checkConfigAcceptsTheExampleAndTouchesNoState() throws {
        let example = TestEnvironment.repository.appendingPathComponent("config/hub.conf").path
        let result = run(TestEnvironment.ilod, ["--check-config", "--config", example])
        #expect(result.status == 0, "\(result.output)")

        let daemon = try Daemon()
        let checked = run(TestEnvironment.ilod, ["--check-config", "--config", daemon.configPath])
        #expect(checked.status == 0, "\(checked.output)")
        #expect(!FileManager.default.fileExists(atPath: daemon.storePath), "check-config created the store")
    }

    @Test func checkConfigPointsAtAKeyThatDoesNotMatchTheCertificate() throws {
        let daemon = try Daemon()
        let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
            .replacingOccurrences(of: "hub.key", with: "officer-de.key")
        try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let result = run(TestEnvironment.ilod, ["--check-config", "--config", daemon.configPath])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(daemon.configPath):6: tls.key: private key") && result.stderr.contains("does not match certificate"), "\(result.stderr)")
    }

    @Test func checkConfigReportsEveryProblemWithFileAndLine() throws {
        let directory = TestEnvironment.runDirectory
        let path = directory + "/broken-\(UUID().uuidString.prefix(8)).conf"
        try """
            node.name   test
            node.role   hub
            listen      localhost
            tls.cert    hub.crt
            limits.idle-timeout  forever
            store       s.sqlite
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = run(TestEnvironment.ilod, ["--check-config", "--config", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path):2: unknown role \"hub\""), "\(result.stderr)")
        #expect(result.stderr.contains("\(path):3: \"localhost\" is not HOST:PORT"))
        #expect(result.stderr.contains("\(path):4: unknown key \"tls.cert\"; did you mean"))
        #expect(result.stderr.contains("\(path):5: \"limits.idle-timeout\" must be a duration"))
        #expect(result.stderr.contains("required key \"tls.ca\" is missing"))
    }
}
