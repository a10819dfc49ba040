import Foundation
import Testing
@testable import ILONet

/// The ```routes blocks of docs/ROUTING.md, by their `<!-- routes: NAME -->` marker.
let documentedTables: [String: String] = {
    let text = try! String(contentsOf: TestEnvironment.repository.appendingPathComponent("docs/ROUTING.md"), encoding: .utf8)
    var tables: [String: String] = [:]
    var rest = Substring(text)
    while let start = rest.range(of: "<!-- routes: ") {
        let name = rest[start.upperBound...].prefix { $0 != " " }
        let fence = rest[start.upperBound...].range(of: "```routes\n")!
        let end = rest[fence.upperBound...].range(of: "```")!
        tables[String(name)] = String(rest[fence.upperBound..<end.lowerBound])
        rest = rest[end.upperBound...]
    }
    return tables
}()

@Suite struct RoutingTableTests {
    func envelope(_ kind: String = "smuggling", _ country: String = "LY", authority: String = "DE-BPOL", state: String = "DE", priority: String = "routine", personalData: String = "none") -> RoutingTable.Envelope {
        RoutingTable.Envelope(kind: kind, country: country, authority: authority, state: state, priority: priority, personalData: personalData)
    }

    @Test func theDocumentedRegionalTableIsTheShippedFile() throws {
        let shipped = try String(contentsOf: TestEnvironment.repository.appendingPathComponent("config/network/regional-na.routes"), encoding: .utf8)
        #expect(documentedTables["config/network/regional-na.routes"] == shipped)
    }

    @Test func regionalTableCopiesGermanReportsToGermany() throws {
        let table = try RoutingTable.parse(documentedTables["config/network/regional-na.routes"]!, path: "regional-na.routes")
        #expect(table.decide(envelope()).map(\.nextHop) == ["board.ilonet.example", "authority-de.ilonet.example"])
        #expect(table.decide(envelope(authority: "IT-PS", state: "IT")).map(\.nextHop) == ["board.ilonet.example"])
        let copy = table.decide(envelope())[1]
        #expect(copy.rule.kind == .copy && copy.rule.line == 8 && copy.rule.matchText == "authority=DE")
        // An Italian officer's report on behalf of Germany: Germany's contact point gets it too.
        var onBehalf = envelope(authority: "IT-PS", state: "IT")
        onBehalf.represented = ["DE"]
        let decided = table.decide(onBehalf)
        #expect(decided.map(\.nextHop) == ["board.ilonet.example", "authority-de.ilonet.example"])
        #expect(decided[1].rule.matchText == "represented=DE")
    }

