import Foundation
import FoundationXML
import ILONet
import Testing

/// The statistics ledger and the activity report (docs/REPORTS.md §9): counts
/// written with each report survive its erasure, and `ilo report activity`
/// equals the counts computed from what was sent.
@Suite(.serialized) struct StatisticsTests {
    /// An activity CSV's report counts (up to the event sections) and its event lines.
    static func split(_ csv: String) -> (counts: String, events: [String]) {
        let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let counts = lines.filter { !$0.hasPrefix("events-") && !$0.hasPrefix("late-first-reports,") }
        return (counts.map { $0 + "\r\n" }.joined(), lines.filter { $0.hasPrefix("events-") || $0.hasPrefix("late-first-reports,") })
    }

    @Test func theActivityReportCountsWhatWasSentAfterErasureAndOnlyForReportingRoles() throws {
        let daemon = try Daemon(extraConfig: "queue.expiry-sweep 200ms")
        let clock = daemon.directory + "/clock"
        func setClock(_ text: String) throws { try text.write(toFile: clock, atomically: true, encoding: .utf8) }
        try setClock("2025-01-10T12:00:00.000Z")
        daemon.environment["ILONET_CLOCK_FILE"] = clock
        try daemon.start()
        let officers = ["officer-de": "DE", "officer-it": "IT"]
        let clients = try officers.keys.reduce(into: [String: ClientConnection]()) { $0[$1] = try daemon.client($1) }

        // Two years, a few reports a month, on a moved clock; every fifth month a case report erased 30 days later.
        var expected: [String: Int] = [:]  // "quarter,state,kind" → reports
        var purposes: [String: Int] = [:]
        var monthly: [String: [String: Int]] = [:]  // "YYYY-MM" → kind → reports (without case data)
        var headlines: [String] = []
        var ids: [String] = []
        for month in 0..<24 {
            let year = 2025 + month / 12, m = month % 12 + 1
            let day = String(format: "%04d-%02d-10", year, m)
            try setClock(day + "T12:00:00.000Z")
            let quarter = "\(year)-Q\((m - 1) / 3 + 1)"
            var sends: [(String, JSONValue)] = [
                ("officer-de", sampleReport(["priority": "routine"], kind: "smuggling")),
                ("officer-it", sampleReport(["priority": "flash"], kind: "border")),
                ("officer-de", sampleReport([:], kind: "return")),
            ]
            if month % 3 == 0 { sends.append(("officer-it", sampleReport([:], kind: "smuggling"))) }
            if month % 5 == 0 {
                let eraseBy = String(format: "%04d-%02d-28", year, m)
                sends.append(("officer-de", sampleReport(
                    ["personal_data": "return-passenger-list", "erase_by": .string(eraseBy), "addressees": ["ncp.de.schmidt"],
                     "body.passenger_list": [["name": "CASE-PERSON", "nationality": "NG"]]], kind: "return")))
            }
            for (officer, sample) in sends {
                let headline = "stat \(month) \(UUID().uuidString.prefix(6))"
                let report = sample.with(headline: headline, created: day + "T11:59:00.000Z")
                let answer = try clients[officer]!.request(.publish, ["report": report])
                #expect(answer.type == .accepted, "\(answer.body)")
                headlines.append(headline)
                ids.append(report["id"]!.stringValue!)
                if report["personal_data"] != nil {
                    purposes["return-passenger-list", default: 0] += 1
                } else {
                    expected["\(quarter),\(officers[officer]!),\(report["kind"]!.stringValue!)", default: 0] += 1
                    monthly[String(day.prefix(7)), default: [:]][report["kind"]!.stringValue!, default: 0] += 1
                }
            }
        }
        // Past every erase-by date (the sweep erases each as the clock passes it):
        // every case report was stored and then erased; their counts stay.
        try setClock("2027-03-01T12:00:00.000Z")
        #expect(waitFor(15) {
            daemon.count("SELECT count(*) FROM reports WHERE purpose IS NOT NULL") == 0
                && daemon.count("SELECT count(*) FROM erased WHERE reason = 'erase-by date reached'") == purposes.values.reduce(0, +)
        }, "\(daemon.log)")

        var csv = "section,quarter,state,kind,subject,reports\r\n"
        for key in expected.keys.sorted() { csv += "reports,\(key),,\(expected[key]!)\r\n" }
        for key in purposes.keys.sorted() { csv += "case-data,,,,\(key),\(purposes[key]!)\r\n" }
        csv += "total,,,,all,\(ids.count)\r\n"
        let arguments = ["report", "activity", "--from", "2025-01-01", "--to", "2026-12-31", "--by", "quarter,state,kind", "--format", "csv"]
        let first = run(TestEnvironment.ilo, arguments + daemon.iloArguments("board-fr"))
        #expect(first.status == 0, "\(first.output)")
        let (counts, events) = StatisticsTests.split(first.stdout)
        #expect(counts == csv, "got:\n\(first.stdout)\nexpected:\n\(csv)")
        // Every report without personal data opened an event; case reports are not broken down there either.
        let opened: Int = events.filter { $0.hasPrefix("events-opened,") }.compactMap { Int($0.split(separator: ",").last ?? "") }.reduce(0, +)
        let broken: Int = expected.values.reduce(0, +)
        #expect(opened == broken, "\(events)")
        // The same store gives the same bytes; no id, no headline.
        #expect(run(TestEnvironment.ilo, arguments + daemon.iloArguments("board-fr")).stdout == first.stdout)
        #expect(!ids.contains { first.stdout.contains($0) } && !headlines.contains { first.stdout.contains($0) })

        // A span: only 2026, by year.
        let year = run(TestEnvironment.ilo, ["report", "activity", "--from", "2026-01-01", "--to", "2026-12-31", "--by", "year", "--format", "csv"] + daemon.iloArguments("board-fr"))
        let in2026 = expected.filter { $0.key.hasPrefix("2026") }.values.reduce(0, +)
        #expect(year.stdout.contains("reports,2026,,\(in2026)\r\n"), "\(year.output)")

        // Trends: every month of 2025, by kind, zeros included, case data left out.
        let trend = run(TestEnvironment.ilo, ["trend", "--from", "2025-01-01", "--to", "2025-12-31", "--every", "month", "--by", "kind", "--format", "csv"] + daemon.iloArguments("board-fr"))
        var trendCSV = "period,border,return,smuggling,total\r\n"
        for m in 1...12 {
            let month = String(format: "2025-%02d", m), counts = monthly[month] ?? [:]
            let row = ["border", "return", "smuggling"].map { counts[$0] ?? 0 }
            trendCSV += "\(month),\(row.map(String.init).joined(separator: ",")),\(row.reduce(0, +))\r\n"
        }
        #expect(trend.status == 0 && trend.stdout == trendCSV, "got:\n\(trend.output)\nexpected:\n\(trendCSV)")
        // By route: smuggling reports only, each route from its body.route (the samples' NE>LY>IT).
        let routes = run(TestEnvironment.ilo, ["trend", "--from", "2025-01-01", "--to", "2025-12-31", "--every", "month", "--by", "route", "--format", "csv"] + daemon.iloArguments("board-fr"))
        var routeCSV = "period,NE>LY>IT,total\r\n"
        for m in 1...12 {
            let count = monthly[String(format: "2025-%02d", m)]?["smuggling"] ?? 0
            routeCSV += String(format: "2025-%02d", m) + ",\(count),\(count)\r\n"
        }
        #expect(routes.status == 0 && routes.stdout == routeCSV, "got:\n\(routes.output)\nexpected:\n\(routeCSV)")
        let weeks = run(TestEnvironment.ilo, ["trend", "--from", "2026-12-21", "--to", "2027-01-10"] + daemon.iloArguments("board-fr"))
        #expect(weeks.status == 0 && weeks.stdout.hasPrefix("2026-W52") && weeks.stdout.contains("2026-W53") && weeks.stdout.contains("2027-W01"), "\(weeks.output)")

        // Markdown for people, with the register's section; officers may not ask.
        let md = run(TestEnvironment.ilo, ["report", "activity", "--from", "2025-01-01", "--to", "2026-12-31"] + daemon.iloArguments("board-fr"))
        #expect(md.status == 0 && md.stdout.hasPrefix("# Activity report, 2025-01-01 to 2026-12-31") && md.stdout.contains("| return-passenger-list | \(purposes["return-passenger-list"]!) |")
            && md.stdout.contains("## Liaison officers deployed on 2026-12-31"), "\(md.output)")
        let officer = run(TestEnvironment.ilo, arguments + daemon.iloArguments("officer-de"))
        #expect(officer.status == 1 && officer.stderr.contains("forbidden"), "\(officer.output)")
        let bad = run(TestEnvironment.ilo, ["report", "activity", "--from", "2025-01-01", "--to", "2026-12-31", "--by", "quarter,month"] + daemon.iloArguments("board-fr"))
        #expect(bad.status == 2 && bad.stderr.contains("one period only"), "\(bad.output)")
    }

    /// Issue 27, item 5: ACTIVITY answers at the granularity the docs promise,
    /// to every role that may ask: reports with personal data one total per
    /// purpose, H2 and H3 reports one total per handling code, over the span.
    @Test func activityAnswersOnlyAtTheDocumentedGranularity() throws {
        let daemon = try Daemon()
        try daemon.start()
        let mueller = try daemon.client("officer-de"), rossi = try daemon.client("officer-it")
        let tomorrow = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 86_400_000).prefix(10))
        func personal(_ country: String, priority: String) -> JSONValue {
            var report = sampleReport(
                ["personal_data": "return-passenger-list", "erase_by": .string(tomorrow), "addressees": ["ncp.de.schmidt"], "priority": .string(priority),
                 "body.passenger_list": [["name": "CASE-PERSON", "nationality": "NG"]]], kind: "return")
            if case .object(var fields) = report { fields["country"] = .string(country); report = .object(fields) }
            return report
        }
        for report in [personal("LY", priority: "flash"), personal("TN", priority: "routine"), sampleReport([:])] {
            #expect(try mueller.request(.publish, ["report": report]).type == .accepted)
        }
        for report in [sampleReport(["handling": "H2", "addressees": ["board.fr.martin"], "priority": "flash"]),
                       sampleReport(["handling": "H3", "addressees": ["board.fr.martin"], "conditions": "Not for onward use"])] {
            #expect(try rossi.request(.publish, ["report": report]).type == .accepted)
        }
        let today = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds()).prefix(10))
        for identity in ["board-fr", "authority-de-user", "admin", "dpo"] {
            for perDay in [false, true] {
                let answer = try daemon.client(identity).request(.activity, ["from": .string(today), "to": .string(today), "per_day": .bool(perDay)])
                let rows = answer.body["rows"]?.arrayValue ?? []
                let fine = rows.filter { $0["month"]?.stringValue != "" }
                let coarse = rows.filter { $0["month"]?.stringValue == "" }
                #expect(fine.count == 1 && fine.allSatisfy { $0["purpose"]?.stringValue == "" && ["H0", "H1"].contains($0["handling"]?.stringValue ?? "") }, "\(identity): \(rows)")
                let expected: Set<String> = ["return-passenger-list 2", "H2 1", "H3 1"]
                #expect(Set(coarse.map { "\(($0["purpose"]?.stringValue ?? "") + ($0["handling"]?.stringValue ?? "")) \($0["reports"]?.integerValue ?? -1)" }) == expected, "\(identity): \(rows)")
                for row in coarse {
                    for field in ["kind", "country", "state", "authority", "priority", "route", "level"] {
                        #expect(row[field]?.stringValue == "", "\(identity): \(field) in \(row)")
                    }
                    #expect(row["day"] == nil && row["on_behalf_of"]?.arrayValue?.isEmpty == true)
                }
            }
        }
        let csv = run(TestEnvironment.ilo, ["report", "activity", "--from", today, "--to", today, "--by", "month,country", "--format", "csv"] + daemon.iloArguments("board-fr"))
        #expect(csv.stdout.contains("restricted,,,H2,1\r\n") && csv.stdout.contains("restricted,,,H3,1\r\n") && csv.stdout.contains("total,,,all,5\r\n"), "\(csv.output)")
    }
}

