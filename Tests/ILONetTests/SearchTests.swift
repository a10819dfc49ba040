import Foundation
@testable import ILONet
import Testing

/// Full-text search (docs/REPORTS.md §10): every word of a report's text finds it
/// for a reader who may read it and never for one who may not; an erased report
/// is found by nobody, and its words leave the store's files.
@Suite(.serialized) struct SearchTests {
    func search(_ daemon: Daemon, _ identity: String, _ words: [String], _ more: [String] = []) -> (status: Int32, output: String, stdout: String, stderr: String) {
        run(TestEnvironment.ilo, ["search", "--wide"] + words + more + daemon.iloArguments(identity))
    }

    @Test func whatAReaderMayReadAndNothingElse() throws {
        let daemon = try Daemon(extraConfig: "access \(TestEnvironment.repository.path)/config/network/access.rules\nqueue.expiry-sweep 200ms")
        let clock = daemon.directory + "/clock"
        let now = Timestamp.nowMilliseconds()
        try Timestamp.format(milliseconds: now).write(toFile: clock, atomically: true, encoding: .utf8)
        daemon.environment["ILONET_CLOCK_FILE"] = clock
        try daemon.start()
        let mueller = try daemon.client("officer-de")

        // An H1 report with words of its own in its free text.
        let text = "Kumquat facilitators load nightboats near Zuwara lighthouse"
        let open = sampleReport(["headline": "Zebrafish route reopened", "body.modus_operandi": .string(text)])
        // An H2 report for the board member only, and a case report for Germany's contact point.
        let h2 = sampleReport(["headline": "Marmalade network", "handling": "H2", "addressees": ["ncp.fr.bernard"]])
        let tomorrow = String(Timestamp.format(milliseconds: now + 86_400_000).prefix(10))
        let marker = "Quetzal\(UUID().uuidString.prefix(6).filter(\.isLetter))"
        let personal = sampleReport(
            ["personal_data": "return-passenger-list", "erase_by": .string(tomorrow), "addressees": ["ncp.de.schmidt"],
             "body.passenger_list": [["name": .string(marker), "nationality": "NG"]]], kind: "return")
        for report in [open, h2, personal] { #expect(try mueller.request(.publish, ["report": report]).type == .accepted) }
        let openID = open["id"]!.stringValue!, h2ID = h2["id"]!.stringValue!, personalID = personal["id"]!.stringValue!

        // Every word of the headline and the free text finds it for Rossi (posted to Libya).
        for word in (text + " Zebrafish route reopened").split(separator: " ").map(String.init) {
            let found = search(daemon, "officer-it", [word.lowercased()])
            #expect(found.status == 0 && found.stdout.contains(openID), "\(word): \(found.output)")
        }
        let highlighted = search(daemon, "officer-it", ["kumquat", "nightboat*"])
        #expect(highlighted.stdout.contains("[Kumquat]") && highlighted.stdout.contains("[nightboats]"), "\(highlighted.output)")
        // Filters narrow it; all the words are required.
        #expect(search(daemon, "officer-it", ["kumquat"], ["--country", "TN"]).stdout.contains("no report you may read matches"))
        #expect(search(daemon, "officer-it", ["kumquat"], ["--kind", "border"]).stdout.contains("no report you may read matches"))
        #expect(search(daemon, "officer-it", ["kumquat", "absentword"]).stdout.contains("no report you may read matches"))
        #expect(search(daemon, "officer-it", ["kumquat"], ["--since", tomorrow]).stdout.contains("no report you may read matches"))

        // The H2 report: its addressee finds it, Rossi does not.
        #expect(search(daemon, "authority-fr-user", ["marmalade"]).stdout.contains(h2ID))
        let withheld = search(daemon, "officer-it", ["marmalade"])
        #expect(withheld.status == 0 && !withheld.stdout.contains(h2ID) && withheld.stdout.contains("no report you may read matches"))
        // The case report: its addressee finds it by the name in it; nobody else does.
        #expect(search(daemon, "authority-de-user", [marker]).stdout.contains(personalID))
        #expect(!search(daemon, "authority-fr-user", [marker]).stdout.contains(personalID))
        #expect(!search(daemon, "officer-it", [marker]).stdout.contains(personalID))
        // Roles that read no content search none.
        let admin = search(daemon, "admin", ["kumquat"])
        #expect(admin.status == 1 && admin.stderr.contains("forbidden"), "\(admin.output)")
        // Every result shown is in the audit trail.
        #expect(daemon.count("SELECT count(*) FROM audit WHERE event = 'read' AND report_id = '\(openID)' AND detail = 'search result'") >= 1)

        // Erasure: the case report is found by nobody, and its words are in none of the store's files.
        func onDisk(_ needle: String) -> Bool {
            ["", "-wal", "-shm"].contains { FileManager.default.contents(atPath: daemon.storePath + $0)?.range(of: Data(needle.utf8)) != nil }
        }
        #expect(onDisk(marker.lowercased()), "positive control: the index holds the word as FTS5 stores it")
        try Timestamp.format(milliseconds: now + 2 * 86_400_000).write(toFile: clock, atomically: true, encoding: .utf8)
        #expect(waitFor(10) { daemon.log.contains("msg=\"report erased\" report=\(personalID)") }, "\(daemon.log)")
        #expect(!search(daemon, "authority-de-user", [marker]).stdout.contains(personalID))
        #expect(waitFor(10) { !onDisk(marker.lowercased()) && !onDisk(marker) }, "the erased report's words are still in the store's files")
    }

    /// The index follows the commits (docs/REPORTS.md §10): within a second
    /// without any search, at once for a search, and after a SIGKILL between
    /// the acknowledgement and the indexing it catches up when the node restarts.
    @Test func theIndexFollowsTheCommitsAndCatchesUpAfterACrash() throws {
        let daemon = try Daemon()
        try daemon.start()
        let mueller = try daemon.client("officer-de")
        func indexed() -> Int { daemon.count("SELECT count(*) FROM search_open") }
        func watermark() -> Int { daemon.count("SELECT indexed_seq FROM search_progress") }
        // Without a search: indexed within a second of the acknowledgement.
        var ids: [String] = []
        for i in 0..<20 {
            let report = sampleReport(["headline": .string("lagtest \(i)")])
            #expect(try mueller.request(.publish, ["report": report]).type == .accepted)
            ids.append(report["id"]!.stringValue!)
        }
        let acknowledged = Date()
        #expect(waitFor(5) { indexed() == 20 })
        // By design 0.2 s and one group commit; 1.5 s leaves room for a loaded test machine.
        #expect(Date().timeIntervalSince(acknowledged) < 1.5, "the index lagged by more than a second")
        // A search right after an acknowledgement finds the report.
        let fresh = sampleReport(["headline": "Quokka sighted at the quay"])
        #expect(try mueller.request(.publish, ["report": fresh]).type == .accepted)
        let found = run(TestEnvironment.ilo, ["search", "quokka", "--wide"] + daemon.iloArguments("authority-fr-user"))
        #expect(found.stdout.contains(fresh["id"]!.stringValue!), "\(found.output)")
        // Acknowledged, then killed before the indexer's next turn: the restart catches up.
        daemon.kill()
        let mark = watermark()
        _ = daemon.query("UPDATE search_progress SET indexed_seq = \(mark - 10)")
        _ = daemon.query("DELETE FROM search_open WHERE rowid > \(mark - 10)")
        #expect(indexed() == 11)
        try daemon.start()
        #expect(waitFor(5) { indexed() == 21 && watermark() == mark }, "\(indexed()) indexed, watermark \(watermark())")
        let again = run(TestEnvironment.ilo, ["search", "lagtest", "--limit", "50", "--wide"] + daemon.iloArguments("authority-fr-user"))
        #expect(ids.allSatisfy { again.stdout.contains($0) }, "\(again.output)")
    }

    /// Issue 27, item 4: the disclosure decision comes before ranking, counting
    /// and the cap: reports a reader may not read neither reorder, nor count
    /// towards `truncated`, nor push out what the reader may read.
    @Test func nothingWithheldMovesCountsOrHidesAResult() throws {
        let daemon = try Daemon()
        try daemon.start()
        let mueller = try daemon.client("officer-de")
        func publish(_ headline: String, _ text: String, _ extra: [String: JSONValue] = [:]) throws -> String {
            var changes = extra
            changes["headline"] = .string(headline)
            changes["body.modus_operandi"] = .string(text)
            let report = sampleReport(changes)
            #expect(try mueller.request(.publish, ["report": report]).type == .accepted)
            return report["id"]!.stringValue!
        }
        // Ten readable reports without the words, then two that Rossi may read.
        for i in 0..<10 { _ = try publish("Neutral \(i)", "Nothing of interest here, report \(i)") }
        let alphaHeavy = try publish("Harbour watch", "alphaword alphaword alphaword alphaword betaword, and more words to fill the line")
        let betaHeavy = try publish("Harbour watch", "alphaword betaword betaword betaword betaword betaword, and more words to fill")
        let bravo = try publish("Bravoquay departures", "Departures from the old quay")
        func results(_ identity: String, _ words: [String]) -> (ids: [String], truncated: Bool) {
            let answer = run(TestEnvironment.ilo, ["search"] + words + ["--json"] + daemon.iloArguments(identity))
            let json = try? JSONValue(parsing: answer.stdout)
            let list = json?["results"]?.arrayValue ?? json?.arrayValue ?? []
            return (list.compactMap { $0["id"]?.stringValue }, json?["truncated"] == .bool(true))
        }
        let before = results("officer-it", ["alphaword", "betaword"]).ids
        #expect(Set(before) == [alphaHeavy, betaHeavy], "\(before)")
        // Twelve H2 reports Rossi may not read, full of one of the words.
        for i in 0..<12 {
            _ = try publish("Withheld \(i)", "betaword betaword betaword", ["handling": "H2", "addressees": ["ncp.fr.bernard"]])
        }
        #expect(results("officer-it", ["alphaword", "betaword"]).ids == before, "the withheld reports moved the order")

        // 2,001 newer H2 reports with words of their own, none of which Rossi may read.
        _ = try publish("Omegaword bravoquay", "omegaword bravoquay", ["handling": "H2", "addressees": ["ncp.fr.bernard"]])
        daemon.stop()
        try daemon.copyReports(times: 2001, where: "r.headline = 'Omegaword bravoquay'")
        try daemon.start()
        let omega = results("officer-it", ["omegaword"])
        #expect(omega.ids.isEmpty && !omega.truncated, "truncated tells Rossi that reports he may not read contain the word")
        #expect(results("authority-fr-user", ["omegaword"]).truncated, "positive control: the addressee has more than 2,000 matches")
        #expect(results("officer-it", ["b*"]).ids.contains(bravo) && results("officer-it", ["bravoquay"]).ids == [bravo])
    }

    /// The ranking formula (docs/REPORTS.md §10) on its own: more occurrences
    /// rank higher with diminishing returns, the headline counts twice, a longer
    /// field dilutes, and nothing but the report's own counts enters.
    @Test func theRankingFormula() {
        func score(_ headline: Int, _ body: Int, lengths: [Int] = [8, 80]) -> Double { SearchRanking.score(counts: [[headline, body]], lengths: lengths) }
        #expect(score(0, 2) > score(0, 1) && score(0, 2) - score(0, 1) < score(0, 1) - score(0, 0))
        #expect(score(1, 0) > score(0, 1))
        #expect(score(0, 1, lengths: [8, 40]) > score(0, 1, lengths: [8, 160]))
        #expect(SearchRanking.score(counts: [[0, 1], [0, 1]], lengths: [8, 80]) > SearchRanking.score(counts: [[0, 2], [0, 0]], lengths: [8, 80]))
        #expect(score(0, 0) == 0)
    }
}
