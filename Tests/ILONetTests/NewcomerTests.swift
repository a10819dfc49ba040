import Foundation
import Testing
@testable import ILONet

/// What a newcomer hits in the first hour (issue 18): the command line says
/// what it means and what to do.
@Suite(.serialized) struct NewcomerTests {
    @Test func globalOptionsBeforeTheCommandVersionAndHelp() throws {
        let daemon = try Daemon()
        try daemon.start()
        let environment = try daemon.profileEnvironment("tripoli", identity: "officer-it")
        // README's form: the profile before the command.
        let inbox = run(TestEnvironment.ilo, ["--profile", "tripoli", "inbox"], environment: environment)
        #expect(inbox.status == 0 && inbox.stdout.contains("no new reports"), "\(inbox.output)")
        // Also for a command with a verb: the profile's name is not taken for the verb.
        let boardEnvironment = try daemon.profileEnvironment("board", identity: "authority-fr-user")
        let verb = run(TestEnvironment.ilo, ["--profile", "board", "digest", "show"], environment: boardEnvironment)
        #expect(verb.status == 0 && verb.stdout.contains("no digest yet"), "\(verb.output)")
        let version = run(TestEnvironment.ilo, ["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("ilo \(ILONetVersion.current)"), "\(version.output)")
        let help = run(TestEnvironment.ilo, ["help", "send"])
        #expect(help.status == 0 && help.stdout.hasPrefix("usage: ilo send"), "\(help.output)")
        let missing = run(TestEnvironment.ilo, ["nosuchcommand", "--help"])
        #expect(missing.status == 2 && missing.stderr.contains("unknown command \"nosuchcommand\""), "\(missing.output)")
        // No digest yet is an answer, not an error; dates and weeks are spans.
        let digest = run(TestEnvironment.ilo, ["digest", "show"] + daemon.iloArguments("authority-fr-user"))
        #expect(digest.status == 0 && digest.stdout.contains("no digest yet"), "\(digest.output)")
        for span in [["--since", "2026-11-01", "--until", "2026-11-30"], ["--since", "52w"]] {
            let preview = run(TestEnvironment.ilo, ["digest", "preview", "#"] + span + daemon.iloArguments("authority-fr-user"))
            #expect(preview.status == 0, "\(span): \(preview.output)")
        }
    }

    @Test func countryMistakesGetTheCodeTheyMeant() throws {
        #expect(ISOCodes.suggestion(for: "ly") == "LY (Libya)")
        #expect(ISOCodes.suggestion(for: "Libya") == "LY (Libya)")
        #expect(ISOCodes.suggestion(for: "LIB") == "LR (Liberia) or LY (Libya)")
        #expect(ISOCodes.suggestion(for: "UK")?.hasPrefix("GB (United Kingdom)") == true)
        do throws(ReportValidationError) {
            _ = try Report.validate(sampleReport(["country": "Libya"]), sender: officerDE)
            Issue.record("Libya was accepted as a country code")
        } catch {
            #expect(error.description.contains("country: \"Libya\" is not an ISO 3166-1 alpha-2 code (or \"several\" for several countries); did you mean LY (Libya)?"), "\(error)")
        }
        let daemon = try Daemon()
        try daemon.start()
        let refused = run(TestEnvironment.ilo, ["subscribe", "smuggling/LIBYA/#"] + daemon.iloArguments("authority-fr-user"))
        #expect(refused.status == 1 && refused.stderr.contains("\"LIBYA\" is not a country code, so the filter can match nothing; did you mean LY (Libya)?"), "\(refused.output)")
        #expect(run(TestEnvironment.ilo, ["subscribe", "smuggling/LY/#"] + daemon.iloArguments("authority-fr-user")).status == 0)
    }

    @Test func aJSONMistakeIsShownByLineAndColumn() throws {
        let file = TestEnvironment.runDirectory + "/broken-\(UUID().uuidString.prefix(8)).json"
        try "{\n  \"kind\": \"border\",\n  \"country\": \"LY\"\n  \"headline\": \"x\"\n}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let checked = run(TestEnvironment.ilo, ["validate", file])
        #expect(checked.status == 1, "\(checked.output)")
        #expect(checked.stderr.contains("\(file):4:3:"), "\(checked.stderr)")
    }

    @Test func aWatchLeavesNoSubscriptionBehind() throws {
        let daemon = try Daemon()
        try daemon.start()
        func subscriptions() -> String { run(TestEnvironment.ilo, ["subscriptions"] + daemon.iloArguments("authority-fr-user")).stdout }
        // Ended by --count.
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: TestEnvironment.ilo)
        watcher.arguments = ["watch", "border/#", "--count", "1"] + daemon.iloArguments("authority-fr-user")
        watcher.environment = ProcessInfo.processInfo.environment.merging(["XDG_STATE_HOME": daemon.directory + "/state-watch"]) { $1 }
        watcher.standardOutput = Pipe()
        watcher.standardError = Pipe()
        try watcher.run()
        #expect(waitFor(10) { subscriptions().contains("border/#") })
        try daemon.client("officer-de").request(.publish, ["report": sampleReport(kind: "border")])
        #expect(waitFor(10) { !watcher.isRunning })
        #expect(!subscriptions().contains("border/#"), "\(subscriptions())")
        // Ended by Ctrl-C.
        let interrupted = Process()
        interrupted.executableURL = URL(fileURLWithPath: TestEnvironment.ilo)
        interrupted.arguments = ["watch", "smuggling/#"] + daemon.iloArguments("authority-fr-user")
        interrupted.environment = watcher.environment
        interrupted.standardOutput = Pipe()
        interrupted.standardError = Pipe()
        try interrupted.run()
        #expect(waitFor(10) { subscriptions().contains("smuggling/#") })
        kill(interrupted.processIdentifier, SIGINT)
        #expect(waitFor(10) { !interrupted.isRunning })
        #expect(!subscriptions().contains("smuggling/#"), "\(subscriptions())")
        // A subscription held before the watch stays.
        #expect(run(TestEnvironment.ilo, ["subscribe", "return/#"] + daemon.iloArguments("authority-fr-user")).status == 0)
        let held = Process()
        held.executableURL = URL(fileURLWithPath: TestEnvironment.ilo)
        held.arguments = ["watch", "return/#", "--count", "1"] + daemon.iloArguments("authority-fr-user")
        held.environment = watcher.environment
        held.standardOutput = Pipe()
        held.standardError = Pipe()
        try held.run()
        Thread.sleep(forTimeInterval: 0.5)
        try daemon.client("officer-de").request(.publish, ["report": sampleReport(kind: "return")])
        #expect(waitFor(10) { !held.isRunning })
        #expect(subscriptions().contains("return/#"), "\(subscriptions())")
    }
}


/// Queue control as Postfix's postsuper does it (issue 18): prefixes, ALL with
/// a selection, ids on standard input, and a reason when nothing happens.
@Suite(.serialized) struct QueueSelectionTests {
    @Test func prefixesAllSelectionsAndStandardInput() throws {
        let network = try TestNetwork(startRegional: false)
        let post = network.post
        func queue(_ arguments: [String], stdin: String? = nil) -> (status: Int32, output: String, stdout: String, stderr: String) {
            run(TestEnvironment.ilo, ["queue"] + arguments + post.iloArguments("admin"), stdin: stdin)
        }
        let ids = (0..<3).map { network.send(sampleReport(["headline": .string("waiting \($0)")])).id }
        let hop = "regional-na.ilonet.example"
        let held = queue(["hold", "ALL", "--next-hop", hop, "--state", "queued"])
        #expect(held.status == 0 && held.stdout.contains("hold: 3 queue entries"), "\(held.output)")
        #expect(post.count("SELECT count(*) FROM outbound WHERE state = 'held'") == 3)
        let released = queue(["release", String(ids[0].prefix(23))])
        #expect(released.status == 0 && released.stdout.contains("release: 1 queue entry"), "\(released.output)")
        let ambiguous = queue(["release", String(ids[0].prefix(4))])
        #expect(ambiguous.status == 1 && ambiguous.stderr.contains("names 3 reports") && ambiguous.stderr.contains("give more of the id"), "\(ambiguous.output)")
        let deleted = queue(["delete", "-", "--reason", "duplicates"], stdin: ids[1] + "\n" + ids[2] + "\n")
        #expect(deleted.status == 0 && deleted.stdout.contains("delete: 2 queue entries"), "\(deleted.output)")
        #expect(post.count("SELECT count(*) FROM outbound") == 1)
        // An expired dead letter cannot be retried, and the answer says why.
        let expires = Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 1500)
        let short = network.send(sampleReport(["headline": "short-lived", "expires": .string(expires)]))
        #expect(waitFor(10) { post.count("SELECT count(*) FROM dead_letters WHERE reason = 'expired'") == 1 })
        let retried = queue(["retry", short.id])
        #expect(retried.status == 1 && retried.stderr.contains("expired at") && retried.stderr.contains("an expired report is not sent again"), "\(retried.output)")
        // ALL that matches nothing says so and succeeds, as postsuper does: a nightly clean-up must not fail.
        let none = queue(["hold", "ALL", "--state", "held"])
        #expect(none.status == 0 && none.stderr.contains("nothing in the queues or dead letters matches") && none.stdout.contains("hold: 0 queue entries"), "\(none.output)")
    }
}