/// The chart and the HTML page: well-formed, self-contained, and nothing a
/// hostile node or series name sends reaches them unescaped.
@Suite struct StatisticsRenderingTests {
    static let rows = [
        LedgerRow(month: "2026-01", kind: "smuggling", country: "LY", state: "DE", authority: "DE-BPOL", level: "strategic", purpose: "",
                  onBehalfOf: ["AT"], priority: "routine", handling: "H1", reports: 7),
        LedgerRow(month: "2026-02", kind: "border", country: "<script>x</script>", state: "IT", authority: "IT-PS", level: "", purpose: "",
                  onBehalfOf: [], priority: "flash", handling: "H0", reports: 3),
        LedgerRow(month: "2026-02", kind: "return", country: "LY", state: "DE", authority: "DE-BPOL", level: "", purpose: "return-identification",
                  onBehalfOf: [], priority: "routine", handling: "H1", reports: 2),
    ].enumerated().map { i, row in
        var row = row
        row.day = ["2026-01-14", "2026-02-03", "2026-02-20"][i]
        return row
    }

    @Test func theSVGChartIsWellFormedSelfContainedAndEscaped() throws {
        let trend = Trend(rows: Self.rows, from: "2026-01-01", to: "2026-03-31", every: .month, by: .country)
        let svg = TrendChart(trend).svg
        #expect(XMLParser(data: Data(svg.utf8)).parse(), "\(svg)")
        #expect(!svg.contains("<script") && svg.contains("&lt;script&gt;x&lt;/script&gt; (3)"))
        #expect(!svg.contains("href") && !svg.contains("url("))
        // Totals above the bars: 7 in January, 3 in February (case data left out), 0 in March.
        #expect(svg.contains(">7</text>") && svg.contains(">3</text>") && svg.contains(">0</text>"))
        #expect(trend.csv == "period,<script>x</script>,LY,total\r\n2026-01,0,7,7\r\n2026-02,3,0,3\r\n2026-03,0,0,0\r\n")
    }