    @Test func theFullerExampleRoutesByFirstRouteRuleAndEveryCopy() throws {
        let table = try RoutingTable.parse(documentedTables["example"]!, path: "example.routes")
        // Flash border report about Libya by a German officer: default route, duty desk and Germany.
        #expect(table.decide(envelope("border", priority: "flash")).map(\.nextHop)
            == ["board.ilonet.example", "duty.ilonet.example", "authority-de.ilonet.example"])
        // The first matching route rule wins: a return report with case data goes to returns.
        #expect(table.decide(envelope("return", personalData: "return-passenger-list")).map(\.nextHop) == ["returns.ilonet.example", "authority-de.ilonet.example"])
        #expect(table.decide(envelope("smuggling", authority: "IT-CC", state: "IT", personalData: "smuggling-trafficking")).map(\.nextHop)
            == ["case-hub.ilonet.example", "authority-it.ilonet.example"])
        // An authority listed by name matches only that authority.
        #expect(table.decide(envelope(authority: "IT-GDF", state: "IT")).map(\.nextHop) == ["board.ilonet.example"])
        // Norway's officers (a Schengen associated state) are copied to Norway's contact point.
        #expect(table.decide(envelope(authority: "NO-POD", state: "NO")).map(\.nextHop) == ["board.ilonet.example", "authority-no.ilonet.example"])
    }

    @Test func participatingStatesAndSeveralCountriesInRules() throws {
        let table = try RoutingTable.parse(
            """
            copy    state=IS,LI                  -> authority-is.ilonet.example
            route   country=several              -> analysis.ilonet.example
            route   personal-data=return-passenger-list -> returns.ilonet.example
            default                              -> board.ilonet.example
            """, path: "t.routes")
        #expect(table.decide(envelope(authority: "IS-UTL", state: "IS")).map(\.nextHop) == ["board.ilonet.example", "authority-is.ilonet.example"])
        #expect(table.decide(envelope("smuggling", "several")).map(\.nextHop) == ["analysis.ilonet.example"])
        #expect(table.decide(envelope("return", personalData: "return-passenger-list")).map(\.nextHop) == ["returns.ilonet.example"])
        #expect(table.decide(envelope("return", personalData: "return-identification")).map(\.nextHop) == ["board.ilonet.example"])
        do {
            _ = try RoutingTable.parse("copy state=US -> a.example\nroute data-class=case -> b.example\n", path: "t.routes")
            Issue.record("a state outside the network and the old data-class key were accepted")
        } catch {
            #expect(error.description.contains("t.routes:1") && error.description.contains("\"US\" is not a participating state"), "\(error)")
            #expect(error.description.contains("t.routes:2") && error.description.contains("unknown key \"data-class\""), "\(error)")
        }
    }

    @Test func nodesOnThePathAreNeverChosen() throws {
        let table = try RoutingTable.parse(documentedTables["config/network/regional-na.routes"]!, path: "t")
        #expect(table.decide(envelope(), excluding: ["board.ilonet.example"]).map(\.nextHop) == ["authority-de.ilonet.example"])
        // Two rules naming one hop give one copy.
        let twice = try RoutingTable.parse("route country=LY -> a.example\ncopy kind=smuggling -> a.example, b.example\n", path: "t")
        #expect(twice.decide(envelope()).map(\.nextHop) == ["a.example", "b.example"])
    }

    @Test func everyProblemIsReportedWithItsLine() {
        let text = """
            route country=LY kind=smuggling -> a.example
            copy  countyr=LY -> a.example
            route -> a.example
            default kind=border -> a.example
            route priority=urgent -> a.example
            route country=LY -> unknown.example
            this is not a rule
            """
        do {
            _ = try RoutingTable.parse(text, path: "t.routes", knownHops: ["a.example"])
            Issue.record("a broken table parsed")
        } catch {
            let lines = error.errors.map(\.line)
            #expect(lines == [2, 3, 4, 5, 6, 7], "\(error)")
            #expect(error.errors[0].description.hasPrefix("t.routes:2: unknown key \"countyr\""))
            #expect(error.errors[0].description.contains("did you mean \"country\"?"))
        }
    }

    @Test func backoffGrowsToItsCapWithJitter() {
        let backoff = Backoff(initial: 1, maximum: 60)
        #expect(backoff.delay(afterFailures: 0, random: 1) == 1)
        #expect(backoff.delay(afterFailures: 3, random: 1) == 8)
        #expect(backoff.delay(afterFailures: 3, random: 0) == 4)
        #expect(backoff.delay(afterFailures: 40, random: 1) == 60)
        for failures in 0..<50 {
            let delay = backoff.delay(afterFailures: failures)
            #expect(delay > 0 && delay <= 60)
        }
    }

    @Test func noticesGoBackAlongTheReturnPath() throws {
        let letter = ReportStore.DeadLetter(
            reportID: ReportID.generate().description, country: "LY", originOfficer: "officer.de.mueller",
            path: ["post-tripoli.ilonet.example", "regional-na.ilonet.example"], nextHop: "authority-de.ilonet.example",
            queuedMilliseconds: Timestamp.nowMilliseconds(), lastError: nil, reason: "expired", kind: "smuggling")
        let node = Origin(officer: "regional-na.ilonet.example", authority: "ILONet Example Network", state: "EU")
        let notice = try #require(Notice.make(for: letter, node: node, now: Timestamp.nowMilliseconds()))
        let table = try RoutingTable.parse("default -> board.ilonet.example\n", path: "t")
        let regional = Router(nodeName: "regional-na.ilonet.example", table: table)
        #expect(regional.nextHops(for: notice, path: ["regional-na.ilonet.example"]).map(\.nextHop) == ["post-tripoli.ilonet.example"])
        let post = Router(nodeName: "post-tripoli.ilonet.example", table: table)
        #expect(post.nextHops(for: notice, path: ["regional-na.ilonet.example", "post-tripoli.ilonet.example"]).isEmpty)
        #expect(notice.addressees == ["officer.de.mueller"])
        #expect(notice.topic == "notice/LY/expired")
    }
}
