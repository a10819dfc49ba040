import Foundation
import Glibc
import Testing
@testable import ILONet
@testable import ILOClient

/// The one disclosure decision (docs/ACCESS.md §1), driven through every path
/// that reveals a report, with every identity of the example network.
@Suite(.serialized) struct DisclosureTests {
    static let networkRules = TestEnvironment.repository.appendingPathComponent("config/network/access.rules").path

    /// A data-protection officer's certificate in the test PKI (made once).
    static let dpo: String = {
        TestEnvironment.pki.issue("dpo", subject: "/C=EU/O=EU-ILO-BOARD/OU=dpo/CN=dpo.board", extensions: "extendedKeyUsage=clientAuth")
        return "dpo"
    }()

    /// Every identity of the example network, by certificate name.
    static let readers = ["officer-de", "officer-it", "board-fr", "authority-de-user", "admin", dpo, "regional-na"]

    func identity(_ name: String) throws -> PeerIdentity { try PeerIdentity(certificateFile: TestEnvironment.pki.path("\(name).crt")) }

    /// The reports of the table: each handling code and data class, addressed to
    /// identities the node has seen and to one it has not (officer.it.rossi).
    func tableReports(followingUp base: String) -> [String: JSONValue] {
        let later = Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 86_400_000 * 3)
        let eraseBy = String(later.prefix(10))
        func report(_ changes: [String: JSONValue], kind: String = "smuggling") -> JSONValue {
            var all = changes
            all["follow_up_of"] = .string(base)
            return sampleReport(all, kind: kind)
        }
        return [
            "H0 smuggling LY": report(["handling": "H0"]),
            "H1 border TN": report(["country": "TN"], kind: "border"),
            "H2 smuggling MA to Rossi": report(["handling": "H2", "addressees": ["officer.it.rossi"], "country": "MA"]),
            "H2 border LY to Rossi": report(["handling": "H2", "addressees": ["officer.it.rossi"]], kind: "border"),
            "H2 smuggling LY to DE-BPOL": report(["handling": "H2", "addressees": ["authority:DE-BPOL"]]),
            "H3 border LY to board-fr": report(["handling": "H3", "addressees": ["board.fr.martin"], "conditions": "Not to be shared with third countries."], kind: "border"),
            "case to the German NCP": report(
                ["personal_data": "return-identification", "erase_by": .string(eraseBy), "addressees": ["ncp.de.schmidt"],
                 "body.travel_document_status": "none"], kind: "return"),
            "case to Rossi": report(
                ["personal_data": "return-identification", "erase_by": .string(eraseBy), "addressees": ["officer.it.rossi"]],
                kind: "return"),
            "case to the board": report(
                ["personal_data": "smuggling-trafficking", "erase_by": .string(eraseBy), "addressees": ["board.fr.martin"]]),
        ]
    }

    @Test func everyPathGivesTheVerdictOfTheSingleDecision() throws {
        _ = DisclosureTests.dpo
        let daemon = try Daemon(extraConfig: "access \(DisclosureTests.networkRules)\npeer regional-na.ilonet.example")
        try daemon.start()
        // Seen here before the reports arrive: all but Rossi (a named addressee the node has not seen yet).
        try daemon.register("authority-de-user", "admin", subscribing: "#")
        // The board subscribes to nothing (issue 31): it has digests, and reads what is addressed to it.
        try daemon.register("board-fr", DisclosureTests.dpo)

        let author = try daemon.client("officer-de")
        let base = sampleReport(["handling": "H0", "headline": "base"])
        let baseID = base["id"]!.stringValue!
        #expect(try author.request(.publish, ["report": base]).type == .accepted)
        let reports = tableReports(followingUp: baseID)
        var byID: [String: String] = [:]
        var facts: [String: Disclosure.Facts] = [:]
        for (name, document) in reports {
            let answer = try author.request(.publish, ["report": document])
            #expect(answer.type == .accepted, "\(name)")
            let report = try Report.validate(document, sender: Origin(try identity("officer-de")))
            byID[report.id.description] = name
            facts[report.id.description] = Disclosure.Facts(report)
        }
        let rules = try AccessRules.load(DisclosureTests.networkRules)
        let decision = Disclosure(rules: rules, now: Timestamp.nowMilliseconds())

        for reader in DisclosureTests.readers {
            let who = try identity(reader)
            let allowed = Set(facts.filter { decision.decide($0.value, for: who).allowed }.keys)
            func names(_ ids: Set<String>) -> [String] { ids.compactMap { byID[$0] }.sorted() }
            let client = try daemon.client(reader)

            // GET: exactly what the decision allows, whether or not it was delivered (personal data with a
            // reason, docs/ACCESS.md §1.3; a role that reads no content is told so, forbidden).
            var got = Set<String>()
            for id in facts.keys {
                do throws(ClientError) {
                    if try client.request(.get, ["id": .string(id), "reason": "checking the disclosure decision"]).type == .report { got.insert(id) }
                } catch {
                    guard case .refused(let refusal) = error,
                        refusal.code == .notFound || (refusal.code == .forbidden && Disclosure.contentlessRoles.contains(who.role))
                    else { throw error }
                }
                // Without a reason, someone else's report with personal data is refused, naming the field.
                if got.contains(id), facts[id]?.personalData != nil, facts[id]?.originOfficer != who.id {
                    do throws(ClientError) {
                        _ = try client.request(.get, ["id": .string(id)])
                        Issue.record("GET without a reason of \(byID[id] ?? id) as \(reader)")
                    } catch {
                        guard case .refused(let refusal) = error, refusal.code == .forbidden, refusal.field == "reason" else { throw error }
                    }
                }
            }
            #expect(got == allowed, "GET as \(reader): got \(names(got)), decision \(names(allowed))")

            // Follow-ups listed under the base report: the same, ids and headlines alike.
            if let listing = try? client.request(.get, ["id": .string(baseID)]) {
                let listed = Set((listing.body["follow_ups"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
                #expect(listed == allowed, "follow-ups as \(reader): \(names(listed)), decision \(names(allowed))")
            }

            // FETCH: never more than the decision allows (what waits is what was addressed or subscribed).
            let fetched = Set((try client.request(.fetch, ["limit": 500]).body["reports"]?.arrayValue ?? []).compactMap { $0["report"]?["id"]?.stringValue })
                .intersection(facts.keys)
            #expect(fetched.isSubset(of: allowed), "FETCH as \(reader) disclosed \(names(fetched.subtracting(allowed)))")

            // WATCH: the same stream rule.
            var options = daemon.pki.clientOptions(reader, port: daemon.port)
            options.timeout = 1.5
            let watcher = try ClientConnection(options)
            var watched = Set<String>()
            if (try? watcher.request(.watch)) != nil {
                while let frame = try? watcher.receiveFrame(), let message = try? Message(frame: frame) {
                    if message.type == .deliver, let id = message.body["report"]?["id"]?.stringValue { watched.insert(id) }
                }
            }
            watched.formIntersection(facts.keys)
            #expect(watched.isSubset(of: allowed), "WATCH as \(reader) disclosed \(names(watched.subtracting(allowed)))")

            // Digest previews: listed and counted only what the decision allows (case data never listed).
            let filter = who.role == .officer ? "+/LY/#" : "#"
            if let preview = try? client.request(.digestPreview, ["filter": .string(filter), "since": "1h"]) {
                let digest = preview.body["digest"] ?? .null
                let listed = Set((digest["reports"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }).intersection(facts.keys)
                let filterValue = try TopicFilter(filter)
                let expected = Set(allowed.filter { facts[$0]!.personalData == nil && filterValue.matches(facts[$0]!.topic) })
                #expect(listed == expected, "digest as \(reader): \(names(listed)), decision \(names(expected))")
                // A digest rule (the board) also counts the H0 and H1 reports it may not read; never lists them.
                let countsAll = rules.decide(.digest(filterValue), for: who).allowed
                let counted = countsAll
                    ? Set(facts.keys.filter { facts[$0]!.personalData == nil && facts[$0]!.handling?.namedAddresseesOnly == false && filterValue.matches(facts[$0]!.topic) })
                        .union(expected)
                    : expected
                // The base report is the one counted report outside the table.
                let baseFacts = Disclosure.Facts(try Report.validate(base, sender: Origin(try identity("officer-de"))))
                let baseCounted = (countsAll || decision.decide(baseFacts, for: who).allowed) && filterValue.matches("smuggling/LY/land") ? 1 : 0
                #expect(digest["counts"]?["total"]?.integerValue.map(Int.init) == counted.count + baseCounted, "digest count as \(reader)")
            }
        }

        // The decision's own verdicts, spelled out for the cases that went wrong before.
        let it = try identity("officer-it"), board = try identity("board-fr"), admin = try identity("admin"), ncp = try identity("authority-de-user")
        func verdict(_ name: String, _ who: PeerIdentity) -> Bool { decision.decide(facts[byID.first { $0.value == name }!.key]!, for: who).allowed }
        #expect(!verdict("H2 smuggling MA to Rossi", it), "the access rules let Rossi read only his posts' countries, addressee or not")
        #expect(verdict("H2 border LY to Rossi", it), "an unseen named addressee reads what the rules allow")
        #expect(!verdict("case to Rossi", it), "no read-personal rule for officers")
        #expect(!verdict("case to the board", board), "no read-personal rule for the board")
        #expect(verdict("case to the German NCP", ncp))
        #expect(!verdict("H0 smuggling LY", admin) && !verdict("case to the German NCP", admin), "admins read no content")
        #expect(!verdict("H2 smuggling LY to DE-BPOL", board) && verdict("H3 border LY to board-fr", board))
    }

    @Test func personalDataGoesOnlyToNamedAddresseesNeverThroughSubscriptions() throws {
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("admin", "authority-de-user", subscribing: "#")
        try daemon.register("board-fr", subscribing: "#", digest: true)
        let author = try daemon.client("officer-de")
        let eraseBy = String(Timestamp.format(milliseconds: Timestamp.nowMilliseconds() + 86_400_000 * 3).prefix(10))
        // Without addressees: refused, with the field and what to do.
        let unaddressed = sampleReport(
            ["personal_data": "return-identification", "erase_by": .string(eraseBy)], kind: "return")
        #expect(throws: ClientError.self) { try author.request(.publish, ["report": unaddressed]) }
        do throws(ClientError) {
            try author.request(.publish, ["report": unaddressed])
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.field == "addressees" && refusal.message.contains("personal data never goes to subscribers"))
        }
        // Addressed to Germany's NCP: only its deliveries, although admin subscribes to # and the board to its digest (and the
        // built-in rules let admin read case data for any purpose).
        let addressed = sampleReport(
            ["personal_data": "return-identification", "erase_by": .string(eraseBy), "addressees": ["authority:DE-BPOL"]],
            kind: "return")
        #expect(try author.request(.publish, ["report": addressed]).type == .accepted)
        let id = addressed["id"]!.stringValue!
        #expect(daemon.query("SELECT group_concat(d.identity) FROM deliveries d JOIN reports r ON r.seq = d.report_seq WHERE r.id = '\(id)'") == "ncp.de.schmidt")
        for reader in ["board-fr", "admin"] {
            #expect(throws: ClientError.self, "\(reader) may not GET it") { try daemon.client(reader).request(.get, ["id": .string(id)]) }
        }
        #expect(try daemon.client("authority-de-user").request(.get, ["id": .string(id), "reason": "identification for return"]).type == .report)
        // Its inbox gives it sealed: the envelope without the body.
        let batch = try daemon.client("authority-de-user").request(.fetch, ["limit": 10]).body["reports"]?.arrayValue ?? []
        let sealed = batch.first { $0["report"]?["id"]?.stringValue == id }?["report"]
        #expect(sealed?["sealed"]?.boolValue == true && sealed?["body"] == nil && sealed?["personal_data"]?.stringValue == "return-identification", "\(batch)")
    }

    @Test func revocationAndTightenedRulesReachOpenSessionsAtOnce() throws {
        let pki = TestEnvironment.pki
        let name = "officer-revoked-\(UUID().uuidString.prefix(6).lowercased())"
        pki.issue(name, subject: "/C=IT/O=IT-PS/OU=officer/CN=officer.it.\(name)", extensions: "extendedKeyUsage=clientAuth;subjectAltName=URI:ilonet:post:LY")
        let rules = TestEnvironment.runDirectory + "/\(name).rules"
        try AccessRules.defaultText.write(toFile: rules, atomically: true, encoding: .utf8)
        let daemon = try Daemon(extraConfig: "access \(rules)")
        try daemon.start()

        // An open WATCH of the officer, and an open session of the board member.
        let watcher = try daemon.client(name)
        _ = try watcher.request(.watch)
        let board = try daemon.client("board-fr")
        _ = try board.request(.ping)

        pki.revoke(name)
        kill(daemon.pid, SIGHUP)
        #expect(waitFor(5) { daemon.log.contains("closing connection after reload") && daemon.log.contains("identity=officer.it.\(name)") }, "\(daemon.log)")
        // The officer is told why and disconnected; his WATCH gets nothing more.
        var told = false
        while let frame = try? watcher.receiveFrame() {
            if let message = try? Message(frame: frame), message.type == .error { told = ProtocolError(message: message).message.contains("no longer verifies") }
        }
        #expect(told)
        #expect(try board.request(.ping).type == .pong, "others stay connected")

        // Rules tightened by SIGHUP: the board member is no longer admitted, and is disconnected.
        try (AccessRules.defaultText.replacingOccurrences(of: "role=officer,board,authority,admin,operator,node,dpo", with: "role=officer,authority,admin,operator,node,dpo"))
            .write(toFile: rules, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        #expect(waitFor(5) { daemon.log.contains("identity=board.fr.martin") && daemon.log.contains("no longer admitted") }, "\(daemon.log)")
        #expect(throws: ClientError.self) { try board.request(.ping) }
    }

    @Test func anIdUsedForDifferentContentIsRefusedNeverAcknowledged() throws {
        let daemon = try Daemon()
        try daemon.start()
        let client = try daemon.client("officer-de")
        let report = sampleReport(["headline": "first"])
        #expect(try client.request(.publish, ["report": report]).body["duplicate"] == false)
        #expect(try client.request(.publish, ["report": report]).body["duplicate"] == true)
        guard case .object(var changed) = report else { return }
        changed["headline"] = "a different report under the same id"
        do throws(ClientError) {
            try client.request(.publish, ["report": .object(changed)])
            Issue.record("a different report under a known id was acknowledged")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.code == .idConflict && refusal.field == "id")
        }
        #expect(daemon.query("SELECT headline FROM reports") == "first")
    }

    @Test func expiredReportsAreRefusedAndWithdrawn() throws {
        let daemon = try Daemon()
        try daemon.start()
        try daemon.register("authority-fr-user", subscribing: "#")
        let client = try daemon.client("officer-de")
        let now = Timestamp.nowMilliseconds()
        let past = sampleReport(["created": .string(Timestamp.format(milliseconds: now - 60_000)), "expires": .string(Timestamp.format(milliseconds: now - 1000))])
        do throws(ClientError) {
            try client.request(.publish, ["report": past])
            Issue.record("an expired report was accepted")
        } catch {
            guard case .refused(let refusal) = error else { throw error }
            #expect(refusal.code == .invalidReport && refusal.field == "expires")
        }
        let soon = sampleReport(["expires": .string(Timestamp.format(milliseconds: now + 1500))])
        #expect(try client.request(.publish, ["report": soon]).type == .accepted)
        Thread.sleep(forTimeInterval: 2)
        let reader = try daemon.client("authority-fr-user")
        #expect(try reader.request(.fetch).body["reports"]?.arrayValue?.isEmpty == true)
        #expect(throws: ClientError.self) { try reader.request(.get, ["id": .string(soon["id"]!.stringValue!)]) }
        #expect(daemon.count("SELECT count(*) FROM deliveries") == 0, "withdrawn from the inbox")
    }

    @Test func controlCharactersAreRefusedWithTheFieldPath() throws {
        let daemon = try Daemon()
        try daemon.start()
        let client = try daemon.client("officer-de")
        let cases: [(String, JSONValue, String)] = [
            ("headline", sampleReport(["headline": "Fake\u{1B}[2K\u{1B}[1AH0: no restriction"]), "headline"),
            ("headline NUL", sampleReport(["headline": "cut\u{0}here"]), "headline"),
            ("OSC 52", sampleReport(["body.modus_operandi": "text\u{1B}]52;c;cm0gLXJmIH4=\u{07}"]), "body.modus_operandi"),
            ("C1 CSI", sampleReport(["body.modus_operandi": "text\u{9B}2J"]), "body.modus_operandi"),
        ]
        for (name, report, field) in cases {
            do throws(ClientError) {
                try client.request(.publish, ["report": report])
                Issue.record("\(name) was accepted")
            } catch {
                guard case .refused(let refusal) = error else { throw error }
                #expect(refusal.field == field && refusal.message.contains("control character"), "\(name): \(refusal)")
            }
        }
        // Newlines and tabs stay allowed in free text.
        #expect(try client.request(.publish, ["report": sampleReport(["body.modus_operandi": "line one\n\tline two"])]).type == .accepted)
    }

    @Test func terminalTextEscapesEveryControlAndBidiOverride() {
        #expect(TerminalText.line("plain Zuwara — زوارة") == "plain Zuwara — زوارة")
        #expect(TerminalText.line("a\u{1B}[2Kb") == "a\\u001b[2Kb")
        #expect(TerminalText.line("t\u{1B}]0;title\u{07}") == "t\\u001b]0;title\\u0007")
        #expect(TerminalText.line("x\u{9B}y") == "x\\u009by")
        #expect(TerminalText.line("two\nlines") == "two\\u000alines")
        #expect(TerminalText.line("rtl\u{202E}txt") == "rtl\\u202etxt")
    }
}