    @Test func theHTMLActivityReportIsSelfContainedAndEscaped() throws {
        let report = ActivityReport(rows: Self.rows, from: "2026-01-01", to: "2026-03-31", node: "<img src=x onerror=alert(1)>", dimensions: [.quarter, .country])
        let html = report.html(extra: [ActivityReport.Table(title: "Deployed <b>", header: ["country"], rows: [["<i>LY</i>"]], note: nil)])
        #expect(!html.contains("<script") && !html.contains("<img") && !html.contains("<b>") && !html.contains("<i>"), "\(html)")
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;") && html.contains("<td class=\"n\">2</td>"))
        #expect(!html.contains("src=\"") && !html.contains("href="))
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
    }
}

extension JSONValue {
    /// This report with another headline and creation time.
    fileprivate func with(headline: String, created: String) -> JSONValue {
        guard case .object(var fields) = self else { return self }
        fields["headline"] = .string(headline)
        fields["created"] = .string(created)
        return .object(fields)
    }
}

/// The issue's fixture: 5,000 signed reports over two years from six posts of
/// five states, three kinds, 10 % case data erased 30 days on, a hub with
/// `retention.delivered 180d`. At the end more than 90 % of the report rows are
/// gone and the activity report still equals the counts of what was sent.
@Suite(.serialized) struct StatisticsFixtureTests {
    /// Six officers at six posts, of five member states.
    static let officers: [(name: String, state: String, post: String)] = {
        let list = [("fx-de-1", "DE", "LY"), ("fx-it-1", "IT", "TN"), ("fx-fr-1", "FR", "MA"), ("fx-es-1", "ES", "SN"), ("fx-nl-1", "NL", "NE"), ("fx-de-2", "DE", "EG")]
        for (name, state, post) in list where !FileManager.default.fileExists(atPath: TestEnvironment.pki.path("\(name).crt")) {
            TestEnvironment.pki.issue(
                name, subject: "/C=\(state)/O=\(state)-ILO/OU=officer/CN=officer.\(name)", extensions: "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:\(post)")
        }
        return list.map { (name: $0.0, state: $0.1, post: $0.2) }
    }()

