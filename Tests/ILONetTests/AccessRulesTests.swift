import Foundation
import Testing
@testable import ILONet

@Suite struct AccessRulesTests {
    static let networkRules = try! AccessRules.load(TestEnvironment.repository.appendingPathComponent("config/network/access.rules").path)
    let officerDE = PeerIdentity(id: "officer.de.mueller", role: .officer, authority: "DE-BPOL", memberState: "DE", posts: ["LY"])
    let officerIT = PeerIdentity(id: "officer.it.rossi", role: .officer, authority: "IT-PS", memberState: "IT", posts: ["LY", "TN"])
    let board = PeerIdentity(id: "board.fr.martin", role: .board, authority: "FR-DGEF", memberState: "FR")
    let ncp = PeerIdentity(id: "ncp.de.schmidt", role: .authority, authority: "DE-BPOL", memberState: "DE")

    func filter(_ text: String) -> TopicFilter { try! TopicFilter(text) }

    @Test func theDocumentedRulesAreTheShippedFile() throws {
        let doc = try String(contentsOf: TestEnvironment.repository.appendingPathComponent("docs/ACCESS.md"), encoding: .utf8)
        let shipped = try String(contentsOf: TestEnvironment.repository.appendingPathComponent("config/network/access.rules"), encoding: .utf8)
        let marker = doc.range(of: "<!-- access: config/network/access.rules -->\n```access\n")!
        let end = doc[marker.upperBound...].range(of: "```")!
        #expect(String(doc[marker.upperBound..<end.lowerBound]) == shipped)
        #expect(doc.contains(AccessRules.defaultText.split(separator: "\n").dropFirst().joined(separator: "\n")))
    }

    @Test func theLocalNetworkReadsItsPostsAndAnEndedDeploymentIsRefused() {
        let rules = AccessRulesTests.networkRules
        // Officers of any state posted to Libya read what concerns Libya (Art. 5 local networks).
        #expect(rules.decide(.subscribe(filter("smuggling/LY/#")), for: officerDE).allowed)
        #expect(rules.decide(.subscribe(filter("smuggling/LY/#")), for: officerIT).allowed)
        #expect(rules.decide(.read(topic: "smuggling/LY/sea"), for: officerIT).allowed)
        #expect(!rules.decide(.read(topic: "smuggling/MA/sea"), for: officerIT).allowed)
        // The Dutch officer whose deployment ended: refused before anything else, certificate or not.
        let ended = PeerIdentity(id: "officer.nl.devries", role: .officer, authority: "NL-KMAR", memberState: "NL", posts: ["LY"])
        let refused = rules.decide(.connect, for: ended)
        #expect(!refused.allowed)
        #expect(refused.description.hasPrefix("denied by \(rules.path):6"), "\(refused)")
        #expect(rules.decide(.connect, for: officerIT).allowed)
    }

    @Test func schengenAssociatedStatesAreParticipatingStates() throws {
        let rules = try AccessRules.parse(
            """
            allow connect   state=IS,NO,CH,LI
            deny  subscribe state=IS topic=return/#
            allow subscribe state=IS,NO topic=#
            """, path: "rules.conf")
        let iceland = PeerIdentity(id: "board.is.jonsson", role: .board, authority: "IS-UTL", memberState: "IS")
        let norway = PeerIdentity(id: "officer.no.hansen", role: .officer, authority: "NO-POD", memberState: "NO", posts: ["LY"])
        #expect(rules.decide(.connect, for: iceland).allowed && rules.decide(.connect, for: norway).allowed)
        #expect(rules.decide(.read(topic: "smuggling/LY/sea"), for: iceland).allowed)
        #expect(!rules.decide(.read(topic: "return/LY/NG"), for: iceland).allowed)
        #expect(rules.decide(.read(topic: "return/LY/NG"), for: norway).allowed)
        // A state that does not take part is refused at load, with the line.
        #expect(throws: ConfigErrors.self) { try AccessRules.parse("allow connect state=US", path: "rules.conf") }
        do {
            _ = try AccessRules.parse("allow connect state=US", path: "rules.conf")
        } catch {
            #expect("\(error)".contains("rules.conf:1") && "\(error)".contains("\"US\" is not a participating state"), "\(error)")
        }
    }

    @Test func postsPlaceholderAndCoverage() {
        let rules = AccessRulesTests.networkRules
        #expect(rules.decide(.subscribe(filter("border/TN/#")), for: officerIT).allowed)
        #expect(!rules.decide(.subscribe(filter("border/MA/#")), for: officerIT).allowed)
        #expect(!rules.decide(.subscribe(filter("#")), for: officerDE).allowed)
        // The steering board governs (2019/1240 Art. 7): digests of everything, no subscription to it (issue 31).
        #expect(!rules.decide(.subscribe(filter("#")), for: board).allowed)
        #expect(rules.decide(.digest(filter("#")), for: board).allowed)
        #expect(!rules.decide(.digest(filter("#")), for: officerDE).allowed)
        let none = rules.decide(.subscribe(filter("border/MA/#")), for: officerIT)
        #expect(none.rule == nil && none.description == "no access rule allows it (default deny)")
    }

    @Test func publishReadCaseAndHoldCase() {
        let rules = AccessRulesTests.networkRules
        #expect(rules.decide(.publish(kind: "smuggling", country: "LY"), for: officerDE).allowed)
        #expect(!rules.decide(.publish(kind: "smuggling", country: "LY"), for: board).allowed)
        #expect(!rules.decide(.publish(kind: "border", country: "LY"), for: board).allowed)
        // The built-in rules say the same, and admit the platform's operator, who reads nothing.
        #expect(!AccessRules.defaults.decide(.publish(kind: "border", country: "LY"), for: board).allowed)
        #expect(!AccessRules.defaults.decide(.subscribe(filter("#")), for: board).allowed)
        let operatorIdentity = PeerIdentity(id: "operator.platform", role: .operator, authority: "EU-COM", memberState: "EU")
        #expect(AccessRules.defaults.decide(.connect, for: operatorIdentity).allowed)
        #expect(!Disclosure(rules: AccessRules.defaults, now: 0).decide(Disclosure.Facts(
            kind: .smuggling, topic: "smuggling/LY/sea", handling: .h0, personalData: nil, addressees: [], consented: [], originOfficer: "x",
            expiresMilliseconds: 1, restricted: false), for: operatorIdentity).allowed)
        #expect(rules.decide(.readPersonal(category: "return-passenger-list"), for: ncp).allowed)
        #expect(!rules.decide(.readPersonal(category: "legal-migration"), for: ncp).allowed)
        #expect(!rules.decide(.readPersonal(category: "return-passenger-list"), for: board).allowed)
        func node(_ name: String) -> PeerIdentity { PeerIdentity(id: name, role: .node, authority: "", memberState: "") }
        #expect(rules.decide(.holdPersonal, for: node("authority-de.ilonet.example")).allowed)
        #expect(!rules.decide(.holdPersonal, for: node("board.ilonet.example")).allowed)
    }

    @Test func brokenRulesAreRefusedWithTheirLines() {
        do {
            _ = try AccessRules.parse(
                """
                allow publish role=oficer kind=smuggling
                permit subscribe topic=#
                allow subscribe role=board topic=a/#/b
                allow read-personal role=authority personal-data=curiosity
                allow hold-personal
                allow publish role=board topic=#
                """, path: "a.rules")
            Issue.record("broken rules parsed")
        } catch {
            #expect(error.errors.map(\.line) == [1, 2, 3, 4, 5, 6], "\(error)")
            #expect(error.errors[0].message.contains("unknown role \"oficer\""))
            #expect(error.errors[5].message == "\"topic\" does not apply to publish")
        }
    }

    @Test func h2CopiesGoOnlyToTheAddressedAuthority() throws {
        let table = try RoutingTable.parse("copy authority=DE -> authority-de.example\ndefault -> board.example\n", path: "t")
        let router = Router(nodeName: "regional.example", table: table)
        func report(_ changes: [String: JSONValue]) throws -> Report {
            try Report.validate(sampleReport(changes), sender: Origin(officer: "officer.de.mueller", authority: "DE-BPOL", state: "DE"))
        }
        let open = try report([:])
        #expect(router.nextHops(for: open, path: []).map(\.nextHop) == ["board.example", "authority-de.example"])
        let toRossi = try report(["handling": "H2", "addressees": ["officer.it.rossi"]])
        #expect(router.nextHops(for: toRossi, path: []).map(\.nextHop) == ["board.example"])
        let toGermany = try report(["handling": "H2", "addressees": ["authority:DE-BPOL"]])
        #expect(router.nextHops(for: toGermany, path: []).map(\.nextHop) == ["board.example", "authority-de.example"])
    }
}