    @Test func fiveThousandSignedReportsOverTwoYearsMostErasedTheCountsKept() throws {
        let officers = Self.officers
        let daemon = try Daemon(extraConfig: "retention.delivered 180d\nqueue.expiry-sweep 200ms\nlimits.publish-rate 0", signatures: "required")
        let clock = daemon.directory + "/clock"
        func setClock(_ day: String) throws { try (day + "T12:00:00.000Z").write(toFile: clock, atomically: true, encoding: .utf8) }
        try setClock("2025-01-01")
        daemon.environment["ILONET_CLOCK_FILE"] = clock
        try daemon.start()
        let clients = try officers.map { try daemon.client($0.name) }
        let signers = try officers.map {
            try TLSCredentials(certificate: TestEnvironment.pki.path("\($0.name).crt"), privateKey: TestEnvironment.pki.path("\($0.name).key"), checkKeyPermissions: false)
        }
        let origins = try officers.map { Origin(try PeerIdentity(certificateFile: TestEnvironment.pki.path("\($0.name).crt"))) }

        var expected: [String: Int] = [:]  // "quarter,state,kind"
        var caseReports = 0
        var lastDay = ""
        let start = try #require(ReportDate.parse("2025-01-01"))
        let kinds = ["smuggling", "return", "border"]
        for i in 0..<5000 {
            let dayMilliseconds = start + Int64(i * 730 / 5000) * 86_400_000
            let day = String(Timestamp.format(milliseconds: dayMilliseconds).prefix(10))
            if day != lastDay {
                try setClock(day)
                lastDay = day
            }
            let who = i % officers.count
            let officer = officers[who]
            var kind = kinds[i % 3]
            var changes: [String: JSONValue] = [
                "country": .string(officer.post), "created": .string(day + "T11:00:00.000Z"), "headline": .string("fixture \(i)"),
                "priority": .string(["routine", "priority", "immediate"][i % 3]),
            ]
            let isCase = i % 10 == 0
            if isCase {
                kind = "return"
                let eraseBy = String(Timestamp.format(milliseconds: dayMilliseconds + 30 * 86_400_000).prefix(10))
                changes.merge(["personal_data": "return-passenger-list", "erase_by": .string(eraseBy), "addressees": ["ncp.de.schmidt"],
                               "body.passenger_list": [["name": "FIXTURE PERSON", "nationality": "NG"]]]) { $1 }
            }
            if kind == "border" { changes["body.time"] = .string(day + "T02:00:00Z") }
            let document = sampleReport(changes, kind: kind)
            let report = try signers[who].sign(try Report.validate(document, sender: origins[who], now: dayMilliseconds + 43_200_000))
            let answer = try clients[who].request(.publish, ["report": report.document])
            #expect(answer.type == .accepted, "\(i): \(answer.body)")
            if isCase {
                caseReports += 1
            } else {
                let month = Int(day.dropFirst(5).prefix(2))!
                expected["\(day.prefix(4))-Q\((month - 1) / 3 + 1),\(officer.state),\(kind)", default: 0] += 1
            }
        }
        // Past the last report's erase-by date and its 180 days of retention.
        try setClock("2027-08-01")
        #expect(waitFor(60) { daemon.count("SELECT count(*) FROM reports WHERE kind IN ('smuggling', 'return', 'border')") < 500 },
                "\(daemon.count("SELECT count(*) FROM reports WHERE kind IN ('smuggling', 'return', 'border')")) report rows left")

        var csv = "section,quarter,state,kind,subject,reports\r\n"
        for key in expected.keys.sorted() { csv += "reports,\(key),,\(expected[key]!)\r\n" }
        csv += "case-data,,,,return-passenger-list,\(caseReports)\r\n"
        csv += "total,,,,all,5000\r\n"
        let activity = run(TestEnvironment.ilo, ["report", "activity", "--from", "2025-01-01", "--to", "2026-12-31", "--by", "quarter,state,kind", "--format", "csv"]
            + daemon.iloArguments("board-fr"))
        #expect(activity.status == 0 && StatisticsTests.split(activity.stdout).counts == csv, "got:\n\(activity.output)\nexpected:\n\(csv)")
        #expect(!activity.stdout.contains("fixture "))
    }
}
